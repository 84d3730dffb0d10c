// Every write goes through here: one transaction at a time, because TypeORM shares a single SQLite connection
// and a second BEGIN on it fails ("cannot start a transaction within a transaction") or, worse, a plain write
// would silently join someone else's transaction and roll back with it.
import type { DataSource, EntityManager } from "typeorm";

export class Transactions {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in its own transaction after every write queued before it has finished. */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
