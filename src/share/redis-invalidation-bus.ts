// Cache invalidations between instances over Redis pub/sub: a revoke on one instance empties every instance's cache.
// Pub/sub delivers at most once and only to those subscribed at that moment, so the bus also says when the
// subscription drops and comes back (the cache stops trusting itself meanwhile), and retries a failed publish; what
// is still lost is covered by the cache's age bound.
import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import type { Logger } from "../common/logger";
import { within } from "../common/redis";
import type { Invalidation, InvalidationBus } from "./snapshot-cache";

/** How long a mutation waits for its publish before answering anyway (Redis paused or unreachable). */
const PUBLISH_WAIT_MS = 1000;
const FIRST_RETRY_MS = 250;

export class RedisInvalidationBus implements InvalidationBus {
  // Each instance ignores its own messages: it forgot before publishing.
  private readonly origin = randomUUID();
  private readonly channel: string;
  subscribed = false;

  /** `retryForMs`: how long a failed publish is retried; past the caches' age bound, retrying serves no one. */
  constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
    keyPrefix: string,
    private readonly retryForMs: number,
  ) {
    this.channel = `${keyPrefix}:link-cache`;
  }

  async publish(event: Invalidation): Promise<void> {
    const message = JSON.stringify({ origin: this.origin, event });
    if (!(await this.tryPublish(message))) this.retryLater(message, Date.now() + this.retryForMs, FIRST_RETRY_MS);
  }

  subscribe(apply: (event: Invalidation) => void, connected: (up: boolean) => void): void {
    this.subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const { origin, event } = JSON.parse(message) as { origin: string; event: Invalidation };
        if (origin !== this.origin) apply(event);
      } catch (error) {
        this.logger.warn("ignored a malformed cache invalidation", { error: String(error) });
      }
    });
    this.subscriber.on("close", () => {
      if (!this.subscribed) return;
      this.subscribed = false;
      this.logger.warn("cache invalidation subscription lost: caches are not trusted until it is back");
      connected(false);
    });
    // ioredis subscribes again by itself on reconnect; ours is queued after that, so its answer means both are done.
    this.subscriber.on("ready", () => void this.join(connected));
    void this.join(connected);
  }

  /** Whether the subscription is up and its connection answers now. */
  async healthy(timeoutMs: number): Promise<boolean> {
    if (!this.subscribed) return false;
    return within(this.subscriber.ping(), timeoutMs).then(
      () => this.subscribed,
      () => false,
    );
  }

  private async join(connected: (up: boolean) => void): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.error("could not subscribe to cache invalidations", { error: String(error) });
      return;
    }
    if (this.subscribed || this.subscriber.status !== "ready") return;
    this.subscribed = true;
    this.logger.info("cache invalidation subscription up");
    connected(true);
  }

  private async tryPublish(message: string): Promise<boolean> {
    try {
      await within(this.commands.publish(this.channel, message), PUBLISH_WAIT_MS);
      return true;
    } catch (error) {
      this.logger.error("could not publish a cache invalidation; retrying", { error: String(error) });
      return false;
    }
  }

  // The write itself succeeded and has answered; other instances stop serving the old state when this gets through
  // or when their entries' age bound runs out, whichever comes first.
  private retryLater(message: string, deadline: number, delayMs: number): void {
    if (Date.now() + delayMs > deadline) {
      this.logger.warn("gave up publishing a cache invalidation: the caches' age bound covers it");
      return;
    }
    setTimeout(() => {
      void this.tryPublish(message).then((done) => done || this.retryLater(message, deadline, delayMs * 2));
    }, delayMs).unref();
  }
}
