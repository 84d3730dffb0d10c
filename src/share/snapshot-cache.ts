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

export class SnapshotCache {
  // A Map keeps insertion order: re-inserting on every hit makes the first key the least recently used.
  private readonly entries = new Map<string, LiveLink>();
  /**
   * Bumped by every invalidation. A reader notes it before reading the database and caches what it read only if
   * no invalidation happened meanwhile, so a read that raced a revoke can never put the revoked link back.
   */
  generation = 0;

  constructor(private readonly maxEntries: number) {}

  get(tokenHash: string): LiveLink | undefined {
    const link = this.entries.get(tokenHash);
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
  forgetShares(shareIds: Iterable<string>): void {
    const ids = new Set(shareIds);
    if (ids.size > 0) this.forgetWhere((link) => ids.has(link.shareId));
  }

  /** After a conversation is deleted. */
  forgetConversation(conversationId: string): void {
    this.forgetWhere((link) => link.conversationId === conversationId);
  }

  /** After an owner renames themself (NAMED links show the name) or deactivates their account. */
  forgetOwner(ownerId: string): void {
    this.forgetWhere((link) => link.ownerId === ownerId);
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
