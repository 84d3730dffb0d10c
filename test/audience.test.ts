// Who may open a link: PUBLIC links open for anyone with them, SIGNED_IN links only for a signed-in account, on every
// door (GraphQL by POST, GET /graphql as a CDN sends it, the share page, importShare) and through every cache.
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, createConversation, dbId, gql, importShare, MODERN_ACCEPT, ok, ownerWithShare, revoke, signUp, VIEW } from "./helpers/client";

const SET_AUDIENCE = `mutation($input: SetShareAudienceInput!) { setShareAudience(input: $input) { share { id audience } } }`;

type Setup = Awaited<ReturnType<typeof ownerWithShare>>;

async function setAudience(server: TestServer, { owner, share }: Setup, audience: "PUBLIC" | "SIGNED_IN") {
  return ok(await gql(server, SET_AUDIENCE, { input: { shareId: share.id, audience } }, owner.token)).setShareAudience.share;
}

/** What a view response shows and what caches are told. */
async function viewed(res: Response) {
  const body = (await res.json()) as { data: { sharedConversation: { title: string } | null } };
  return { shown: body.data.sharedConversation, cacheControl: res.headers.get("cache-control") };
}

/** A view over POST, as an app sends it: what it shows and what caches are told. */
async function post(server: TestServer, link: string, token?: string) {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: MODERN_ACCEPT, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: VIEW, variables: { link } }),
  });
  return viewed(res);
}

