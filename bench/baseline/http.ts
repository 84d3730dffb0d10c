// The HTTP side both baselines share: node:http, POST /graphql with a view's JSON body, the link taken from
// `variables.link`, and the answer's bytes written as they are. No GraphQL, no ORM, no cache.
import http, { type IncomingMessage, type ServerResponse } from "node:http";

const MAX_BODY_BYTES = 1024 * 1024;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const baseUrl = process.env.SHARE_BASE_URL ?? "http://localhost:4000/share/";

/** The whole answer to a view: `{"data":{"sharedConversation":…}}` and Apollo's trailing newline. */
export type Answer = string | Buffer;

/** The token in a full link or a bare token, as ShareLinks.tokenOf accepts them; null for anything else. */
function tokenOf(link: string): string | null {
  const candidate = link.trim();
  if (TOKEN.test(candidate)) return candidate;
  if (candidate.startsWith(baseUrl) && TOKEN.test(candidate.slice(baseUrl.length))) return candidate.slice(baseUrl.length);
  return null;
}

function send(res: ServerResponse, status: number, body: Answer): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "access-control-allow-origin": "*",
  });
  res.end(body);
}

// Apollo ends its JSON with a newline; so do we, so both bodies are byte for byte the same.
const json = (value: unknown) => JSON.stringify(value) + "\n";
const badInput = (res: ServerResponse, message: string) => send(res, 400, json({ errors: [{ message, extensions: { code: "BAD_USER_INPUT" } }] }));

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function handleView(req: IncomingMessage, res: ServerResponse, answer: (token: string) => Answer): Promise<void> {
  const raw = await readBody(req);
  if (raw === null) return badInput(res, "The request body is too large.");
  let link: unknown;
  try {
    link = (JSON.parse(raw) as { variables?: { link?: unknown } }).variables?.link;
  } catch {
    return badInput(res, "The request body is not valid JSON.");
  }
  const token = typeof link === "string" ? tokenOf(link) : null;
  if (token === null) return badInput(res, "variables.link is not a share link or token.");
  send(res, 200, answer(token));
}

/** Serves views with `answer` on HOST:PORT until SIGTERM or SIGINT, then calls `close`. */
export function serveViews(name: string, answer: (token: string) => Answer, close: () => void): void {
  const server = http.createServer((req, res) => {
    if (req.url === "/healthz") return send(res, 200, json({ status: "ok" }));
    if (req.method !== "POST" || req.url !== "/graphql") return send(res, 404, json({ error: "Only POST /graphql (a view) and /healthz." }));
    handleView(req, res, answer).catch((error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (!res.headersSent) send(res, 500, json({ errors: [{ message: "Internal server error." }] }));
      else res.destroy();
    });
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    process.stderr.write(`${name} listening on http://${process.env.HOST ?? "127.0.0.1"}:${port}/graphql\n`);
  });
}

/** The database file of DATABASE_URL=sqlite:<path>, as our server reads it. */
export function sqlitePath(url: string | undefined, name = "DATABASE_URL"): string {
  if (!url?.startsWith("sqlite:")) throw new Error(`${name} must be sqlite:<path>`);
  return url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
}
