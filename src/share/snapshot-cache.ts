// Hot snapshots kept in memory, so a viral link costs no SQL; every write that changes what a link shows forgets it.
//
// Staleness bound: an entry is trusted for `maxAgeMs` (SHARE_CACHE_MAX_AGE_SECONDS) after the primary last confirmed
// it; after that the reader revalidates it with one small indexed read before serving it again. Invalidations that
// arrive are applied at once, so the bound matters only when one is lost (Redis down, a subscriber reconnecting, a
// failed publish). While the invalidation subscriber is away, nothing is trusted or stored, and everything is
// dropped when it goes and again when it is back. Byte bound: `maxBytes` (SNAPSHOT_CACHE_MAX_BYTES) in all, and a
// snapshot larger than an eighth of it is not cached at all. Once full, a link is kept from its second read on
// (see second-sighting.ts).
import { LRUCache } from "lru-cache";
import { SecondSighting } from "./second-sighting";
import type { SharedConversation } from "./shared-conversation.type";
import type { ShareAttribution, ShareAudience, Snapshot } from "./share.entity";

/** A link that worked when it was read, with what it shows. */
export interface LiveLink {
  shareId: string;
  ownerId: string;
  conversationId: string;
  snapshot: Snapshot;
  view: SharedConversation;
  attribution: ShareAttribution;
  /** Who may see `view`: checked by the reader on every read, cached or not. */
  audience: ShareAudience;
  /** Checked at every read: a link may expire while cached. */
  expiresAt: Date | null;
  /** Roughly what it holds in memory (the snapshot's JSON, twice for UTF-16), for the byte bound. */
  bytes: number;
}

/** A cached link and until when it may be served without asking the primary again (epoch ms). */
export interface CachedLink {
  link: LiveLink;
  trustedUntil: number;
}

/** What another instance must forget too. */
export type Invalidation = { kind: "shares"; ids: string[] } | { kind: "conversation"; id: string } | { kind: "owner"; id: string };

/** Carries invalidations between instances (Redis pub/sub); absent for a single instance. */
export interface InvalidationBus {
  /** Resolves once the other instances can receive it (or it was handed to retries), so the write answers after. */
  publish(event: Invalidation): Promise<void>;
  /**
   * `apply` hears every other instance's invalidation; `connected` hears whether the subscription is up: false as
   * soon as it drops (messages may be lost from then on), true once it is subscribed again.
   */
  subscribe(apply: (event: Invalidation) => void, connected: (up: boolean) => void): void;
  /** Whether the subscription is up now. */
  readonly subscribed: boolean;
}

export interface SnapshotCacheOptions {
  maxEntries: number;
  maxBytes: number;
  /** How long an entry is served without asking the primary again. */
  maxAgeMs: number;
  now?: () => number;
  /** Called on every lookup with whether it hit (for metrics). */
  onLookup?: (hit: boolean) => void;
  /** Called on every invalidation, local or from another instance, and when trust is lost or regained. */
  onInvalidate?: () => void;
}

export class SnapshotCache {
  private readonly entries?: LRUCache<string, CachedLink>;
  private readonly now: () => number;
  private readonly sightings = new SecondSighting();
  /**
   * Bumped by every invalidation. A reader notes it before reading the database and caches what it read only if
   * no invalidation happened meanwhile, so a read that raced a revoke can never put the revoked link back.
   */
  generation = 0;

  constructor(
    private readonly options: SnapshotCacheOptions,
    private readonly bus?: InvalidationBus,
  ) {
    this.now = options.now ?? Date.now;
    if (options.maxEntries > 0 && options.maxBytes > 0) {
      this.entries = new LRUCache<string, CachedLink>({
        max: options.maxEntries,
        maxSize: options.maxBytes,
        maxEntrySize: Math.floor(options.maxBytes / 8),
        sizeCalculation: (entry) => Math.max(1, entry.link.bytes),
      });
    }
    bus?.subscribe(
      (event) => this.apply(event),
      () => this.dropAll(),
    );
  }

