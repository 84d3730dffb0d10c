// Fixed-window rate limits per client key: in Redis when instances share one (rate-limiter-flexible), else in memory.
import type Redis from "ioredis";
import { LRUCache } from "lru-cache";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitedError } from "./errors";
import type { Logger } from "./logger";

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window resets; 0 when allowed. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  consume(key: string): Promise<RateDecision>;
}

interface Window {
  count: number;
  resetAt: number;
}

/** What one remembered key costs: the key's characters (two bytes each at worst), the window object, the map entry. */
function entryBytes(key: string): number {
  return 2 * key.length + 96;
}

/**
 * Windows in an LRU bounded in bytes (`maxBytes`). A window is only ever replaced, never refreshed by a read
 * (`peek`), so the least recently used is the window closest to its end, and that one is forgotten first: a flood of
 * distinct keys costs that flood's keys a fresh window, never unbounded memory. Kept over the library's
 * RateLimiterMemory, which has no bound at all.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows: LRUCache<string, Window>;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new LRUCache<string, Window>({ maxSize: maxBytes, sizeCalculation: (_window, key) => entryBytes(key) });
  }

  async consume(key: string): Promise<RateDecision> {
    const now = this.now();
    let window = this.windows.peek(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    if (window.count <= this.limit) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) };
  }

  /** Bytes held now (for tests and the memory budget). */
  get size(): { keys: number; bytes: number } {
    return { keys: this.windows.size, bytes: this.windows.calculatedSize };
  }
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

/** Points of a key's window taken from Redis ahead and spent here, until that window ends. */
interface Lease {
  left: number;
}

// An instance takes points from Redis a hundredth of the allowance at a time: a busy key (one address viewing
// hundreds of links a minute) costs Redis a round trip per chunk instead of per event. Allowances under 200 take
// one point at a time, exactly as before.
const LEASE_FRACTION = 100;

/**
 * The same fixed windows in Redis, so every instance counts against one allowance: rate-limiter-flexible's atomic
 * Lua script. While Redis cannot answer, each instance counts in its own bounded memory instead (fail open to a
 * per-instance limit, the library's "insurance limiter" design) rather than failing the request.
 *
 * Points are leased in chunks of 1% of the allowance (see LEASE_FRACTION): Redis counts a whole chunk when it is
 * taken, so instances together never allow more than the limit; what a lease leaves unspent when its window ends
 * (at most 1% per instance and key) is lost to that window, and a refused chunk near the end of an allowance may
 * refuse up to 1% early. Leases stay in memory no longer than their window and within `memoryMaxBytes`; one that
 * is forgotten early only costs another round trip.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly store: RateLimiterRedis;
  private degraded = false;
  private readonly chunk: number;
  private readonly leases: LRUCache<string, Lease>;
  /** One lease request per key at a time: concurrent events of a key wait for it instead of each taking a chunk. */
  private readonly pending = new Map<string, Promise<RateDecision>>();

  constructor(
    redis: Redis,
    /** Which allowance, with the deployment's key prefix. */
    keyPrefix: string,
    limit: number,
    windowMs: number,
    private readonly insurance: RateLimiter,
    private readonly logger?: Logger,
    memoryMaxBytes = 1024 * 1024,
  ) {
    // rejectIfRedisNotReady: while disconnected, go to the insurance at once instead of queueing behind reconnects.
    this.store = new RateLimiterRedis({ storeClient: redis, keyPrefix, points: limit, duration: Math.ceil(windowMs / 1000), rejectIfRedisNotReady: true });
    this.chunk = Math.max(1, Math.floor(limit / LEASE_FRACTION));
    this.leases = new LRUCache<string, Lease>({ maxSize: memoryMaxBytes, sizeCalculation: (_lease, key) => entryBytes(key) });
  }

  async consume(key: string): Promise<RateDecision> {
    if (this.chunk === 1) return this.take(key);
    if (this.spendLease(key)) return ALLOWED;
    const pending = this.pending.get(key);
    if (pending) {
      const decision = await pending;
      // The lease just taken may cover this event too; a refusal holds for everyone who waited on it.
      if (this.spendLease(key)) return ALLOWED;
      if (!decision.allowed) return decision;
    }
    const taking = this.take(key).finally(() => {
      if (this.pending.get(key) === taking) this.pending.delete(key);
    });
    this.pending.set(key, taking);
    return taking;
  }

  private spendLease(key: string): boolean {
    const lease = this.leases.get(key);
    if (!lease || lease.left === 0) return false;
    lease.left--;
    return true;
  }

  private async take(key: string): Promise<RateDecision> {
    try {
      const res = await this.store.consume(key, this.chunk);
      this.recovered();
      // This event spends the first point; the lease lasts as long as the window Redis counted it in.
      if (this.chunk > 1 && res.msBeforeNext > 0) this.leases.set(key, { left: this.chunk - 1 }, { ttl: res.msBeforeNext });
      return ALLOWED;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) {
        this.recovered();
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
      }
      if (!this.degraded) this.logger?.warn("rate limits counted in memory: Redis did not answer", { error: String(outcome) });
      this.degraded = true;
      return this.insurance.consume(key);
    }
  }

  private recovered(): void {
    if (this.degraded) this.logger?.info("rate limits counted in Redis again");
    this.degraded = false;
  }
}

const UNLIMITED: RateLimiter = { consume: async () => ({ allowed: true, retryAfterSeconds: 0 }) };

export interface RateLimiterStores {
  /** Bytes each in-memory store may hold (the memory limiter, or Redis's insurance). */
  memoryMaxBytes: number;
  redis?: { client: Redis; keyPrefix: string };
  logger?: Logger;
}

/** A limiter allowing `limit` events per window and key (in Redis when given, else in memory); 0 means no limit. */
export function createRateLimiter(name: string, limit: number, windowMs: number, stores: RateLimiterStores): RateLimiter {
  if (limit === 0) return UNLIMITED;
  const memory = new MemoryRateLimiter(limit, windowMs, stores.memoryMaxBytes);
  if (!stores.redis) return memory;
  return new RedisRateLimiter(stores.redis.client, `${stores.redis.keyPrefix}:rate:${name}`, limit, windowMs, memory, stores.logger, stores.memoryMaxBytes);
}

/** Counts one event for `key`, refusing it with RATE_LIMITED once the allowance is spent. */
export async function enforce(limiter: RateLimiter, key: string, what: string): Promise<void> {
  const decision = await limiter.consume(key);
  if (!decision.allowed) throw new RateLimitedError(what, decision.retryAfterSeconds);
}
