// The migrations of each dialect build exactly the tables the entities describe, undo cleanly, and keep data.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config";
import { createDataSource } from "../src/db/data-source";
import { utcDate } from "../src/db/entity-rows";
import { freshDatabase, TEST_DIALECT } from "./helpers/server";

const TABLES = [
  "users",
  "conversations",
  "messages",
  "shares",
  "share_reports",
  "idempotency_keys",
  "share_events",
  "share_view_days",
  "share_view_totals",
  "attachments",
  "attachment_blobs",
];

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
    expect(await dataSource.query(`SELECT id, snapshot_at, created_at, expires_at FROM shares`)).toEqual([
      { id: "s1", snapshot_at: "2025-02-03 04:05:06.789", created_at: "2025-02-03 04:05:06.789", expires_at: null },
    ]);
    // Never viewed, so no totals row: reads take none as no views.
    expect(await dataSource.query(`SELECT share_id FROM share_view_totals`)).toEqual([]);
    expect(await dataSource.query(`SELECT role FROM users`)).toEqual([{ role: "USER" }]);
    await runner.release();
  });
});

it(`moving the view totals out of shares on ${TEST_DIALECT} keeps every link's views, and undoing it puts them back`, async () => {
  await withFreshDataSource(async (dataSource) => {
    const runner = dataSource.createQueryRunner();
    const at = TEST_DIALECT === "sqlite" ? "'2025-03-04 05:06:07.890'" : "'2025-03-04 05:06:07.890+00'";
    const move = dataSource.migrations.findIndex((m) => m.name?.includes("ShareViewTotals"));
    for (const migration of dataSource.migrations.slice(0, move)) await migration.up(runner);
    await dataSource.query(`INSERT INTO users (id, display_name, email, email_normalized, password_hash, token_version, created_at) VALUES ('u1', 'Ann', 'a@x.io', 'a@x.io', 'hash', 0, ${at})`);
    await dataSource.query(`INSERT INTO conversations (id, owner_id, title, created_at) VALUES ('c1', 'u1', 'Chat', ${at})`);
    for (const id of ["s1", "s2"]) {
      await dataSource.query(`INSERT INTO shares (id, owner_id, conversation_id, token_hash, token_sealed, attribution, title, message_count, snapshot, snapshot_at, created_at)
        VALUES ('${id}', 'u1', 'c1', 'hash-${id}', 'sealed', 'NAMED', 'Chat', 0, '{}', ${at}, ${at})`);
    }
    await dataSource.query(`UPDATE shares SET view_count = 7, last_viewed_at = ${at} WHERE id = 's1'`);
    const viewedAt = new Date("2025-03-04T05:06:07.890Z");
    const stored = async (sql: string) =>
      ((await dataSource.query(sql)) as { id: string; view_count: number; last_viewed_at: Date | string | null }[]).map((r) => ({ ...r, last_viewed_at: utcDate(r.last_viewed_at) }));

    await dataSource.migrations[move].up(runner);
    expect(await stored(`SELECT share_id AS id, view_count, last_viewed_at FROM share_view_totals`)).toEqual([{ id: "s1", view_count: 7, last_viewed_at: viewedAt }]);
    await dataSource.migrations[move].down(runner);
    expect(await stored(`SELECT id, view_count, last_viewed_at FROM shares ORDER BY id`)).toEqual([
      { id: "s1", view_count: 7, last_viewed_at: viewedAt },
      { id: "s2", view_count: 0, last_viewed_at: null },
    ]);
    await runner.release();
  });
});
