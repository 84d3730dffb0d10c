// Admission to a full cache. A cache of links in LRU order that is full must evict one entry for each it admits;
// when most reads are of links seen once (a crawler, a long tail), every new entry evicts an older one and is itself
// evicted unread, and building and then collecting those entries was a quarter of an uncached view's CPU and the
// source of its GC pauses (issue 17). So once full, a cache admits a key only on its second sighting while it is still
// remembered: a link read again within about as many distinct reads as the cache holds entries (the reads LRU would
// have kept it for anyway). Until full, everything is admitted, so a small working set behaves as plain LRU.
// Own code rather than a TinyLFU library: this is the doorkeeper part of TinyLFU alone (a dozen lines), beside the
// lru-cache the caches already use; no maintained package offers it on its own.
export class SecondSighting {
  /** Keys seen once lately, oldest first; at most as many as the cache holds entries. */
  private readonly seen = new Map<string, true>();

  /** Whether a full cache holding `held` entries should admit `key` now. */
  admits(key: string, held: number): boolean {
    if (this.seen.delete(key)) return true;
    this.seen.set(key, true);
    for (const oldest of this.seen.keys()) {
      if (this.seen.size <= Math.max(held, 1)) break;
      this.seen.delete(oldest);
    }
    return false;
  }
}
