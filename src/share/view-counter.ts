// Counts link views in memory and writes them in batches, so the hot view path never writes to the database.
import type { EntityManager } from "typeorm";
import type { Logger } from "../common/logger";
import type { Transactions } from "../db/transactions";
import { timestampParam } from "../db/dialect";
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
 * The totals upsert, into their narrow table: the wide shares row (its snapshot) is never rewritten by a view.
 * `later` is the dialect's later of two times; another instance's flush may carry older views than one already written.
 */
const ADD_TOTAL_SQL = (source: string, later: string) => `INSERT INTO share_view_totals (share_id, view_count, last_viewed_at) ${source}
  ON CONFLICT (share_id) DO UPDATE SET view_count = share_view_totals.view_count + excluded.view_count,
    last_viewed_at = ${later}`;

/**
 * Three statements whatever the batch's size, where a statement per share would cost a round trip each: lock the
 * shares in id order against deletion, then add every count from arrays. Answers the transaction's id, by which a
 * COMMIT that got no answer is looked up; none when no share was left to count (then nothing is written).
 */
async function addOnPostgres(manager: EntityManager, entries: [string, PendingViews][]): Promise<string | undefined> {
  const ids = entries.map(([id]) => id);
  // KEY SHARE blocks only a delete (which would fail the inserts' foreign key check) and lets owners' updates of the
  // link through; a share deleted before the lock is skipped here and by the joins below, which run after it.
  const locked: { xid: string }[] = await manager.query(
    `SELECT id, txid_current()::text AS xid FROM shares WHERE id = ANY($1::varchar[]) ORDER BY id FOR KEY SHARE`,
    [ids],
  );
  await manager.query(
    // In id order, so two flushes meet on their first common row and the second waits there: no deadlock.
    // GREATEST ignores NULL.
    ADD_TOTAL_SQL(
      `SELECT v.id, v.n, v.at FROM unnest($1::varchar[], $2::int[], $3::timestamptz[]) AS v(id, n, at) JOIN shares s ON s.id = v.id ORDER BY v.id`,
      "GREATEST(share_view_totals.last_viewed_at, excluded.last_viewed_at)",
    ),
    [ids, entries.map(([, v]) => v.count), entries.map(([, v]) => v.lastViewedAt.toISOString())],
  );
  const days = dayRows(entries);
  await manager.query(
    ADD_DAY_SQL(`SELECT v.id, v.day, v.n FROM unnest($1::varchar[], $2::varchar[], $3::int[]) AS v(id, day, n) JOIN shares s ON s.id = v.id`),
    [days.map((d) => d[0]), days.map((d) => d[1]), days.map((d) => d[2])],
  );
  return locked[0]?.xid;
}

function mergeDays(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const days = new Map(a);
  for (const [day, n] of b) days.set(day, (days.get(day) ?? 0) + n);
  return days;
}

/** Rows of a JSON array of arrays whose share still exists (its primary key index answers, not its wide row). */
const LIVE_JSON_ROWS = (columns: string) => `SELECT ${columns} FROM json_each(?) WHERE EXISTS (SELECT 1 FROM shares WHERE id = value ->> 0)`;

/**
 * One statement per batch on SQLite too: TypeORM's update() per share cost ~50 µs of CPU each, and thousands of
 * them after a busy interval held the event loop (SQLite is synchronous) for a hundred milliseconds and more.
 */
async function addOnSqlite(manager: EntityManager, entries: [string, PendingViews][]): Promise<void> {
  await manager.query(
    // The times are text of one format, so max() orders them; it answers NULL if either is, hence the coalesce.
    ADD_TOTAL_SQL(
      LIVE_JSON_ROWS("value ->> 0, value ->> 1, value ->> 2"),
      "max(coalesce(share_view_totals.last_viewed_at, excluded.last_viewed_at), excluded.last_viewed_at)",
    ),
    [JSON.stringify(entries.map(([id, v]) => [id, v.count, timestampParam(manager.connection, v.lastViewedAt)]))],
  );
  await manager.query(ADD_DAY_SQL(LIVE_JSON_ROWS("value ->> 0, value ->> 1, value ->> 2")), [JSON.stringify(dayRows(entries))]);
}

