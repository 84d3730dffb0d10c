// Fixed-window rate limits per client key. Asynchronous so that a shared store (Redis) can replace the memory one.
import type Redis from "ioredis";
import { RateLimitedError } from "./errors";
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window resets; 0 when allowed. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  consume(key: string): Promise<RateDecision>;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async consume(key: string): Promise<RateDecision> {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (this.windows.size > 10_000) this.sweep(now);
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    if (window.count <= this.limit) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) };
  }

  // Bounds memory under a flood of distinct keys.
  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

/** The same fixed windows in Redis, so every instance counts against one allowance. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    /** Which allowance, with the deployment's key prefix. */
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async consume(key: string): Promise<RateDecision> {
    const now = Date.now();
    const window = Math.floor(now / this.windowMs);
    const redisKey = `${this.name}:${window}:${key}`;
    const [[, count]] = (await this.redis.multi().incr(redisKey).pexpire(redisKey, this.windowMs).exec()) as [[Error | null, number]];
    if (count <= this.limit) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000)) };
  }
}

const UNLIMITED: RateLimiter = { consume: async () => ({ allowed: true, retryAfterSeconds: 0 }) };

/** A limiter allowing `limit` events per window and key (in Redis when given, else in memory); 0 means no limit. */
export function createRateLimiter(name: string, limit: number, windowMs: number, redis?: { client: Redis; keyPrefix: string }): RateLimiter {
  if (limit === 0) return UNLIMITED;
  return redis ? new RedisRateLimiter(redis.client, `${redis.keyPrefix}:rate:${name}`, limit, windowMs) : new MemoryRateLimiter(limit, windowMs);
}

/** Counts one event for `key`, refusing it with RATE_LIMITED once the allowance is spent. */
export async function enforce(limiter: RateLimiter, key: string, what: string): Promise<void> {
  const decision = await limiter.consume(key);
  if (!decision.allowed) throw new RateLimitedError(what, decision.retryAfterSeconds);
}
