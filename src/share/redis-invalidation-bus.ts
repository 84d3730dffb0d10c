// Cache invalidations between instances over Redis pub/sub: a revoke on one instance empties every instance's cache.
import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import type { Logger } from "../common/logger";
import type { Invalidation, InvalidationBus } from "./snapshot-cache";


export class RedisInvalidationBus implements InvalidationBus {
  // Each instance ignores its own messages: it forgot before publishing.
  private readonly origin = randomUUID();

  private readonly channel: string;

  constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
    keyPrefix: string,
  ) {
    this.channel = `${keyPrefix}:link-cache`;
  }

  async publish(event: Invalidation): Promise<void> {
    try {
      await this.commands.publish(this.channel, JSON.stringify({ origin: this.origin, event }));
    } catch (error) {
      // The write itself succeeded; other instances serve the old state until the entry is evicted or expires.
      this.logger.error("could not publish a cache invalidation", { error: String(error) });
    }
  }

  subscribe(apply: (event: Invalidation) => void): void {
    this.subscriber.subscribe(this.channel).catch((error: unknown) => this.logger.error("could not subscribe to cache invalidations", { error: String(error) }));
    this.subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const { origin, event } = JSON.parse(message) as { origin: string; event: Invalidation };
        if (origin !== this.origin) apply(event);
      } catch (error) {
        this.logger.warn("ignored a malformed cache invalidation", { error: String(error) });
      }
    });
  }
}
