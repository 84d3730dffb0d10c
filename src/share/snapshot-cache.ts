// Hot snapshots kept in memory, so a viral link costs no SQL; every write that changes what a link shows forgets it.
import type { SharedConversation } from "./shared-conversation.type";
import type { Snapshot } from "./share.entity";

/** A link that worked when it was read, with what it shows. */
export interface LiveLink {
  shareId: string;
  ownerId: string;
  conversationId: string;
  snapshot: Snapshot;
  view: SharedConversation;
  /** Checked at every read: a link may expire while cached. */
  expiresAt: Date | null;
}

/** What another instance must forget too. */
export type Invalidation = { kind: "shares"; ids: string[] } | { kind: "conversation"; id: string } | { kind: "owner"; id: string };

/** Carries invalidations between instances (Redis pub/sub); absent for a single instance. */
export interface InvalidationBus {
  /** Resolves once the other instances can receive it, so the write that caused it answers only after. */
  publish(event: Invalidation): Promise<void>;
  subscribe(apply: (event: Invalidation) => void): void;
}

export class SnapshotCache {
  // A Map keeps insertion order: re-inserting on every hit makes the first key the least recently used.
  private readonly entries = new Map<string, LiveLink>();
  /**
   * Bumped by every invalidation. A reader notes it before reading the database and caches what it read only if
   * no invalidation happened meanwhile, so a read that raced a revoke can never put the revoked link back.
   */
  generation = 0;

  /** Called on every lookup with whether it hit (for metrics). */
  onLookup: (hit: boolean) => void = () => {};
  /** Called on every invalidation, local or from another instance (the public response cache empties itself). */
  onInvalidate: () => void = () => {};

  constructor(
    private readonly maxEntries: number,
    private readonly bus?: InvalidationBus,
  ) {
    bus?.subscribe((event) => this.apply(event));
  }

  get(tokenHash: string): LiveLink | undefined {
    const link = this.entries.get(tokenHash);
    this.onLookup(link !== undefined);
    if (link) {
      this.entries.delete(tokenHash);
      this.entries.set(tokenHash, link);
    }
    return link;
  }

  set(tokenHash: string, link: LiveLink, readAtGeneration: number): void {
    if (this.maxEntries === 0 || readAtGeneration !== this.generation) return;
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, link);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** After a revoke, refresh, attribution change or moderation of these shares. */
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

  // Forgets here at once, then tells the other instances, which forget on receipt.
  private async announce(event: Invalidation): Promise<void> {
    this.apply(event);
    await this.bus?.publish(event);
  }

  private apply(event: Invalidation): void {
    this.onInvalidate();
    if (event.kind === "shares") {
      const ids = new Set(event.ids);
      this.forgetWhere((link) => ids.has(link.shareId));
    } else if (event.kind === "conversation") {
      this.forgetWhere((link) => link.conversationId === event.id);
    } else {
      this.forgetWhere((link) => link.ownerId === event.id);
    }
  }

  /** Whether other instances send invalidations (and readers should let them arrive first). */
  get shared(): boolean {
    return this.bus !== undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  // Invalidations are rare next to views, so a scan beats keeping secondary indexes in step.
  private forgetWhere(matches: (link: LiveLink) => boolean): void {
    this.generation++;
    for (const [key, link] of this.entries) if (matches(link)) this.entries.delete(key);
  }
}