  /** Whether what is cached may be served: always alone, and with other instances only while their news can reach us. */
  get trusted(): boolean {
    return this.bus === undefined || this.bus.subscribed;
  }

  /** Whether other instances send invalidations (and readers should let them arrive first). */
  get shared(): boolean {
    return this.bus !== undefined;
  }

  get maxAgeMs(): number {
    return this.options.maxAgeMs;
  }

  /** The cached link, fresh or due for revalidation (`trustedUntil` in the past); nothing while untrusted. */
  get(tokenHash: string): CachedLink | undefined {
    const entry = this.trusted ? this.entries?.get(tokenHash) : undefined;
    this.options.onLookup?.(entry !== undefined && entry.trustedUntil > this.now());
    return entry;
  }

  /** Keeps a link the primary confirmed just now, unless an invalidation happened since the read began. */
  set(tokenHash: string, link: LiveLink, readAtGeneration: number): void {
    if (!this.entries || !this.trusted || readAtGeneration !== this.generation) return;
    if (!this.entries.has(tokenHash) && this.isFullFor(link) && !this.sightings.admits(tokenHash, this.entries.size)) return;
    this.entries.set(tokenHash, { link, trustedUntil: this.now() + this.options.maxAgeMs });
  }

  /** Whether keeping `link` would evict another entry (see SecondSighting). */
  private isFullFor(link: LiveLink): boolean {
    const entries = this.entries!;
    return entries.size >= this.options.maxEntries || entries.calculatedSize + Math.max(1, link.bytes) > this.options.maxBytes;
  }

  /** Until when a link the primary confirmed just now may be served from any cache. */
  trustedUntilFromNow(): number {
    return this.trusted ? this.now() + this.options.maxAgeMs : this.now();
  }

  /** Forgets one link here only: revalidation found it dead. */
  delete(tokenHash: string): void {
    this.entries?.delete(tokenHash);
  }

  /** After a revoke, refresh, attribution or audience change, or moderation of these shares. */
  async forgetShares(shareIds: Iterable<string>): Promise<void> {
    const ids = [...shareIds];
    if (ids.length > 0) await this.announce({ kind: "shares", ids });
  }

  /** After a conversation is deleted. */
  forgetConversation(conversationId: string): Promise<void> {
    return this.announce({ kind: "conversation", id: conversationId });
  }

  /** After an owner renames themself (NAMED links show the name) or deactivates their account. */
  forgetOwner(ownerId: string): Promise<void> {
    return this.announce({ kind: "owner", id: ownerId });
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** Bytes held now, by the estimate the byte bound uses. */
  get bytes(): number {
    return this.entries?.calculatedSize ?? 0;
  }

  // Forgets here at once, then tells the other instances, which forget on receipt.
  private async announce(event: Invalidation): Promise<void> {
    this.apply(event);
    await this.bus?.publish(event);
  }

  private apply(event: Invalidation): void {
    if (event.kind === "shares") {
      const ids = new Set(event.ids);
      this.forgetWhere((link) => ids.has(link.shareId));
    } else if (event.kind === "conversation") {
      this.forgetWhere((link) => link.conversationId === event.id);
    } else {
      this.forgetWhere((link) => link.ownerId === event.id);
    }
  }

  // The subscription dropped (invalidations may be lost from now on) or came back (some may have been): either way
  // nothing cached before can be trusted.
  private dropAll(): void {
    this.generation++;
    this.entries?.clear();
    this.options.onInvalidate?.();
  }

  // Invalidations are rare next to views, so a scan beats keeping secondary indexes in step.
  private forgetWhere(matches: (link: LiveLink) => boolean): void {
    this.generation++;
    this.options.onInvalidate?.();
    if (!this.entries) return;
    const doomed = [...this.entries.entries()].filter(([, entry]) => matches(entry.link)).map(([key]) => key);
    for (const key of doomed) this.entries.delete(key);
  }
}
