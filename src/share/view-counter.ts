// Counts link views in memory and writes them in batches, so the hot view path never writes to the database.
import type { Logger } from "../common/logger";
import type { Transactions } from "../db/transactions";
import { Share } from "./share.entity";

export interface PendingViews {
  count: number;
  lastViewedAt: Date;
}

export class ViewCounter {
  private pending = new Map<string, PendingViews>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly transactions: Transactions,
    private readonly logger: Logger,
    flushMs: number,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  record(shareId: string, at = new Date()): void {
    const entry = this.pending.get(shareId);
    if (entry) {
      entry.count++;
      entry.lastViewedAt = at;
    } else {
      this.pending.set(shareId, { count: 1, lastViewedAt: at });
    }
  }

  /** Views not yet written, so an owner reading the count sees every view so far. */
  pendingFor(shareId: string): PendingViews | undefined {
    return this.pending.get(shareId);
  }

  /** Writes every batched view in one transaction: one UPDATE per share viewed since the last flush. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.transactions.write(async (manager) => {
        // In id order, so two flushes (of this instance or another) lock shared rows in the same order: no deadlock.
        for (const [id, views] of [...batch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          await manager.update(Share, { id }, { viewCount: () => `view_count + ${views.count}`, lastViewedAt: views.lastViewedAt });
        }
      });
    } catch (error) {
      // Put them back so the next flush tries again; counts are approximate only if the process dies meanwhile.
      for (const [id, views] of batch) {
        const current = this.pending.get(id);
        this.pending.set(id, current ? { count: current.count + views.count, lastViewedAt: current.lastViewedAt } : views);
      }
      this.logger.warn("could not write view counts", { error: String(error) });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
