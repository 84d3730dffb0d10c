// Applies pending migrations; on PostgreSQL under an advisory lock, so several instances starting together run them once.
import type { DataSource } from "typeorm";

/** An arbitrary constant naming "chat-share migrations" among PostgreSQL advisory locks. */
const MIGRATION_LOCK = 72_717_363;

export async function runPendingMigrations(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type !== "postgres") {
    return (await dataSource.runMigrations({ transaction: "each" })).map((m) => m.name);
  }
  const lock = dataSource.createQueryRunner("master");
  await lock.connect();
  try {
    // Waits while another instance migrates; then finds nothing pending and goes on.
    await lock.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    return (await dataSource.runMigrations({ transaction: "each" })).map((m) => m.name);
  } finally {
    await lock.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}
