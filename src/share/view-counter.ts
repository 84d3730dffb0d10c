// Counts link views in memory and writes them in batches, so the hot view path never writes to the database.
import type { EntityManager } from "typeorm";
import type { Logger } from "../common/logger";
import type { Transactions } from "../db/transactions";

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

/** SQLite's datetime text as TypeORM writes it on better-sqlite3: UTC, "YYYY-MM-DD HH:MM:SS.SSS". */
const sqliteTime = (at: Date) => at.toISOString().replace("T", " ").slice(0, 23);

/**
 * One statement per batch on SQLite too: TypeORM's update() per share cost ~50 µs of CPU each, and thousands of
 * them after a busy interval held the event loop (SQLite is synchronous) for a hundred milliseconds and more.
 */
async function addOnSqlite(manager: EntityManager, entries: [string, PendingViews][]): Promise<void> {
  await manager.query(
    `UPDATE shares SET view_count = shares.view_count + v.n, last_viewed_at = v.at
       FROM (SELECT value ->> 0 AS id, value ->> 1 AS n, value ->> 2 AS at FROM json_each(?)) AS v
      WHERE shares.id = v.id`,
    [JSON.stringify(entries.map(([id, v]) => [id, v.count, sqliteTime(v.lastViewedAt)]))],
  );
}

// A flush writes this many shares per transaction and lets other requests in between, so no batch holds the
// event loop (or PostgreSQL's row locks) for long.
const FLUSH_CHUNK = 500;

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

  /** Writes every batched view, FLUSH_CHUNK shares per transaction of two statements at most. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    // In id order, so two flushes (of this instance or another) lock shared rows in the same order: no deadlock.
    const entries = [...batch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (let start = 0; start < entries.length; start += FLUSH_CHUNK) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const chunk = entries.slice(start, start + FLUSH_CHUNK);
      try {
        await this.transactions.write((manager) => (manager.connection.options.type === "postgres" ? addOnPostgres : addOnSqlite)(manager, chunk));
      } catch (error) {
        // Put the rest back so the next flush tries again; counts are approximate only if the process dies meanwhile.
        this.putBack(entries.slice(start));
        this.logger.warn("could not write view counts", { error: String(error) });
        return;
      }
    }
  }

  private putBack(entries: [string, PendingViews][]): void {
    for (const [id, views] of entries) {
      const current = this.pending.get(id);
      this.pending.set(id, current ? { count: current.count + views.count, lastViewedAt: current.lastViewedAt } : views);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
