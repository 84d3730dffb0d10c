// Counts link views in memory and writes them in batches, so the hot view path never writes to the database.
import type { EntityManager } from "typeorm";
import type { Logger } from "../common/logger";
import type { Transactions } from "../db/transactions";
import { Share } from "./share.entity";
import { utcDay } from "./share-event.entity";

export interface PendingViews {
  count: number;
  lastViewedAt: Date;
  /** The same views by UTC day (YYYY-MM-DD): one key, two across midnight. Nothing about the viewer. */
  byDay: Map<string, number>;
}

/** Each (share, day, views) of a batch, for the per-day rows. */
function dayRows(entries: [string, PendingViews][]): [string, string, number][] {
  return entries.flatMap(([id, views]) => [...views.byDay].map(([day, n]): [string, string, number] => [id, day, n]));
}

/** The per-day upsert both dialects accept; a share deleted since its views were counted is skipped, not an error. */
const ADD_DAY_SQL = (source: string) => `INSERT INTO share_view_days (share_id, day, views) ${source}
  ON CONFLICT (share_id, day) DO UPDATE SET views = share_view_days.views + excluded.views`;

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
  const days = dayRows(entries);
  // The rows are locked above, so the join cannot lose a share to a concurrent delete.
  await manager.query(
    ADD_DAY_SQL(`SELECT v.id, v.day, v.n FROM unnest($1::varchar[], $2::varchar[], $3::int[]) AS v(id, day, n) JOIN shares s ON s.id = v.id`),
    [days.map((d) => d[0]), days.map((d) => d[1]), days.map((d) => d[2])],
  );
}

async function addOnSqlite(manager: EntityManager, entries: [string, PendingViews][]): Promise<void> {
  // SQLite runs in-process: a statement per share and day costs microseconds.
  for (const [id, views] of entries) {
    await manager.update(Share, { id }, { viewCount: () => `view_count + ${views.count}`, lastViewedAt: views.lastViewedAt });
  }
  for (const [id, day, n] of dayRows(entries)) {
    await manager.query(ADD_DAY_SQL(`SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM shares WHERE id = ?)`), [id, day, n, id]);
  }
}

function mergeDays(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const days = new Map(a);
  for (const [day, n] of b) days.set(day, (days.get(day) ?? 0) + n);
  return days;
}

export class ViewCounter {
  private pending = new Map<string, PendingViews>();
  /** The batch being written: still counted for owners until its transaction is done, or it would vanish meanwhile. */
  private inFlight = new Map<string, PendingViews>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly transactions: Transactions,
    private readonly logger: Logger,
    flushMs: number,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  record(shareId: string, at = new Date()): void {
    const day = utcDay(at);
    const entry = this.pending.get(shareId);
    if (entry) {
      entry.count++;
      entry.lastViewedAt = at;
      entry.byDay.set(day, (entry.byDay.get(day) ?? 0) + 1);
    } else {
      this.pending.set(shareId, { count: 1, lastViewedAt: at, byDay: new Map([[day, 1]]) });
    }
  }

  /** Views not yet written, so an owner reading the count sees every view so far. */
  pendingFor(shareId: string): PendingViews | undefined {
    const waiting = this.pending.get(shareId);
    const writing = this.inFlight.get(shareId);
    if (!writing || !waiting) return waiting ?? writing;
    return { count: waiting.count + writing.count, lastViewedAt: waiting.lastViewedAt, byDay: mergeDays(writing.byDay, waiting.byDay) };
  }

  /** Writes every batched view in one transaction: the totals on the shares, and the per-day rows. */
  flush(): Promise<void> {
    // One at a time: a slow flush must not be joined by the next tick's (the in-flight batch is one map).
    this.flushing ??= this.writeBatch().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async writeBatch(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.inFlight = batch;
    try {
      // In id order, so two flushes (of this instance or another) lock shared rows in the same order: no deadlock.
      const entries = [...batch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      await this.transactions.write(async (manager) => {
        return manager.connection.options.type === "postgres" ? addOnPostgres(manager, entries) : addOnSqlite(manager, entries);
      });
    } catch (error) {
      // Put them back so the next flush tries again; counts are approximate only if the process dies meanwhile.
      for (const [id, views] of batch) {
        const current = this.pending.get(id);
        this.pending.set(id, current ? { ...current, count: current.count + views.count, byDay: mergeDays(views.byDay, current.byDay) } : views);
      }
      this.logger.warn("could not write view counts", { error: String(error) });
    } finally {
      this.inFlight = new Map();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.flush(); // views recorded while an earlier flush was running
  }
}