/** The same view as a GET with the preflight header: the form a CDN can cache. */
async function getView(server: TestServer, link: string, token?: string) {
  const search = new URLSearchParams({ query: VIEW, variables: JSON.stringify({ link }) });
  const res = await fetch(`${server.url}/graphql?${search}`, {
    headers: { "apollo-require-preflight": "true", accept: MODERN_ACCEPT, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return viewed(res);
}

async function page(server: TestServer, link: string, token?: string) {
  const res = await fetch(`${server.url}${new URL(link).pathname}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text(), cacheControl: res.headers.get("cache-control"), authenticate: res.headers.get("www-authenticate") };
}

describe("a SIGNED_IN link, as each viewer sees it", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ APP_IMPORT_URL: "https://app.example/import?from=share" });
  });
  afterAll(() => server.close());

  it("is PUBLIC unless asked otherwise, and the owner sees the audience on the share", async () => {
    const setup = await ownerWithShare(server);
    const mine = ok(await gql(server, `{ myShares { edges { node { id audience } } } }`, {}, setup.owner.token)).myShares.edges;
    expect(mine).toEqual([{ node: { id: setup.share.id, audience: "PUBLIC" } }]);
    expect(await setAudience(server, setup, "SIGNED_IN")).toEqual({ id: setup.share.id, audience: "SIGNED_IN" });
  });

  it("can be shared SIGNED_IN from the start", async () => {
    const owner = await signUp(server);
    const conversationId = await createConversation(server, owner.token, "Board minutes", [{ role: "USER", content: "Q3 numbers" }]);
    const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { url audience } } }`;
    const { url, audience } = ok(await gql(server, SHARE, { input: { conversationId, audience: "SIGNED_IN" } }, owner.token)).shareConversation.share;
    expect(audience).toBe("SIGNED_IN");
    expect((await post(server, url)).shown).toBeNull();
    expect((await post(server, url, (await signUp(server)).token)).shown?.title).toBe("Board minutes");
  });

  it.each([
    ["an anonymous viewer", "anonymous", null],
    ["another signed-in user", "other", "Trip to Lisbon"],
    ["the owner", "owner", "Trip to Lisbon"],
  ] as const)("%s: over POST and over GET, and no cache may keep the answer", async (_who, kind, title) => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    const token = kind === "anonymous" ? undefined : kind === "owner" ? setup.owner.token : (await signUp(server)).token;
    for (const viewed of [await post(server, setup.share.url, token), await getView(server, setup.share.url, token)]) {
      expect({ title: viewed.shown?.title ?? null, cacheControl: viewed.cacheControl }).toEqual({ title, cacheControl: "private, no-store" });
    }
  });

  it("answers an anonymous viewer exactly as a dead link does", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    const dead = await ownerWithShare(server);
    ok(await revoke(server, dead.owner.token, dead.share.id));
    const bodies = await Promise.all([setup, dead].map(async ({ share }) => (await gql(server, VIEW, { link: share.url })).text));
    expect(bodies[0]).toBe(bodies[1]);
  });

  it("a signed-in view is never replayed to an anonymous request for the same operation, by POST or by GET", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    const member = await signUp(server);
    for (const send of [post, getView]) {
      for (let i = 0; i < 3; i++) expect((await send(server, setup.share.url, member.token)).shown?.title).toBe("Trip to Lisbon");
      expect((await send(server, setup.share.url)).shown).toBeNull();
    }
  });

  it("switching a viewed PUBLIC link to SIGNED_IN hides it from anonymous viewers at once, cached responses included", async () => {
    const setup = await ownerWithShare(server);
    for (const send of [post, getView]) expect((await send(server, setup.share.url)).cacheControl).toBe("max-age=30, public");
    expect((await post(server, setup.share.url)).shown?.title).toBe("Trip to Lisbon"); // now a response-cache hit
    await setAudience(server, setup, "SIGNED_IN");
    for (const send of [post, getView]) expect(await send(server, setup.share.url)).toEqual({ shown: null, cacheControl: "private, no-store" });
    expect((await page(server, setup.share.url)).status).toBe(401);
  });

  it("switching back to PUBLIC opens it to everyone again, publicly cacheable", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    expect((await post(server, setup.share.url)).shown).toBeNull();
    await setAudience(server, setup, "PUBLIC");
    expect(await post(server, setup.share.url)).toEqual({ shown: expect.objectContaining({ title: "Trip to Lisbon" }), cacheControl: "max-age=30, public" });
    expect((await page(server, setup.share.url)).status).toBe(200);
  });

  it("after revoking, nobody sees it, signed in or not", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    const member = await signUp(server);
    expect((await post(server, setup.share.url, member.token)).shown).not.toBeNull();
    ok(await revoke(server, setup.owner.token, setup.share.id));
    expect((await post(server, setup.share.url, member.token)).shown).toBeNull();
    expect((await post(server, setup.share.url, setup.owner.token)).shown).toBeNull();
    expect((await page(server, setup.share.url, member.token)).status).toBe(404);
  });

  it("counts only the views that showed it", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    const member = await signUp(server);
    await post(server, setup.share.url);
    await post(server, setup.share.url, member.token);
    await post(server, setup.share.url, member.token);
    const node = ok(await gql(server, `{ myShares { edges { node { viewCount } } } }`, {}, setup.owner.token)).myShares.edges[0].node;
    expect(node.viewCount).toBe(2);
  });

  it("is in the link's history each time it changes, and in the owner's data export", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    await setAudience(server, setup, "SIGNED_IN"); // no change, no entry
    await setAudience(server, setup, "PUBLIC");
    await setAudience(server, setup, "SIGNED_IN");
    const ACTIVITY = `{ myShares { edges { node { activity(first: 10) { edges { node { kind newValue } } } } } } }`;
    const activity = ok(await gql(server, ACTIVITY, {}, setup.owner.token)).myShares.edges[0].node.activity.edges.map((e: any) => e.node);
    expect(activity).toEqual([
      { kind: "AUDIENCE_CHANGED", newValue: "SIGNED_IN" },
      { kind: "AUDIENCE_CHANGED", newValue: "PUBLIC" },
      { kind: "AUDIENCE_CHANGED", newValue: "SIGNED_IN" },
      { kind: "CREATED", newValue: null },
    ]);
    const { data } = ok(await gql(server, `{ exportMyData { data } }`, {}, setup.owner.token)).exportMyData;
    expect(data.shares).toEqual([expect.objectContaining({ id: setup.share.id, audience: "SIGNED_IN" })]);
    expect(data.shares[0].activity.map((e: any) => e.kind)).toEqual(["AUDIENCE_CHANGED", "AUDIENCE_CHANGED", "AUDIENCE_CHANGED", "CREATED"]);
  });

  it("only another user's audience change is refused, as if the share did not exist", async () => {
    const setup = await ownerWithShare(server);
    const other = await signUp(server);
    expect(codes(await gql(server, SET_AUDIENCE, { input: { shareId: setup.share.id, audience: "SIGNED_IN" } }, other.token))).toEqual(["NOT_FOUND"]);
    expect(codes(await gql(server, SET_AUDIENCE, { input: { shareId: setup.share.id, audience: "SIGNED_IN" } }))).toEqual(["UNAUTHENTICATED"]);
    expect((await post(server, setup.share.url)).shown).not.toBeNull();
  });
});

