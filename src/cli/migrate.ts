// `npm run migrate`: applies pending migrations to DATABASE_URL (under the same lock as a starting server) and exits.
import "reflect-metadata";
import { loadDatabaseConfig } from "../config";
import { createDataSource } from "../db/data-source";
import { runPendingMigrations } from "../db/migrate";

async function main(): Promise<void> {
  const dataSource = createDataSource({ database: loadDatabaseConfig() });
  await dataSource.initialize();
  try {
    const applied = await runPendingMigrations(dataSource);
    process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "no pending migrations\n");
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
