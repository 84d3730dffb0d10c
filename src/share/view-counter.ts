// Counts link views in memory and writes them in batches, so the hot view path never writes to the database.
import type { EntityManager } from "typeorm";
import type { Logger } from "../common/logger";
import type { Transactions } from "../db/transactions";
import { Share } from "./share.entity";

export interface PendingViews {
  count: number;
  lastViewedAt: Date;
}

/**
 * Two statements whatever the batch's size, where an UPDATE per share would cost a round trip each: lock the rows
 * in id order, then add every count from arrays.
 */
async function addOnPostgres(manager: EntityManager, entries: [string, PendingViews][]): Promise<void> {
  const ids = entries.map(([id]) => id);
  await manager.query(`SELECT id FROM shares WHERE id = ANY($1::varchar[]) ORDER BY id FOR UPDATE`, [ids]);
  await manager.query(
    // GREATEST: another instance's flush may carry older views than one already written (it ignores NULL).
    `UPDATE shares AS s SET view_count = s.view_count + v.n, last_viewed_at = GREATEST(s.last_viewed_at, v.at)
       FROM unnest($1::varchar[], $2::int[], $3::timestamptz[]) AS v(id, n, at)
      WHERE s.id = v.id`,
    [ids, entries.map(([, v]) => v.count), entries.map(([, v]) => v.lastViewedAt.toISOString())],
  );
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
      // In id order, so two flushes (of this instance or another) lock shared rows in the same order: no deadlock.
      const entries = [...batch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      await this.transactions.write(async (manager) => {
        if (manager.connection.options.type === "postgres") return addOnPostgres(manager, entries);
        // SQLite runs in-process: an UPDATE per share costs microseconds.
        for (const [id, views] of entries) {
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
