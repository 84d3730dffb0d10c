// Deleted means deleted: once deleteConversation or deactivateAccount answers, the text is in no file of the database.
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { startTestServer, TEST_DIALECT, type TestServer } from "./helpers/server";
import { createConversation, dbId, DEACTIVATE_ACCOUNT, DELETE_CONVERSATION, gql, ok, PASSWORD, shareConversation, signUp, view } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const sqlite = TEST_DIALECT === "sqlite" ? describe : describe.skip;

/** An owner with a conversation whose title, message and shared snapshot all hold a marker found nowhere else. */
async function ownerWithSecret() {
  const marker = `secret-${randomBytes(12).toString("hex")}`;
  const owner = await signUp(server);
  const conversationId = await createConversation(server, owner.token, `Title ${marker}`, [{ role: "USER", content: `My ${marker} message.` }]);
  const share = await shareConversation(server, owner.token, conversationId);
  expect((await view(server, share.url)).title).toBe(`Title ${marker}`);
  return { marker, owner, conversationId, share };
}

function databaseFile(): string {
  const database = server.config.database;
  if (database.type !== "sqlite") throw new Error("SQLite only");
  return database.path;
}

/** Which of the database's files (main and WAL) hold the marker's bytes. */
function filesHolding(marker: string): string[] {
  const main = databaseFile();
  return [main, `${main}-wal`].filter((file) => fs.existsSync(file) && fs.readFileSync(file).includes(Buffer.from(marker)));
}

async function rowsHolding(marker: string, ownerId: string): Promise<number> {
  const pattern = `%${marker}%`;
  const [row] = await server.sql<{ n: number }>(
    `SELECT CAST((SELECT COUNT(*) FROM conversations WHERE title LIKE ? OR owner_id = ?) + (SELECT COUNT(*) FROM messages WHERE content LIKE ?)
      + (SELECT COUNT(*) FROM shares WHERE snapshot LIKE ? OR owner_id = ?) AS INTEGER) AS n`,
    [pattern, ownerId, pattern, pattern, ownerId],
  );
  return Number(row.n);
}

const erasers: [string, (ctx: Awaited<ReturnType<typeof ownerWithSecret>>) => Promise<unknown>][] = [
  ["deleteConversation", ({ owner, conversationId }) => gql(server, DELETE_CONVERSATION, { input: { conversationId } }, owner.token).then(ok)],
  ["deactivateAccount", ({ owner }) => gql(server, DEACTIVATE_ACCOUNT, { input: { password: PASSWORD } }, owner.token).then(ok)],
];

describe.each(erasers)("after %s answers", (_name, erase) => {
  it("no row holds the conversation, its messages or its snapshots", async () => {
    const ctx = await ownerWithSecret();
    await erase(ctx);
    expect(await rowsHolding(ctx.marker, dbId(ctx.owner.id))).toBe(0);
    expect(await view(server, ctx.share.url)).toBeNull();
  });

  sqlite("on SQLite", () => {
    it("neither the database file nor its WAL holds the deleted text", async () => {
      const ctx = await ownerWithSecret();
      expect(filesHolding(ctx.marker).length).toBeGreaterThan(0); // the search would see it
      await erase(ctx);
      expect(filesHolding(ctx.marker)).toEqual([]);
    });
  });
});

sqlite("a delete while another process reads the database", () => {
  it("still answers, and the next write removes the text from the WAL once the reader is done", async () => {
    const ctx = await ownerWithSecret();
    const reader = new Database(databaseFile(), { readonly: true });
    try {
      reader.exec("BEGIN");
      reader.prepare("SELECT COUNT(*) FROM conversations").get(); // holds a snapshot older than the delete
      await gql(server, DELETE_CONVERSATION, { input: { conversationId: ctx.conversationId } }, ctx.owner.token).then(ok);
      expect(await rowsHolding(ctx.marker, dbId(ctx.owner.id))).toBe(0);
      expect(server.logs.some((line) => String(line.msg).includes("stays in the SQLite WAL"))).toBe(true);
      reader.exec("COMMIT");
    } finally {
      reader.close();
    }
    await createConversation(server, ctx.owner.token, "Any later write");
    expect(filesHolding(ctx.marker)).toEqual([]);
  }, 60_000);
});
