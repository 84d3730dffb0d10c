// What the command-line tools share: opening DATABASE_URL's database, and reporting the outcome in one line.
import type { DataSource } from "typeorm";
import { loadDatabaseConfig } from "../config";
import { createDataSource } from "../db/data-source";
import { runPendingMigrations } from "../db/migrate";

/** Runs `use` on DATABASE_URL's database (read alone: a tool needs no server keys, even in production) with pending migrations applied (named in `applied`), then closes it. */
export async function withDatabase<T>(use: (dataSource: DataSource, applied: string[]) => Promise<T>): Promise<T> {
  const dataSource = createDataSource({ database: loadDatabaseConfig() });
  await dataSource.initialize();
  try {
    return await use(dataSource, await runPendingMigrations(dataSource));
  } finally {
    await dataSource.destroy();
  }
}

/** Prints what `main` returns; any failure is one line on stderr (no stack: these are messages for a person) and exit code 1. */
export function runCommand(main: () => Promise<string>): void {
  main().then(
    (output) => process.stdout.write(`${output}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
