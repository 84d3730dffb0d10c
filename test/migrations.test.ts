// The migrations of each dialect build exactly the tables the entities describe, undo cleanly, and keep data.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config";
import { createDataSource } from "../src/db/data-source";
import { freshDatabase, TEST_DIALECT } from "./helpers/server";

const TABLES = ["users", "conversations", "messages", "shares", "share_reports", "idempotency_keys", "share_events", "share_view_days"];

async function withFreshDataSource(run: (dataSource: ReturnType<typeof createDataSource>) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-migrations-"));
  const fresh = await freshDatabase(dir);
  const dataSource = createDataSource({ database: loadConfig(fresh.env).database });
  try {
    await dataSource.initialize();
    await run(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await fresh.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function tablesOf(dataSource: ReturnType<typeof createDataSource>): Promise<string[]> {
  const rows: { name: string }[] =
    TEST_DIALECT === "sqlite"
      ? await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      : await dataSource.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`);
  return rows.map((r) => r.name).filter((name) => TABLES.includes(name)).sort();
}

it(`the ${TEST_DIALECT} migrations build exactly the tables the entities describe, and each can be undone`, async () => {
  await withFreshDataSource(async (dataSource) => {
    await dataSource.runMigrations();
    expect(await tablesOf(dataSource)).toEqual([...TABLES].sort());
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration();
    expect(await tablesOf(dataSource)).toEqual([]);
  });
});

// PostgreSQL's history begins at the current schema, so only SQLite has an upgrade path to prove (registered in the
// sqlite project only: not applicable is not skipped).
if (TEST_DIALECT === "sqlite") it("upgrading a SQLite database with links keeps every link working and dates its snapshot at its creation", async () => {
  await withFreshDataSource(async (dataSource) => {
    const [first, ...rest] = dataSource.migrations;
    const runner = dataSource.createQueryRunner();
    await first.up(runner);
    await dataSource.query(`INSERT INTO users VALUES ('u1', 'Ann', 'a@x.io', 'a@x.io', 'hash', 0, '2025-01-01 00:00:00.000', NULL)`);
    await dataSource.query(`INSERT INTO conversations VALUES ('c1', 'u1', 'Old chat', '2025-01-01 00:00:00.000')`);
    await dataSource.query(
      `INSERT INTO shares VALUES ('s1', 'u1', 'c1', 'hash1', 'sealed', 'NAMED', 'Old chat', 0, '{"title":"Old chat","messages":[]}', '2025-02-03 04:05:06.789', NULL)`,
    );
    for (const migration of rest) await migration.up(runner);
    expect(await dataSource.query(`SELECT id, snapshot_at, created_at, view_count, expires_at FROM shares`)).toEqual([
      { id: "s1", snapshot_at: "2025-02-03 04:05:06.789", created_at: "2025-02-03 04:05:06.789", view_count: 0, expires_at: null },
    ]);
    expect(await dataSource.query(`SELECT role FROM users`)).toEqual([{ role: "USER" }]);
    await runner.release();
  });
});
