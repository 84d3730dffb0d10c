// What web and mobile client developers rely on: GraphQL over HTTP, Relay ids and connections, caching, GET, APQ, Sandbox.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { serverAudits } from "graphql-http";
import { ErrorCode } from "../src/common/errors";
import { startTestServer, type TestServer } from "./helpers/server";
import { appendMessage, codes, createConversation, gql, missingId, ok, ownerWithShare, signUp, VIEW } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SHARE_CACHE_MAX_AGE_SECONDS: "45" });
});
afterAll(() => server.close());

describe("GraphQL over HTTP (graphql-http's audit suite, against the live server)", () => {
  // The MAYs we knowingly do not follow; the README lists each with its reason.
  const KNOWN = new Set(["5A70", "D6D5", "6A70"]);

  it("passes every MUST and every SHOULD, and fails no MAY beyond those listed in the README", async () => {
    const results = [];
    for (const audit of serverAudits({ url: `${server.url}/graphql`, fetchFn: fetch })) {
      results.push({ id: audit.id, name: audit.name, result: await audit.fn() });
    }
    const failed = results.filter((r) => /^(MUST|SHOULD) /.test(r.name) && r.result.status !== "ok");
    expect(failed.map((r) => `${r.id} ${r.name}: ${r.result.status === "ok" ? "" : r.result.reason}`)).toEqual([]);
    const unexpected = results.filter((r) => r.result.status !== "ok" && !KNOWN.has(r.id));
    expect(unexpected.map((r) => `${r.id} ${r.name}`)).toEqual([]);
    expect(results.length).toBeGreaterThan(30);
  }, 60_000);
});

describe("the HTTP status of a request that fails before execution", () => {
  const FAILURES = {
    "does not parse": { query: "{ me { id " },
    "does not validate": { query: "{ me { password } }" },
    "has variables that do not coerce": { query: "query($id: ID!) { node(id: $id) { id } }", variables: { id: null } },
    "is over a limit": { query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(" ")} }` },
  };
  const send = (body: object, accept?: string) =>
    fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...(accept ? { accept } : {}) }, body: JSON.stringify(body) });

  it.each(Object.entries(FAILURES))("is 200 for an application/json client when the request %s, with the error in the body", async (_, body) => {
    for (const accept of ["application/json", undefined, "*/*", "application/json, application/graphql-response+json;q=0.5"]) {
      const res = await send(body, accept);
      expect([accept, res.status]).toEqual([accept, 200]);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const json = (await res.json()) as any;
      expect(json.data).toBeUndefined();
      expect(json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    }
  });

  it.each(Object.entries(FAILURES))("stays 400 for an application/graphql-response+json client when the request %s", async (_, body) => {
    for (const accept of ["application/graphql-response+json", "application/graphql-response+json,application/json;q=0.9"]) {
      const res = await send(body, accept);
      expect([accept, res.status]).toEqual([accept, 400]);
      expect(res.headers.get("content-type")).toMatch(/^application\/graphql-response\+json/);
    }
  });

  it("stays 4xx for requests that are not well-formed, whatever the client accepts", async () => {
    expect((await send({ variables: {} }, "application/json")).status).toBe(400);
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent("mutation { logOutEverywhere { userId } }")}`, { headers: { accept: "application/json", "apollo-require-preflight": "true" } });
    expect(get.status).toBe(405);
  });
});

describe("errors", () => {
  it("about an input, extensions.fields lists each input at fault with its problems, from validation and from the rules alike", async () => {
    const me = await signUp(server);
    const tooLong = await gql(server, `mutation($input: CreateConversationInput!) { createConversation(input: $input) { conversation { id } } }`, { input: { title: "t".repeat(201) } }, me.token);
    const taken = await gql(server, `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, { input: { email: me.email, password: "a long password", displayName: "Again" } });
    const cursor = await gql(server, `{ conversations(after: "nope") { edges { cursor } } }`, {}, me.token);
    for (const [res, field] of [[tooLong, "title"], [taken, "email"], [cursor, "after"]] as const) {
      expect(res.errors![0].extensions).toEqual({ code: "BAD_USER_INPUT", fields: [{ field, problems: [expect.any(String)] }] });
      expect(res.errors![0].extensions).not.toHaveProperty("field");
    }
  });

  it("the README's Errors table lists every code a client can receive", async () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("### Errors"), readme.indexOf("| Limit | Value |"));
    for (const code of [...Object.values(ErrorCode), "PERSISTED_QUERY_NOT_FOUND"]) expect(table).toContain(`| \`${code}\` |`);
  });
});

