// Every write goes through here. On SQLite, one transaction at a time per process, because TypeORM shares a single
// connection and a second BEGIN on it fails ("cannot start a transaction within a transaction") or, worse, a plain
// write would silently join someone else's transaction and roll back with it. On PostgreSQL each transaction has a
// pooled connection of its own, so several run at once (up to a limit that leaves the rest of the pool to reads),
// exactly as several instances' transactions do. Writers can then race; a transaction that loses on a unique
// constraint is run again, and since every write here checks before it writes, the second run sees the winner and
// answers accordingly. One that PostgreSQL aborts as a deadlock victim or serialization failure is run again too.
import type { DataSource, EntityManager } from "typeorm";

const ATTEMPTS = 4;
/** Tries at a checkpoint that a reader elsewhere (a backup, the migration CLI) keeps from finishing; each waits the busy timeout. */
const CHECKPOINT_ATTEMPTS = 2;

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}

/** A unique or primary-key violation, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** A transaction PostgreSQL rolled back so that another could go on: running it again is the documented remedy. */
function isTransient(error: unknown): boolean {
  const code = errorCode(error);
  return code === "40001" || code === "40P01";
}

/** How many write transactions may run at once: one on SQLite; on PostgreSQL, half the pool (reads keep the rest). */
export function writeConcurrency(dataSource: DataSource): number {
  if (dataSource.options.type !== "postgres") return 1;
  const pool = (dataSource.options.extra as { max?: number } | undefined)?.max ?? 10;
  return Math.max(1, Math.floor(pool / 2));
}

export class Transactions {
  private running = 0;
  /** Writes waiting for a slot, first come first served. */
  private readonly waiting: (() => void)[] = [];
  /** A checkpoint after a delete could not finish; the next write tries again. */
  private checkpointOwed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly concurrency = writeConcurrency(dataSource),
    /** Told when a checkpoint after a delete could not finish (deleted bytes stay in the WAL until the next write). */
    private readonly onCheckpointBusy?: () => void,
  ) {
    if (dataSource.options.type !== "postgres" && concurrency !== 1) throw new Error("SQLite writes must run one at a time");
  }

  /** Runs `work` in its own transaction once a slot is free; on SQLite, after every write queued before it has finished. */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.acquire()
      .then(() => this.attempt(work, 1))
      .then((result) => (this.checkpointOwed ? this.checkpoint().then(() => result) : result))
      .finally(() => this.release());
  }

  /**
   * Like `write`, for a transaction that deletes content: on SQLite it answers only once the WAL has been copied
   * into the database file and truncated, so (with secure_delete) the deleted bytes are in neither file. The
   * checkpoint runs while this write still holds the queue, so no other write adds frames in between.
   * PostgreSQL keeps dead tuples until VACUUM; SECURITY.md says what an operator does about it.
   */
  erase<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.acquire()
      .then(() => this.attempt(work, 1))
      .then(async (result) => {
        this.checkpointOwed = this.dataSource.options.type !== "postgres";
        await this.checkpoint();
        return result;
      })
      .finally(() => this.release());
  }

  /**
   * What became of PostgreSQL transaction `xid` whose COMMIT got no answer (its connection went meanwhile), asked on
   * another connection, again while its backend is still finishing, for up to `waitMs`; undefined if it cannot tell.
   */
  async outcome(xid: string, waitMs = 5000): Promise<"committed" | "aborted" | undefined> {
    for (const until = Date.now() + waitMs; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
      const [row] = (await this.dataSource.query(`SELECT txid_status($1::bigint) AS status`, [xid]).catch(() => [])) as { status?: string }[];
      if (row?.status === "committed" || row?.status === "aborted") return row.status;
      if (Date.now() > until) return undefined;
    }
  }

  // TRUNCATE cannot finish while another connection reads an older snapshot of the WAL: SQLite's busy handler waits
  // for it up to the busy timeout, once per try. A delete that committed never fails for this (the mutation answers
  // and the log says so); the debt stays and the next write pays it.
  private async checkpoint(): Promise<void> {
    for (let attempt = 1; attempt <= CHECKPOINT_ATTEMPTS; attempt++) {
      const [row] = (await this.dataSource.query("PRAGMA wal_checkpoint(TRUNCATE)").catch(() => [])) as { busy: number }[];
      if (row?.busy === 0) {
        this.checkpointOwed = false;
        return;
      }
    }
    this.onCheckpointBusy?.();
  }

  // One event-loop turn before each transaction (never inside one): better-sqlite3 answers synchronously, so a long
  // queue would otherwise hold off signals, health checks and link views until it is empty.
  private acquire(): Promise<void> {
    if (this.running < this.concurrency && this.waiting.length === 0) {
      this.running++;
      return new Promise((resolve) => setImmediate(resolve));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot straight to the next waiting write, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) setImmediate(next);
    else this.running--;
  }

  private async attempt<T>(work: (manager: EntityManager) => Promise<T>, attempt: number): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (attempt < ATTEMPTS && (isUniqueViolation(error) || isTransient(error))) {
        // A little jitter, so two writers that collided do not collide again in step.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
        return this.attempt(work, attempt + 1);
      }
      throw error;
    }
  }
}
