// Whole HTTP responses of public shared-link views, kept in memory so a viral link skips GraphQL execution entirely.
// Only responses Apollo marked publicly cacheable are kept, and every link invalidation empties the cache.

export interface CachedResponse {
  status: number;
  headers: [string, string][];
  body: string;
  /** The shares the response shows: each hit counts a view of them. */
  shareIds: string[];
  /** Epoch ms after which the entry is stale (the cache hint's max-age, or a shown link's expiry if sooner). */
  staleAt: number;
}

export class PublicResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private bytes = 0;
  /** Bumped by every clear: a response computed before a clear is never stored after it. */
  generation = 0;

  constructor(private readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get(key: string, now = Date.now()): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.staleAt <= now) {
      this.bytes -= entry.body.length;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedResponse, computedAtGeneration: number): void {
    if (!this.enabled || computedAtGeneration !== this.generation || entry.body.length > this.maxBytes / 4) return;
    const previous = this.entries.get(key);
    if (previous) this.bytes -= previous.body.length;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.body.length;
    }
  }

  /** After any change to what a link shows, anywhere: coarse, but views vastly outnumber changes. */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.bytes = 0;
  }
}