describe("the share page of a SIGNED_IN link", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ APP_IMPORT_URL: "https://app.example/import?from=share" });
  });
  afterAll(() => server.close());

  it("without a session says that signing in is needed, without the title, privately, with a way into the app", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    const res = await page(server, setup.share.url);
    expect({ status: res.status, cacheControl: res.cacheControl, authenticate: res.authenticate }).toEqual({
      status: 401,
      cacheControl: "private, no-store",
      authenticate: 'Bearer realm="chat-share"',
    });
    expect(res.text).toContain("Sign in to see this conversation");
    expect(res.text).not.toMatch(/Lisbon|Alfama|Olivia/);
    expect(res.text).not.toContain("og:title");
    const token = new URL(setup.share.url).pathname.split("/").pop()!;
    expect(res.text).toContain(`href="https://app.example/import?from=share&amp;token=${token}"`);
    expect(res.text).toContain("Open in the app");
  });

  it("is the same page for every SIGNED_IN link, but for the link into the app", async () => {
    const pages = [];
    for (const title of ["First", "Second"]) {
      const owner = await signUp(server);
      const conversationId = await createConversation(server, owner.token, title);
      const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { url } } }`;
      const { url } = ok(await gql(server, SHARE, { input: { conversationId, audience: "SIGNED_IN" } }, owner.token)).shareConversation.share;
      pages.push((await page(server, url)).text.replace(/token=[A-Za-z0-9_-]+/, "token=T"));
    }
    expect(pages[0]).toBe(pages[1]);
  });

  it("with a session (an app's web view sends its bearer token) shows the conversation, privately", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    const member = await signUp(server);
    for (const token of [member.token, setup.owner.token]) {
      const res = await page(server, setup.share.url, token);
      expect({ status: res.status, cacheControl: res.cacheControl }).toEqual({ status: 200, cacheControl: "private, no-store" });
      expect(res.text).toContain("Trip to Lisbon");
    }
    expect((await page(server, setup.share.url, "not-a-session")).status).toBe(401);
  });

  it("a PUBLIC link's page is unchanged: public and cacheable, whoever asks", async () => {
    const setup = await ownerWithShare(server);
    const res = await page(server, setup.share.url);
    expect({ status: res.status, cacheControl: res.cacheControl }).toEqual({ status: 200, cacheControl: "max-age=30, public" });
  });
});

describe("the preview card of a SIGNED_IN link", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  async function card(link: string, token?: string) {
    const res = await fetch(`${server.url}${new URL(link).pathname}/card.png`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, type: res.headers.get("content-type"), cacheControl: res.headers.get("cache-control"), body: Buffer.from(await res.arrayBuffer()) };
  }

  it("answers a request without a session exactly as a dead link's card does: link unfurlers never sign in", async () => {
    const setup = await ownerWithShare(server);
    expect((await card(setup.share.url)).status).toBe(200); // drawn and cached while PUBLIC
    await setAudience(server, setup, "SIGNED_IN");
    const dead = await ownerWithShare(server);
    ok(await revoke(server, dead.owner.token, dead.share.id));
    const [restricted, revoked] = [await card(setup.share.url), await card(dead.share.url)];
    expect({ ...restricted, body: undefined }).toEqual({ status: 404, type: "text/html; charset=utf-8", cacheControl: "no-store", body: undefined });
    expect(restricted.body.equals(revoked.body)).toBe(true);
    expect((await card(setup.share.url, "not-a-session")).status).toBe(404);
  });

  it("is drawn for a request with a session, privately, and is public again once the link is", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    const member = await signUp(server);
    const signedIn = await card(setup.share.url, member.token);
    expect({ status: signedIn.status, type: signedIn.type, cacheControl: signedIn.cacheControl }).toEqual({ status: 200, type: "image/png", cacheControl: "private, no-store" });
    await setAudience(server, setup, "PUBLIC");
    const open = await card(setup.share.url);
    expect({ status: open.status, cacheControl: open.cacheControl }).toEqual({ status: 200, cacheControl: "max-age=30, public" });
  });
});

describe("a SIGNED_IN link's answers with the whole-response cache turned off", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RESPONSE_CACHE_MAX_BYTES: "0" });
  });
  afterAll(() => server.close());

  it("are still sent private, by POST and by GET, with a session or without", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    for (const token of [undefined, setup.owner.token]) {
      for (const send of [post, getView]) expect((await send(server, setup.share.url, token)).cacheControl).toBe("private, no-store");
    }
    await setAudience(server, setup, "PUBLIC");
    expect((await post(server, setup.share.url)).cacheControl).toBe("max-age=30, public");
  });
});

describe("importShare of a SIGNED_IN link", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("works for any signed-in account, is refused without a session, and finds nothing once revoked", async () => {
    const setup = await ownerWithShare(server);
    await setAudience(server, setup, "SIGNED_IN");
    const member = await signUp(server);
    expect(ok(await importShare(server, member.token, setup.share.url)).importShare.conversation.title).toBe("Trip to Lisbon");
    expect(codes(await importShare(server, undefined, setup.share.url))).toEqual(["UNAUTHENTICATED"]);
    ok(await revoke(server, setup.owner.token, setup.share.id));
    expect(codes(await importShare(server, member.token, setup.share.url))).toEqual(["NOT_FOUND"]);
  });
});

describe("the snapshot cache's revalidation", () => {
  let server: TestServer;
  beforeAll(async () => {
    // Nothing is trusted past the moment it was read: every cached view is revalidated against the primary.
    server = await startTestServer({ SHARE_CACHE_MAX_AGE_SECONDS: "0" });
  });
  afterAll(() => server.close());

  it("rereads the audience, so a change whose invalidation was lost still holds once the entry is due", async () => {
    const setup = await ownerWithShare(server);
    expect((await post(server, setup.share.url)).shown?.title).toBe("Trip to Lisbon"); // now cached
    // Written behind the server's back, as if the invalidation had been lost.
    await server.sql(`UPDATE shares SET audience = 'SIGNED_IN' WHERE id = ?`, [dbId(setup.share.id)]);
    expect((await post(server, setup.share.url)).shown).toBeNull();
    expect((await post(server, setup.share.url, setup.owner.token)).shown?.title).toBe("Trip to Lisbon");
  });
});
