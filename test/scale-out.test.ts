// Two real server processes on one PostgreSQL and one Redis behave as one server.
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { DEPLOYMENT_ENV, forgetRedisKeys, startInstance, stopInstance, type Instance } from "./helpers/instances";
import { codes, createConversation, gql, importShare, ok, ownerWithShare, revoke, signUp, view } from "./helpers/client";
import { requireService } from "./helpers/server";

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;
const available = requireService("scale-out", Boolean(DATABASE_URL && REDIS_URL), "they need TEST_DATABASE_URL and TEST_REDIS_URL (.ci/run sets both)");

(available ? describe : describe.skip)("two instances on one PostgreSQL and one Redis", () => {
  const schema = `scale_${process.pid}_${randomBytes(3).toString("hex")}`;
  const prefix = `chat-share-test-${randomBytes(4).toString("hex")}`;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    const admin = new Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    const env = {
      DATABASE_URL: DATABASE_URL!,
      DATABASE_SCHEMA: schema,
      REDIS_URL: REDIS_URL!,
      REDIS_KEY_PREFIX: prefix,
      ...DEPLOYMENT_ENV,
      REPORTS_PER_HOUR: "3",
      SIGNUPS_PER_IP_PER_HOUR: "0",
      LOGINS_PER_IP_PER_HOUR: "0",
      VIEWS_PER_IP_PER_MINUTE: "0",
    };
    // Started together: the migration lock lets exactly one of them create the schema.
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a, b].map(stopInstance));
    const admin = new Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    await forgetRedisKeys(REDIS_URL!, prefix);
  }, 60_000);

  it("both are ready, and say which dependencies they checked", async () => {
    for (const instance of [a, b]) {
      const res = await fetch(`${instance.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ready", checks: { database: true, redis: true, subscriber: true } });
    }
  });

  it("a link shared on A is seen on B, and a revoke on B is honoured by A on its very next request", async () => {
    const { owner, share } = await ownerWithShare(a);
    expect((await view(b, share.url)).title).toBe("Trip to Lisbon");
    expect((await view(a, share.url)).title).toBe("Trip to Lisbon"); // now in A's cache
    ok(await revoke(b, owner.token, share.id));
    expect(await view(a, share.url)).toBeNull();
    expect(await view(b, share.url)).toBeNull();
  });

  it("attribution changes, deletions and deactivations on one instance reach the other's cache at once", async () => {
    const { owner, conversationId, share } = await ownerWithShare(a, "ANONYMOUS");
    expect((await view(a, share.url)).sharedBy).toBeNull();
    ok(await gql(b, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: share.id, attribution: "NAMED" } }, owner.token));
    expect((await view(a, share.url)).sharedBy).toBe("Olivia Owner");
    ok(await gql(b, `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id } } }`, { input: { displayName: "Olivia O." } }, owner.token));
    expect((await view(a, share.url)).sharedBy).toBe("Olivia O.");
    ok(await gql(b, `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`, { input: { conversationId } }, owner.token));
    expect(await view(a, share.url)).toBeNull();

    const other = await ownerWithShare(b);
    expect(await view(a, other.share.url)).not.toBeNull();
    ok(await gql(a, `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`, { input: { password: "correct horse battery staple" } }, other.owner.token));
    expect(await view(b, other.share.url)).toBeNull();
    expect(ok(await gql(b, `{ me { id } }`, {}, other.owner.token)).me).toBeNull();
  });

  it("an audience change on one instance holds on the other at once, both ways, even for a cached link", async () => {
    const { owner, share } = await ownerWithShare(a);
    const member = await signUp(b);
    const SET_AUDIENCE = `mutation($input: SetShareAudienceInput!) { setShareAudience(input: $input) { share { audience } } }`;
    const setAudience = async (audience: string) => ok(await gql(b, SET_AUDIENCE, { input: { shareId: share.id, audience } }, owner.token));
    expect((await view(a, share.url)).title).toBe("Trip to Lisbon");
    expect((await view(a, share.url)).title).toBe("Trip to Lisbon"); // now in A's caches
    await setAudience("SIGNED_IN");
    expect(await view(a, share.url)).toBeNull();
    expect((await view(a, share.url, member.token)).title).toBe("Trip to Lisbon");
    expect((await fetch(`${a.url}${new URL(share.url).pathname}`)).status).toBe(401);
    await setAudience("PUBLIC");
    expect((await view(a, share.url)).title).toBe("Trip to Lisbon");
  });

  it("a rate limit is reached across both", async () => {
    const { share } = await ownerWithShare(a);
    const reporter = await signUp(b);
    const REPORT = `mutation($input: ReportShareInput!) { reportShare(input: $input) { reportId } }`;
    const input = { link: share.url, reason: "SPAM" };
    ok(await gql(a, REPORT, { input }, reporter.token));
    ok(await gql(b, REPORT, { input }, reporter.token));
    ok(await gql(a, REPORT, { input }, reporter.token));
    expect(codes(await gql(b, REPORT, { input }, reporter.token))).toEqual(["RATE_LIMITED"]);
  });

  it("an idempotency key reused across both creates one thing, even sent to both at once", async () => {
    const me = await signUp(a);
    const id = await createConversation(a, me.token, "Once", [{ role: "USER", content: "hi" }]);
    const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url } } }`;
    const input = { conversationId: id, idempotencyKey: "retry-42" };
    const results = await Promise.all([gql(a, SHARE, { input }, me.token), gql(b, SHARE, { input }, me.token), gql(b, SHARE, { input }, me.token)]);
    const shares = results.map((r) => ok(r).shareConversation.share);
    expect(new Set(shares.map((s) => s.id)).size).toBe(1);
    expect(ok(await gql(b, `{ myShares { edges { node { id } } } }`, {}, me.token)).myShares.edges).toHaveLength(1);

    const viewer = await signUp(b);
    const IMPORT = { link: shares[0].url, idempotencyKey: "import-once" };
    const copies = await Promise.all([importShare(a, viewer.token, IMPORT.link), importShare(b, viewer.token, IMPORT.link)]);
    expect(copies.flatMap(codes)).toEqual([]);
  });

  it("concurrent appends through both keep one strict order", async () => {
    const me = await signUp(a);
    const id = await createConversation(a, me.token, "Busy on two");
    const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } } }`;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => gql(i % 2 ? a : b, APPEND, { input: { conversationId: id, role: "USER", content: `m${i}` } }, me.token)),
    );
    const failures = [a, b].flatMap((i) => i.output().split("\n")).filter((line) => line.includes("unexpected error"));
    expect({ codes: results.flatMap(codes), failures }).toEqual({ codes: [], failures: [] });
    const messages = ok(await gql(b, `query($id: ID!) { conversation(id: $id) { messages { content } } }`, { id }, me.token)).conversation.messages;
    expect(messages.map((m: { content: string }) => m.content).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`).sort());
  });

  it("both expose Prometheus metrics", async () => {
    const text = await (await fetch(`${a.url}/metrics`)).text();
    expect(text).toMatch(/chat_share_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(text).toMatch(/chat_share_graphql_operation_duration_seconds_count\{operation="appendMessage",type="mutation"\} \d+/);
    expect(text).toMatch(/chat_share_snapshot_cache_lookups_total\{result="(hit|miss)"\} \d+/);
    expect(text).toMatch(/chat_share_db_pool_connections\{state="total"\} \d+/);
  });
});
