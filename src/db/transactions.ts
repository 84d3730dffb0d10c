// Every write goes through here: one transaction at a time per process, because TypeORM shares a single SQLite
// connection and a second BEGIN on it fails ("cannot start a transaction within a transaction") or, worse, a plain
// write would silently join someone else's transaction and roll back with it. Across processes (PostgreSQL with
// several instances) two writers can still race; a transaction that loses on a unique constraint is run again,
// and since every write here checks before it writes, the second run sees the winner and answers accordingly.
import type { DataSource, EntityManager } from "typeorm";

const ATTEMPTS = 4;

/** A unique or primary-key violation, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

export class Transactions {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in its own transaction after every write queued before it has finished. */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    // One event-loop turn between transactions (never inside one): better-sqlite3 answers synchronously, so a long
    // queue would otherwise hold off signals, health checks and link views until it is empty.
    const result = this.tail.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.attempt(work, 1));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async attempt<T>(work: (manager: EntityManager) => Promise<T>, attempt: number): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (attempt < ATTEMPTS && isUniqueViolation(error)) {
        // A little jitter, so two instances that collided do not collide again in step.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
        return this.attempt(work, attempt + 1);
      }
      throw error;
    }
  }
}
