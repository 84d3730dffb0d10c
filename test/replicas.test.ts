// PostgreSQL read replicas: views read snapshots there, but whether a link works, and how it is attributed, is
// decided on the primary. The replica here is a second database the test copies rows into by hand, so it lags
// exactly as much as each test wants: never, or forever.
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { DataSource } from "typeorm";
import { loadConfig } from "../src/config";
import { createDataSource } from "../src/db/data-source";
import { dbId, gql, importShare, ok, ownerWithShare, PASSWORD, revoke, signUp, view } from "./helpers/client";
import { requireService, startTestServer, TEST_DIALECT, testEnv, type TestServer } from "./helpers/server";

const TABLES = ["users", "conversations", "shares"];
const withPostgres = requireService("read-replica", TEST_DIALECT === "postgres", "they need TEST_DATABASE_URL (.ci/run sets it)");

(withPostgres ? describe : describe.skip)("with DATABASE_REPLICA_URLS", () => {
  // (A skipped describe still runs its body: nothing here may need TEST_DATABASE_URL outside the hooks and tests.)
  const adminUrl = process.env.TEST_DATABASE_URL ?? "";
  const replicaDatabase = `replica_${process.pid}_${randomBytes(4).toString("hex")}`;
  const replicaUrl = () => Object.assign(new URL(adminUrl), { pathname: `/${replicaDatabase}` }).toString();
  let server: TestServer;
  let replica: DataSource;

  const admin = async (sql: string) => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await admin(`CREATE DATABASE "${replicaDatabase}"`);
    server = await startTestServer({ DATABASE_REPLICA_URLS: replicaUrl() });
    // The same schema and tables on the replica, through the same migrations.
    const schema = server.databaseEnv.DATABASE_SCHEMA;
    const setup = new Client({ connectionString: replicaUrl() });
    await setup.connect();
    await setup.query(`CREATE SCHEMA "${schema}"`);
    await setup.end();
    replica = createDataSource({ database: loadConfig(testEnv("/tmp", { DATABASE_URL: replicaUrl(), DATABASE_SCHEMA: schema })).database });
    await replica.initialize();
    await replica.runMigrations();
  });
  afterAll(async () => {
    await replica?.destroy();
    await server?.close();
    if (adminUrl) await admin(`DROP DATABASE IF EXISTS "${replicaDatabase}" WITH (FORCE)`);
  });

  /** Replication catching up: the replica becomes a copy of the primary as it is now. */
  async function replicate(): Promise<void> {
    await replica.transaction(async (m) => {
      for (const table of [...TABLES].reverse()) await m.query(`DELETE FROM "${table}"`);
      for (const table of TABLES) {
        for (const row of await server.sql<Record<string, unknown>>(`SELECT * FROM "${table}"`)) {
          const columns = Object.keys(row);
          const placeholders = columns.map((_, i) => `$${i + 1}`).join(", ");
          await m.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${placeholders})`, Object.values(row));
        }
      }
    });
  }

  const onReplica = (sql: string, params: unknown[]) => replica.query(sql, params);

  it("reads the snapshot of a view from the replica", async () => {
    const { share } = await ownerWithShare(server);
    await replicate();
    // Only the replica's copy says this: seeing it proves where the snapshot was read.
    await onReplica(`UPDATE shares SET snapshot = replace(snapshot, 'Trip to Lisbon', 'Read from the replica') WHERE id = $1`, [dbId(share.id)]);
    expect((await view(server, share.url)).title).toBe("Read from the replica");
  });

  it("serves a share the replica has not received yet, from the primary", async () => {
    const { share } = await ownerWithShare(server);
    const seen = await view(server, share.url);
    expect(seen.title).toBe("Trip to Lisbon");
    expect(seen.messages).toHaveLength(2);
  });

  it("never serves a link revoked on the primary that the lagging replica still shows as working", async () => {
    const { owner, share } = await ownerWithShare(server);
    await replicate();
    ok(await revoke(server, owner.token, share.id));
    expect(await view(server, share.url)).toBeNull();
  });

  it("never serves the links of a conversation deleted, or an account deactivated, on the primary only", async () => {
    const deleted = await ownerWithShare(server);
    const deactivated = await ownerWithShare(server);
    await replicate();
    ok(await gql(server, `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`, { input: { conversationId: deleted.conversationId } }, deleted.owner.token));
    ok(await gql(server, `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`, { input: { password: PASSWORD } }, deactivated.owner.token));
    expect(await view(server, deleted.share.url)).toBeNull();
    expect(await view(server, deactivated.share.url)).toBeNull();
  });

  it("shows a snapshot refreshed on the primary, not the replica's older one", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    await replicate();
    await gql(server, `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } } }`, { input: { conversationId, role: "USER", content: "later" } }, owner.token).then(ok);
    ok(await gql(server, `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`, { input: { shareId: share.id } }, owner.token));
    const seen = await view(server, share.url);
    expect(seen.messages.map((m: { content: string }) => m.content).at(-1)).toBe("later");
    expect(seen.messages).toHaveLength(3);
  });

  it("shows the attribution and display name the primary has, whatever the replica says", async () => {
    const { owner, share } = await ownerWithShare(server);
    await replicate();
    ok(await gql(server, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: share.id, attribution: "NAMED" } }, owner.token));
    ok(await gql(server, `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id } } }`, { input: { displayName: "Olivia Renamed" } }, owner.token));
    expect((await view(server, share.url)).sharedBy).toBe("Olivia Renamed");
  });

  it("an import copies the primary's snapshot, never the replica's", async () => {
    const { share } = await ownerWithShare(server);
    await replicate();
    await onReplica(`UPDATE shares SET snapshot = replace(snapshot, 'Trip to Lisbon', 'Stale replica copy') WHERE id = $1`, [dbId(share.id)]);
    const importer = await signUp(server);
    const imported = ok(await importShare(server, importer.token, share.url));
    expect(imported.importShare.conversation.title).toBe("Trip to Lisbon");
    expect(imported.importShare.conversation.messages).toHaveLength(2);
  });
});
