// The view caches are bounded in time and in bytes: a link that dies with no invalidation at all (here, changed in
// the database behind the server's back, as when every message is lost) stops being served once its age bound has
// passed, and a snapshot too large for the byte budget is never kept.
import { startTestServer, type TestServer } from "./helpers/server";
import { appendMessage, createConversation, dbId, gql, ok, ownerWithShare, shareConversation, signUp, view } from "./helpers/client";
import { setTimeout as sleep } from "node:timers/promises";

const BOUND_S = 1;
/** How long past the bound a dead link may still be seen before the test fails: generous, the machine is busy. */
const MARGIN_MS = 10_000;

async function statementsOf<T>(server: TestServer, run: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const before = server.queries.count;
  const result = await run();
  return { result, statements: server.queries.count - before };
}

/** Polls until `done` holds, failing once the bound and the margin have passed since `since`. */
async function withinBound(since: number, done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) {
    if (Date.now() > since + BOUND_S * 1000 + MARGIN_MS) throw new Error(`still stale ${Date.now() - since} ms later`);
    await sleep(100);
  }
}

describe("with every invalidation lost", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SHARE_CACHE_MAX_AGE_SECONDS: String(BOUND_S) });
  });
  afterAll(() => server.close());

  /** Views a link until its answer is served from memory (no SQL), by GraphQL and by page. */
  async function cached(url: string): Promise<void> {
    await view(server, url);
    await fetch(`${server.url}/share/${url.split("/").pop()}`).then((r) => r.text());
  }

  const pageStatus = async (url: string) => (await fetch(`${server.url}/share/${url.split("/").pop()}`)).status;

  it.each([
    ["revoked", "UPDATE shares SET revoked_at = CURRENT_TIMESTAMP WHERE id = ?"],
    ["disabled", "UPDATE shares SET disabled_at = CURRENT_TIMESTAMP WHERE id = ?"],
    ["deleted", "DELETE FROM shares WHERE id = ?"],
  ])("a link %s in the database is no longer served once the bound has passed, by GraphQL or page", async (_what, sql) => {
    const { share } = await ownerWithShare(server);
    await cached(share.url);
    const diedAt = Date.now();
    await server.sql(sql, [dbId(share.id)]);
    await withinBound(diedAt, async () => (await view(server, share.url)) === null && (await pageStatus(share.url)) === 404);
  });

  it("an owner deactivated or renamed in the database is seen once the bound has passed", async () => {
    const named = await ownerWithShare(server, "NAMED");
    await cached(named.share.url);
    const renamedAt = Date.now();
    await server.sql("UPDATE users SET display_name = ? WHERE id = ?", ["Renamed Quietly", dbId(named.owner.id)]);
    await withinBound(renamedAt, async () => (await view(server, named.share.url))?.sharedBy === "Renamed Quietly");

    const diedAt = Date.now();
    await server.sql("UPDATE users SET deactivated_at = CURRENT_TIMESTAMP WHERE id = ?", [dbId(named.owner.id)]);
    await withinBound(diedAt, async () => (await view(server, named.share.url)) === null);
  });

  it("a link still alive after the bound is confirmed with one small statement, not read again in full", async () => {
    const { share } = await ownerWithShare(server);
    await cached(share.url);
    expect((await statementsOf(server, () => view(server, share.url))).statements).toBe(0);
    await sleep(BOUND_S * 1000 + 100);
    // The whole response may also have been cached: a link with a new snapshot has no response cached yet.
    const again = await statementsOf(server, () => gql(server, `query($l: String!) { sharedConversation(link: $l) { title } }`, { l: share.url }));
    expect(ok(again.result).sharedConversation).toEqual({ title: "Trip to Lisbon" });
    expect(again.statements).toBe(1);
  });
});

describe("the snapshot cache's byte budget", () => {
  let server: TestServer;
  beforeAll(async () => {
    // An eighth of 64 KiB: snapshots of more than 8 KiB (counted twice, as UTF-16) are not kept.
    server = await startTestServer({ SNAPSHOT_CACHE_MAX_BYTES: String(64 * 1024), RESPONSE_CACHE_MAX_BYTES: "0" });
  });
  afterAll(() => server.close());

  it("keeps a small snapshot, and never a large one", async () => {
    const owner = await signUp(server);
    const small = await ownerWithShare(server);
    const conversationId = await createConversation(server, owner.token, "Long");
    await appendMessage(server, owner.token, conversationId, "USER", "x".repeat(20_000));
    const large = await shareConversation(server, owner.token, conversationId);
    for (const url of [small.share.url, large.url]) await view(server, url);
    expect((await statementsOf(server, () => view(server, small.share.url))).statements).toBe(0);
    const again = await statementsOf(server, () => view(server, large.url));
    expect(again.result.messages[0].content).toHaveLength(20_000);
    expect(again.statements).toBeGreaterThan(0);
  });
});

// Admission: a full cache that admitted every link read once would evict one entry for each, and a long tail of links
// read once (a crawler) would push out the links people keep opening. Once full, each cache keeps a link from its
// second read on.
describe.each([
  ["snapshot cache", { SNAPSHOT_CACHE_MAX_BYTES: String(32 * 1024), RESPONSE_CACHE_MAX_BYTES: "0" }],
  ["response cache", { SNAPSHOT_CACHE_SIZE: "0", RESPONSE_CACHE_MAX_BYTES: String(32 * 1024) }],
])("the %s, once full", (_name, env) => {
  let server: TestServer;
  let links: string[];
  const statements = async (url: string) => (await statementsOf(server, () => view(server, url))).statements;

  beforeAll(async () => {
    server = await startTestServer(env);
    const owner = await signUp(server);
    const conversationId = await createConversation(server, owner.token, "Trip");
    const words = Array.from({ length: 40 }, (_, i) => `day${i}`);
    const message = await appendMessage(server, owner.token, conversationId, "USER", words.join(" "));
    links = [];
    // Each link hides another number of words, so answers differ in size as a long tail's do: a cache judged full
    // on a size that is not the entry's own lets some of them in, each evicting another. About 25 of these fill the
    // snapshot cache's 32 KiB, about 40 the response cache's.
    for (let i = 0; i < 160; i++) {
      const end = words.slice(0, i % words.length).join(" ").length;
      const redactions = { spans: end > 0 ? [{ messageId: message.id, start: 0, end }] : [] };
      const input = { conversationId, redactions };
      links.push(ok(await gql(server, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { url } } }`, { input }, owner.token)).shareConversation.share.url);
    }
    for (const url of links.slice(0, 80)) await view(server, url);
  });
  afterAll(() => server.close());

  it("keeps the links it holds while a long tail of links is read once each", async () => {
    const kept = links[0];
    expect(await statements(kept)).toBe(0);
    for (const url of links.slice(80, 159)) await view(server, url);
    // Plain LRU would have evicted it: 79 links read after it, room for at most about 40.
    expect(await statements(kept)).toBe(0);
  });

  it("keeps a new link from its second read on", async () => {
    const tail = links[159];
    expect(await statements(tail)).toBe(1);
    expect(await statements(tail)).toBe(1);
    expect(await statements(tail)).toBe(0);
  });
});