describe("Relay", () => {
  it("node() refetches each of your objects by its global id, with the same authorization as everywhere", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const message = await appendMessage(server, owner.token, conversationId, "USER", "refetch me");
    const NODE = `query($id: ID!) { node(id: $id) { __typename id ... on Conversation { title } ... on Message { content } ... on Share { status } ... on User { displayName } } }`;
    const node = async (id: string, token?: string) => (await gql(server, NODE, { id }, token));
    expect(ok(await node(conversationId, owner.token)).node).toEqual({ __typename: "Conversation", id: conversationId, title: "Trip to Lisbon" });
    expect(ok(await node(message.id, owner.token)).node).toEqual({ __typename: "Message", id: message.id, content: "refetch me" });
    expect(ok(await node(share.id, owner.token)).node).toEqual({ __typename: "Share", id: share.id, status: "ACTIVE" });
    expect(ok(await node(owner.id, owner.token)).node).toEqual({ __typename: "User", id: owner.id, displayName: "Olivia Owner" });

    const stranger = await signUp(server);
    for (const id of [conversationId, message.id, share.id, owner.id, missingId("Share"), "garbage"]) {
      expect(ok(await node(id, stranger.token)).node).toBeNull();
    }
    expect(codes(await node(conversationId))).toEqual(["UNAUTHENTICATED"]);
  });

  it("nodes() answers in the order asked, null for what is not yours, and caps the batch", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const other = await ownerWithShare(server);
    const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    const res = ok(await gql(server, NODES, { ids: [share.id, other.share.id, conversationId] }, owner.token));
    expect(res.nodes).toEqual([{ id: share.id }, null, { id: conversationId }]);
    expect(codes(await gql(server, NODES, { ids: Array(101).fill(share.id) }, owner.token))).toEqual(["BAD_USER_INPUT"]);
  });

  it("ids are opaque and typed: an id of the wrong type is refused", async () => {
    const { owner, share } = await ownerWithShare(server);
    expect(share.id).not.toMatch(/^[0-9a-f]{8}-/);
    const res = await gql(server, `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } } }`, { input: { conversationId: share.id, role: "USER", content: "x" } }, owner.token);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(/conversationId is not a valid Conversation id/);
  });

  it("a conversation's messages page as a connection, oldest first", async () => {
    const me = await signUp(server);
    const id = await createConversation(server, me.token, "Long", Array.from({ length: 5 }, (_, i) => ({ role: "USER" as const, content: `m${i}` })));
    const PAGE = `query($id: ID!, $after: String) { conversation(id: $id) { messagesConnection(first: 2, after: $after) { edges { node { content } } pageInfo { hasNextPage endCursor } } } }`;
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = ok(await gql(server, PAGE, { id, after }, me.token)).conversation.messagesConnection;
      seen.push(...page.edges.map((e: any) => e.node.content));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(["m0", "m1", "m2", "m3", "m4"]);
  });

  it("mutation payloads return the changed objects, so normalized caches update", async () => {
    const me = await signUp(server);
    const id = await createConversation(server, me.token, "Cache me");
    const res = ok(await gql(server, `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } conversation { id messages { id } } } }`, { input: { conversationId: id, role: "USER", content: "x" } }, me.token));
    expect(res.appendMessage.conversation).toEqual({ id, messages: [{ id: res.appendMessage.message.id }] });
  });
});

