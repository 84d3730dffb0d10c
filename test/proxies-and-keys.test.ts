// Behind a load balancer, and with keys that change: the client address proxies report, and key rotation without an outage.
import { createLogger } from "../src/common/logger";
import { loadConfig } from "../src/config";
import { createServer } from "../src/server";
import { startTestServer, testEnv, type TestServer } from "./helpers/server";
import { createConversation, gql, ok, ownerWithShare, PASSWORD, shareConversation, VIEW } from "./helpers/client";

/** A sharedConversation view sent as if through a proxy that says the client is `forwardedFor`. */
async function viewFrom(server: TestServer, link: string, forwardedFor?: string): Promise<string | undefined> {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
    body: JSON.stringify({ query: VIEW, variables: { link } }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return body.errors?.[0]?.extensions?.code ?? "OK";
}

async function pageFrom(server: TestServer, link: string, forwardedFor: string): Promise<number> {
  const res = await fetch(`${server.url}${new URL(link).pathname}`, { headers: { "x-forwarded-for": forwardedFor } });
  await res.arrayBuffer();
  return res.status;
}

const clientsLogged = (server: TestServer) => new Set(server.logs.filter((line) => line.msg === "request").map((line) => line.client));

describe("with TRUST_PROXY off (the default)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ VIEWS_PER_IP_PER_MINUTE: "2" });
  });
  afterAll(() => server.close());

  it("a forged X-Forwarded-For changes neither the rate-limit bucket nor the logged address", async () => {
    const { share } = await ownerWithShare(server);
    expect(await viewFrom(server, share.url, "203.0.113.1")).toBe("OK");
    expect(await viewFrom(server, share.url, "203.0.113.2")).toBe("OK");
    expect(await viewFrom(server, share.url, "203.0.113.3")).toBe("RATE_LIMITED");
    expect(await pageFrom(server, share.url, "203.0.113.4")).toBe(429);
    const logged = [...clientsLogged(server)];
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((client) => /^(::ffff:)?127\.0\.0\.1$/.test(String(client)))).toBe(true);
  });
});

describe("with TRUST_PROXY=loopback (tests connect from 127.0.0.1)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ VIEWS_PER_IP_PER_MINUTE: "2", TRUST_PROXY: "loopback" });
  });
  afterAll(() => server.close());

  it("each forwarded client has a bucket of its own, shared by the GraphQL view and the share page", async () => {
    const { share } = await ownerWithShare(server);
    expect(await viewFrom(server, share.url, "203.0.113.10")).toBe("OK");
    expect(await pageFrom(server, share.url, "203.0.113.10")).toBe(200);
    expect(await viewFrom(server, share.url, "203.0.113.10")).toBe("RATE_LIMITED");
    expect(await pageFrom(server, share.url, "203.0.113.10")).toBe(429);
    expect(await viewFrom(server, share.url, "203.0.113.11")).toBe("OK");
    // A client's own X-Forwarded-For entries come before the proxy's; only the hop the trusted proxy added counts.
    expect(await viewFrom(server, share.url, "203.0.113.12, 203.0.113.11")).toBe("OK");
    expect(await viewFrom(server, share.url, "203.0.113.13, 203.0.113.11")).toBe("RATE_LIMITED");
  });

  it("logs the forwarded client's address", async () => {
    await gql(server, `{ me { id } }`);
    await fetch(`${server.url}/healthz`, { headers: { "x-forwarded-for": "198.51.100.7" } }).then((res) => res.arrayBuffer());
    expect(clientsLogged(server).has("198.51.100.7")).toBe(true);
  });
});

