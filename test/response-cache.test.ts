// Whole public view responses are cached in memory, and never outlive a change to what the link shows.
import { createHash } from "node:crypto";
import { expiringSoon, untilPast } from "./helpers/clock";
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, gql, ok, ownerWithShare, revoke, VIEW } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ VIEW_COUNT_FLUSH_MS: "3600000" });
});
afterAll(() => server.close());

async function post(query: string, variables: Record<string, unknown>, token?: string) {
  const before = server.queries.count;
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, text: await res.text(), cacheControl: res.headers.get("cache-control"), statements: server.queries.count - before };
}

const viewCount = async (token: string) => ok(await gql(server, `{ myShares { edges { node { viewCount } } } }`, {}, token)).myShares.edges[0].node.viewCount;

it("a repeated view is answered byte for byte from memory, and still counts as a view", async () => {
  const { owner, share } = await ownerWithShare(server, "NAMED");
  const first = await post(VIEW, { link: share.url });
  const again = await post(VIEW, { link: share.url });
  // From memory with only the rest of its 30 s left, however long the machine took between the two requests.
  expect(again).toEqual({ ...first, statements: 0, cacheControl: expect.stringMatching(/^max-age=([1-2]?[0-9]|30), public$/) });
  expect(first.cacheControl).toBe("max-age=30, public");
  expect(await viewCount(owner.token)).toBe(2);
});

it.each([
  ["revoking", async (o: Awaited<ReturnType<typeof ownerWithShare>>) => ok(await revoke(server, o.owner.token, o.share.id))],
  ["hiding the name", async (o: Awaited<ReturnType<typeof ownerWithShare>>) => ok(await gql(server, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: o.share.id, attribution: "ANONYMOUS" } }, o.owner.token))],
  ["renaming the owner", async (o: Awaited<ReturnType<typeof ownerWithShare>>) => ok(await gql(server, `mutation { updateProfile(input: { displayName: "Renamed" }) { user { id } } }`, {}, o.owner.token))],
])("%s shows at once, not the cached response", async (_what, change) => {
  const ctx = await ownerWithShare(server, "NAMED");
  const before = await post(VIEW, { link: ctx.share.url });
  await change(ctx);
  const after = await post(VIEW, { link: ctx.share.url });
  expect(after.text).not.toBe(before.text);
});

it("never keeps a response with per-user data or errors", async () => {
  const { owner, share } = await ownerWithShare(server);
  const mixed = `query($link: String!) { me { id } sharedConversation(link: $link) { title } }`;
  await post(mixed, { link: share.url }, owner.token);
  expect((await post(mixed, { link: share.url }, owner.token)).statements).toBeGreaterThan(0);
  const bad = await post(VIEW, { link: "https://evil.example/share/x" });
  expect(JSON.parse(bad.text).errors[0].extensions.code).toBe("BAD_USER_INPUT");
  expect(bad.cacheControl).toBe("no-store");
});

it("does not outlive the link's own expiry", async () => {
  const { owner, conversationId } = await ownerWithShare(server);
  const expiresAt = expiringSoon();
  const url = ok(await gql(server, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { url } } }`, { input: { conversationId, expiresAt } }, owner.token)).shareConversation.share.url;
  expect(JSON.parse((await post(VIEW, { link: url })).text).data.sharedConversation).not.toBeNull();
  await untilPast(expiresAt);
  expect(JSON.parse((await post(VIEW, { link: url })).text).data.sharedConversation).toBeNull();
});

it("still applies the per-address view limit to cached answers", async () => {
  const limited = await startTestServer({ VIEWS_PER_IP_PER_MINUTE: "2" });
  try {
    const { share } = await ownerWithShare(limited);
    ok(await gql(limited, VIEW, { link: share.url }));
    ok(await gql(limited, VIEW, { link: share.url }));
    expect(codes(await gql(limited, VIEW, { link: share.url }))).toEqual(["RATE_LIMITED"]);
  } finally {
    await limited.close();
  }
});

it("can be turned off with RESPONSE_CACHE_MAX_BYTES=0", async () => {
  const off = await startTestServer({ RESPONSE_CACHE_MAX_BYTES: "0", SNAPSHOT_CACHE_SIZE: "0" });
  try {
    const { share } = await ownerWithShare(off);
    const count = async () => {
      const before = off.queries.count;
      ok(await gql(off, VIEW, { link: share.url }));
      return off.queries.count - before;
    };
    expect(await count()).toBe(1);
    expect(await count()).toBe(1);
  } finally {
    await off.close();
  }
});

describe("keys on the operation, not on the raw body", () => {
  async function send(body: string, headers: Record<string, string> = {}) {
    const before = server.queries.count;
    const res = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    return { text: await res.text(), type: res.headers.get("content-type"), statements: server.queries.count - before };
  }

  it("answers the same operation from memory whatever the body's white space and key order", async () => {
    const { share } = await ownerWithShare(server);
    const first = await send(JSON.stringify({ query: VIEW, variables: { link: share.url } }));
    expect(first.statements).toBeGreaterThan(0);
    const variants = [
      JSON.stringify({ variables: { link: share.url }, query: VIEW }),
      JSON.stringify({ query: VIEW, variables: { link: share.url } }, null, 2),
      JSON.stringify({ query: VIEW, operationName: null, variables: { link: share.url }, extensions: {} }),
      JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: createHash("sha256").update(VIEW).digest("hex") } }, variables: { link: share.url } }),
    ];
    for (const body of variants) expect(await send(body)).toEqual({ ...first, statements: 0 });
  });

  it("keeps apart what changes the response: the variables, and the media type the client accepts", async () => {
    const a = await ownerWithShare(server);
    const b = await ownerWithShare(server);
    const viewA = await send(JSON.stringify({ query: VIEW, variables: { link: a.share.url } }));
    const viewB = await send(JSON.stringify({ query: VIEW, variables: { link: b.share.url } }));
    expect(viewB.text).not.toBe(viewA.text);
    const accept = { accept: "application/graphql-response+json" };
    const typed = await send(JSON.stringify({ query: VIEW, variables: { link: a.share.url } }), accept);
    expect(typed.type).toMatch(/^application\/graphql-response\+json/);
    expect(viewA.type).toMatch(/^application\/json/);
    expect((await send(JSON.stringify({ variables: { link: a.share.url }, query: VIEW }), accept)).statements).toBe(0);
  });
});

it("labels operation metrics by root field, never by a name the client chose", async () => {
  const { share } = await ownerWithShare(server);
  for (let i = 0; i < 3; i++) {
    await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `query Chosen${i}x($link: String!) { sharedConversation(link: $link) { title } }`, variables: { link: share.url } }),
    });
  }
  await gql(server, `query Nonsense { noSuchField }`);
  const text = await (await fetch(`${server.url}/metrics`)).text();
  expect(text).not.toMatch(/Chosen|Nonsense|noSuchField/);
  expect(text).toMatch(/chat_share_graphql_operation_duration_seconds_count\{operation="sharedConversation",type="query"\} \d+/);
});
