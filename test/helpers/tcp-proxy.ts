// A TCP proxy a test controls, between a server process and a service it connects to (Redis): a network path that
// can stall one connection's answers while its requests still go through, and say what it has seen pass each way.
import net from "node:net";

/** One client connection through the proxy, and the target connection it was forwarded to. */
export class ProxiedConnection {
  /** Everything the client sent, as latin1 text (RESP commands read as they were written). */
  sent = "";
  /** Everything the target answered, held bytes included. */
  received = "";
  /** What the target answered while held, not yet passed on; undefined while answers flow. */
  private held: Buffer[] | undefined;
  private closed = false;
  private readonly waiters = new Set<{ check: () => boolean; resolve: () => void; reject: (error: Error) => void }>();

  constructor(
    private readonly client: net.Socket,
    target: net.Socket,
  ) {
    client.on("data", (chunk: Buffer) => {
      this.sent += chunk.toString("latin1");
      target.write(chunk);
      this.changed();
    });
    target.on("data", (chunk: Buffer) => {
      this.received += chunk.toString("latin1");
      if (this.held) this.held.push(chunk);
      else client.write(chunk);
      this.changed();
    });
    const close = () => {
      client.destroy();
      target.destroy();
      this.closed = true;
      this.changed();
    };
    for (const socket of [client, target]) socket.on("close", close).on("error", close);
  }

  /** Bytes answered and held back so far. */
  get heldBytes(): number {
    return (this.held ?? []).reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /** Stops passing the target's answers on: the client waits, as on a stalled network path; its requests still go. */
  hold(): void {
    this.held ??= [];
  }

  /** Passes on everything held, in the order it came, and lets answers flow again. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const chunk of held) this.client.write(chunk);
  }

  /** Resolves once `check` holds, looked at after each chunk either way; rejects if the connection closes first. */
  until(check: (connection: this) => boolean, what: string): Promise<void> {
    if (check(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { check: () => check(this), resolve, reject: (error: Error) => reject(new Error(`${what}: ${error.message}`)) };
      this.waiters.add(waiter);
    });
  }

  private changed(): void {
    for (const waiter of this.waiters) {
      if (waiter.check()) waiter.resolve();
      else if (this.closed) waiter.reject(new Error("the connection closed first"));
      else continue;
      this.waiters.delete(waiter);
    }
  }
}

export class TcpProxy {
  /** Every connection made through the proxy, in the order they were accepted. */
  readonly connections: ProxiedConnection[] = [];

  private constructor(
    private readonly server: net.Server,
    private readonly sockets: Set<net.Socket>,
  ) {}

  /** A proxy on a free loopback port to `target` (e.g. "redis://127.0.0.1:6379"; only its host and port count). */
  static start(target: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(target);
    const sockets = new Set<net.Socket>();
    const server = net.createServer();
    const proxy = new TcpProxy(server, sockets);
    server.on("connection", (client) => {
      const upstream = net.connect(Number(port), hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      }
      proxy.connections.push(new ProxiedConnection(client, upstream));
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(proxy));
    });
  }

  /** The URL to give the client, with `scheme` (e.g. "redis"). */
  url(scheme: string): string {
    return `${scheme}://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Closes the proxy and every connection through it, dropping what is held (release first to pass it on). */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