describe("TRUST_PROXY's values", () => {
  it("are off by default, a hop count, or addresses; true (trust anyone) and non-addresses are refused", () => {
    expect(loadConfig({ TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, loopback" }).trustProxy).toEqual(["10.0.0.0/8", "loopback"]);
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(() => loadConfig({ TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: "not-an-address" })).toThrow(/TRUST_PROXY/);
  });
});

describe("rotating JWT_SECRET and SHARE_LINK_KEY", () => {
  const OLD_JWT = "old-session-key-".padEnd(40, "o");
  const NEW_JWT = "new-session-key-".padEnd(40, "n");
  const OLD_LINK = "old-link-key-".padEnd(40, "o");
  const NEW_LINK = "new-link-key-".padEnd(40, "n");
  const SHARES = `{ myShares { edges { node { url urlUnavailableReason title } } } }`;
  const EXPORT = `{ exportMyData { data } }`;

  let before: TestServer;
  const others: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    before = await startTestServer({ JWT_SECRET: OLD_JWT, SHARE_LINK_KEY: OLD_LINK });
  });
  afterAll(async () => {
    for (const other of others) await other.close();
    await before.close();
  });

  /** Another server on the same database with other keys, as after a redeploy. */
  async function redeploy(env: Record<string, string>): Promise<Pick<TestServer, "url">> {
    const config = loadConfig(testEnv(before.config.dataDir, { ...before.databaseEnv, ...env }));
    const app = await createServer({ config, dataSource: before.dataSource, logger: createLogger("silent", () => {}) });
    const url = await app.listen();
    others.push(app);
    return { url };
  }

  it("keeps old sessions and URLs working while new ones use the first key, and reports a URL no key opens", async () => {
    const { owner, share: oldShare } = await ownerWithShare(before);
    const rotating = await redeploy({ JWT_SECRET: `${NEW_JWT},${OLD_JWT}`, SHARE_LINK_KEY: `${NEW_LINK}, ${OLD_LINK}` });

    // Old tokens and old sealed URLs still work; new tokens are signed with the new key only.
    expect(ok(await gql(rotating, `{ me { id } }`, {}, owner.token)).me.id).toBe(owner.id);
    const newToken = ok(await gql(rotating, `mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: owner.email, password: PASSWORD } })).logIn.token;
    expect(ok(await gql(before, `{ me { id } }`, {}, newToken)).me).toBeNull();
    const conversationId = await createConversation(rotating, newToken, "After the rotation");
    const newShare = await shareConversation(rotating, newToken, conversationId);
    const urls = ok(await gql(rotating, SHARES, {}, newToken)).myShares.edges.map((e: any) => e.node.url);
    expect(urls).toEqual([newShare.url, oldShare.url]);

    // The old keys are dropped: old sessions end, the old link keeps working, only its URL cannot be shown.
    const rotated = await redeploy({ JWT_SECRET: NEW_JWT, SHARE_LINK_KEY: NEW_LINK });
    expect(ok(await gql(rotated, `{ me { id } }`, {}, owner.token)).me).toBeNull();
    expect(ok(await gql(rotated, VIEW, { link: oldShare.url })).sharedConversation.title).toBe("Trip to Lisbon");
    const listed = ok(await gql(rotated, SHARES, {}, newToken)).myShares.edges.map((e: any) => e.node);
    expect(listed).toEqual([
      { url: newShare.url, urlUnavailableReason: null, title: "After the rotation" },
      { url: "", urlUnavailableReason: expect.stringContaining("SHARE_LINK_KEY"), title: "Trip to Lisbon" },
    ]);
    const exported = ok(await gql(rotated, EXPORT, {}, newToken)).exportMyData.data.shares;
    expect(exported.map((s: any) => [s.url, s.urlUnavailableReason])).toEqual([
      [null, expect.stringContaining("SHARE_LINK_KEY")],
      [newShare.url, undefined],
    ]);
  });

  it("refuses a key list with a short key in it", () => {
    expect(() => loadConfig({ JWT_SECRET: `${NEW_JWT},short` })).toThrow(/JWT_SECRET must be at least 32 bytes/);
    expect(() => loadConfig({ SHARE_LINK_KEY: `short,${NEW_LINK}` })).toThrow(/SHARE_LINK_KEY must be at least 32 bytes/);
  });
});