describe("caching", () => {
  async function post(query: string, variables: Record<string, unknown>, token?: string) {
    return fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  }

  it("a shared-link view is publicly cacheable for SHARE_CACHE_MAX_AGE_SECONDS, even for a signed-in viewer", async () => {
    const { share } = await ownerWithShare(server);
    const viewer = await signUp(server);
    expect((await post(VIEW, { link: share.url })).headers.get("cache-control")).toBe("max-age=45, public");
    // The second answer may come from the server's own response cache, with only the rest of the 45 s left.
    expect((await post(VIEW, { link: share.url }, viewer.token)).headers.get("cache-control")).toMatch(/^max-age=([1-3]?[0-9]|4[0-5]), public$/);
  });

  it("anything per-user, an error, or a mix with per-user data is never stored", async () => {
    const { owner, share } = await ownerWithShare(server);
    expect((await post(`{ me { id } }`, {}, owner.token)).headers.get("cache-control")).toBe("no-store");
    expect((await post(`query($l: String!) { me { id } sharedConversation(link: $l) { title } }`, { l: share.url }, owner.token)).headers.get("cache-control")).toBe("no-store");
    expect((await post(VIEW, { link: "https://evil.example/share/x" })).headers.get("cache-control")).toBe("no-store");
    expect((await post(`{ myShares { edges { node { id } } } }`, {}, owner.token)).headers.get("cache-control")).toBe("no-store");
  });

  it("schema.graphql shows the hints", () => {
    const sdl = fs.readFileSync(path.join(__dirname, "..", "schema.graphql"), "utf8");
    expect(sdl).toMatch(/sharedConversation\([\s\S]*?\): SharedConversation @cacheControl\(maxAge: 30, scope: PUBLIC\)/);
    expect(sdl).toMatch(/type Share implements Node @cacheControl\(scope: PRIVATE\)/);
  });
});

describe("queries over GET, and automatic persisted queries", () => {
  function getUrl(params: Record<string, unknown>): string {
    const search = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    return `${server.url}/graphql?${search}`;
  }

  it("a shared-link view works over GET, with the cache header a CDN uses", async () => {
    const { share } = await ownerWithShare(server);
    const res = await fetch(getUrl({ query: VIEW, variables: { link: share.url } }), { headers: { "apollo-require-preflight": "true" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("max-age=45, public");
    expect(((await res.json()) as any).data.sharedConversation.title).toBe("Trip to Lisbon");
  });

  it("a GET without a preflight header is refused (CSRF prevention), and mutations never run over GET", async () => {
    const { share } = await ownerWithShare(server);
    expect((await fetch(getUrl({ query: VIEW, variables: { link: share.url } }))).status).toBe(400);
    const mutation = await fetch(getUrl({ query: `mutation { createConversation(input: { title: "x" }) { conversation { id } } }` }), { headers: { "apollo-require-preflight": "true" } });
    expect(mutation.status).toBe(405);
  });

  it("a query registered once can be sent by its hash alone, over POST or GET", async () => {
    const { share } = await ownerWithShare(server);
    const query = `query ApqView($link: String!) { sharedConversation(link: $link) { title } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash("sha256").update(query).digest("hex") } };
    const send = (body: object) => fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);

    const unknown = await send({ extensions, variables: { link: share.url } });
    expect(unknown.errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect((await send({ query, extensions, variables: { link: share.url } })).data.sharedConversation.title).toBe("Trip to Lisbon");
    expect((await send({ extensions, variables: { link: share.url } })).data.sharedConversation.title).toBe("Trip to Lisbon");
    const viaGet = await fetch(getUrl({ extensions, variables: { link: share.url } }), { headers: { "apollo-require-preflight": "true" } });
    expect(((await viaGet.json()) as any).data.sharedConversation.title).toBe("Trip to Lisbon");
    expect(viaGet.headers.get("cache-control")).toBe("max-age=45, public");
  });
});

describe("exploring in a browser", () => {
  const open = (srv: TestServer) => fetch(`${srv.url}/graphql`, { headers: { accept: "text/html" } });

  it("development shows Apollo Sandbox at /graphql", async () => {
    const res = await open(server);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/embeddable-sandbox|Apollo Sandbox/i);
  });

  it("production shows a plain page that loads nothing from elsewhere, or nothing when LANDING_PAGE=off", async () => {
    const prod = await startTestServer({ NODE_ENV: "production" });
    const off = await startTestServer({ LANDING_PAGE: "off" });
    try {
      const page = await (await open(prod)).text();
      expect(page).toMatch(/chat-share GraphQL API/);
      expect(page).not.toMatch(/<script|https?:\/\//);
      expect(await (await open(off)).text()).not.toMatch(/<html/i);
    } finally {
      await prod.close();
      await off.close();
    }
  });
});