function settleable(): { done: Promise<void>; settle: () => void } {
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  return { done, settle };
}

// A flush writes this many shares per transaction and lets other requests in between, so no batch holds the
// event loop (or PostgreSQL's row locks) for long.
const FLUSH_CHUNK = 500;

export class ViewCounter {
  private pending = new Map<string, PendingViews>();
  /** The batch being written: still counted for owners until its transaction is done, or it would vanish meanwhile. */
  private inFlight = new Map<string, PendingViews>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** The chunk being written, from its first statement (when readers may start to see it) until it leaves `inFlight`. */
  private writing: { done: Promise<void>; settle: () => void } | undefined;
  /** Moves each time a chunk leaves `inFlight`, written or put back. */
  private generation = 0;

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

  /**
   * Runs `read` of written views (totals, per-day rows) so that what it returns and pendingFor() agree, running it
   * again if a chunk of this instance was written meanwhile. On PostgreSQL a read on another connection may see a
   * chunk committed before this process hears that its COMMIT succeeded (the chunk then counts twice: written and
   * in flight), or read before the commit and be added to pendingFor() after the chunk left it (counted never).
   */
  async consistently<T>(read: () => Promise<T>): Promise<T> {
    for (;;) {
      if (this.writing) {
        await this.writing.done;
        continue;
      }
      const generation = this.generation;
      const result = await read();
      if (!this.writing && this.generation === generation) return result;
    }
  }

  /** Writes every batched view: the totals and the per-day rows, FLUSH_CHUNK shares per transaction. */
  flush(): Promise<void> {
    // One at a time (the batch being written is one map): a flush asked for during another runs right after it,
    // so everything counted before the call is written when its promise resolves.
    const next = (this.flushing ?? Promise.resolve()).then(() => this.writeBatch());
    this.flushing = next;
    void next.finally(() => {
      if (this.flushing === next) this.flushing = undefined;
    });
    return next;
  }

  private async writeBatch(): Promise<void> {
    if (this.pending.size === 0) return;
    this.inFlight = this.pending;
    this.pending = new Map();
    // In id order, so two flushes (of this instance or another) lock shared rows in the same order: no deadlock.
    const entries = [...this.inFlight].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    try {
      for (let start = 0; start < entries.length; start += FLUSH_CHUNK) {
        if (start > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = entries.slice(start, start + FLUSH_CHUNK);
        let xid: string | undefined;
        let committing = false;
        try {
          await this.transactions.write(async (manager) => {
            this.writing ??= settleable();
            committing = false;
            if (manager.connection.options.type === "postgres") xid = await addOnPostgres(manager, chunk);
            else await addOnSqlite(manager, chunk);
            committing = true;
          });
          for (const [id] of chunk) this.inFlight.delete(id);
        } catch (error) {
          // A COMMIT that got no answer (PostgreSQL's connection went meanwhile) may have committed all the same: put
          // back, the chunk would be counted twice. PostgreSQL tells which; readers wait meanwhile (`writing`).
          if (committing && xid !== undefined && (await this.transactions.outcome(xid)) === "committed") {
            for (const [id] of chunk) this.inFlight.delete(id);
            this.logger.warn("view counts written, though the answer to their commit was lost", { error: String(error) });
            continue;
          }
          // Put the rest back so the next flush tries again; counts are approximate only if the process dies meanwhile,
          // or if a commit's answer was lost and what became of it could not be told (then they may count twice).
          this.putBack(entries.slice(start));
          this.logger.warn("could not write view counts", { error: String(error) });
          return;
        } finally {
          const chunkWritten = this.writing;
          this.writing = undefined;
          this.generation++;
          chunkWritten?.settle();
        }
      }
    } finally {
      this.inFlight = new Map();
    }
  }

  private putBack(entries: [string, PendingViews][]): void {
    for (const [id, views] of entries) {
      const current = this.pending.get(id);
      this.pending.set(id, current ? { ...current, count: current.count + views.count, byDay: mergeDays(views.byDay, current.byDay) } : views);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
