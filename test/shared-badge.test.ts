// The "shared" badge in a conversation list: how many working links a conversation has and when it was last shared.
import { startTestServer, type TestServer } from "./helpers/server";
import { createConversation, gql, ok, revoke, shareConversation, signUp } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  // Batched view counts are written on a timer; here it must not fire inside a measured request.
  server = await startTestServer({ VIEW_COUNT_FLUSH_MS: "3600000" });
});
afterAll(() => server.close());

const LIST = `query($first: Int) { conversations(first: $first) { edges { node { id title sharing { activeLinkCount lastSharedAt } } } } }`;

async function badges(token: string, first = 100) {
  return ok(await gql(server, LIST, { first }, token)).conversations.edges.map((e: any) => e.node);
}

it("counts only working links and dates the newest link, revoked or not", async () => {
  const me = await signUp(server);
  const never = await createConversation(server, me.token, "Never shared");
  const twice = await createConversation(server, me.token, "Shared twice");
  const first = await shareConversation(server, me.token, twice);
  const second = await shareConversation(server, me.token, twice);
  const revokedOnly = await createConversation(server, me.token, "Shared then revoked");
  const gone = await shareConversation(server, me.token, revokedOnly);
  ok(await revoke(server, me.token, gone.id));
  ok(await revoke(server, me.token, first.id));

  const created = ok(await gql(server, `{ myShares { edges { node { id createdAt } } } }`, {}, me.token)).myShares.edges.map((e: any) => e.node);
  const createdAt = (id: string) => created.find((s: any) => s.id === id).createdAt;
  expect(await badges(me.token)).toEqual([
    { id: revokedOnly, title: "Shared then revoked", sharing: { activeLinkCount: 0, lastSharedAt: createdAt(gone.id) } },
    { id: twice, title: "Shared twice", sharing: { activeLinkCount: 1, lastSharedAt: createdAt(second.id) } },
    { id: never, title: "Never shared", sharing: { activeLinkCount: 0, lastSharedAt: null } },
  ]);
});

it("is not readable by anyone but the conversation's owner", async () => {
  const me = await signUp(server);
  const id = await createConversation(server, me.token, "Mine");
  await shareConversation(server, me.token, id);
  const other = await signUp(server);
  expect(await badges(other.token)).toEqual([]);
  const byId = await gql(server, `query($id: ID!) { conversation(id: $id) { sharing { activeLinkCount } } }`, { id }, other.token);
  expect(byId.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  expect(byId.text).not.toContain("activeLinkCount\":");
});

it("costs a constant number of SQL statements for a page, whatever its size", async () => {
  const statementsFor = async (token: string) => {
    const before = server.queries.count;
    const page = await badges(token);
    return { count: server.queries.count - before, page };
  };
  const userWith = async (n: number) => {
    const me = await signUp(server);
    for (let i = 0; i < n; i++) await shareConversation(server, me.token, await createConversation(server, me.token, `Chat ${i}`));
    return me;
  };
  const small = await statementsFor((await userWith(2)).token);
  const large = await statementsFor((await userWith(100)).token);
  expect(large.page).toHaveLength(100);
  expect(large.page.every((c: any) => c.sharing.activeLinkCount === 1)).toBe(true);
  // viewer, page, one GROUP BY for every badge
  expect(large.count).toBe(small.count);
  expect(large.count).toBeLessThanOrEqual(3);
}, 120_000);
