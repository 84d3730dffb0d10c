// A whole response read from an instance's cache is not sent once the link it shows was revoked meanwhile: here the
// revoke comes through the other instance while the first waits on Redis for the viewer's allowance. Two real server
// processes on one PostgreSQL and one Redis; instance A reaches Redis through a TCP proxy of the test's that holds
// Redis's answers on A's commands connection (the allowance stalls) and lets its subscription through (the revoke's
// invalidation arrives), as on a network path where one connection is slow.
import { randomBytes } from "node:crypto";
import { createSchema } from "./helpers/server";
import { requireService } from "./helpers/require-service";
import { DEPLOYMENT_ENV, forgetRedisKeys, scrape, startInstance, stopInstance, untilReady, type Instance } from "./helpers/instances";
import { TcpProxy, type ProxiedConnection } from "./helpers/tcp-proxy";
import { dbId, gql, ok, ownerWithShare, revoke, view, VIEW } from "./helpers/client";

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;
const available = requireService("revocation-during-allowance", Boolean(DATABASE_URL && REDIS_URL), "they need TEST_DATABASE_URL and TEST_REDIS_URL (.ci/run sets both)");

const RESPONSE_CACHE_HITS = "chat_share_public_response_cache_hits_total";

(available ? describe : describe.skip)("a revoke that reaches an instance while a cached answer waits on the viewer's allowance", () => {
  const prefix = `chat-share-allowance-${randomBytes(4).toString("hex")}`;
  let db: Awaited<ReturnType<typeof createSchema>>;
  let proxy: TcpProxy;
  let a: Instance;
  let b: Instance;
  /** A's two connections to Redis, through the proxy: commands (the rate limits) and the invalidation subscription. */
  let commands: ProxiedConnection;
  let subscriber: ProxiedConnection;

  beforeAll(async () => {
    db = await createSchema();
    proxy = await TcpProxy.start(REDIS_URL!);
    const env = {
      ...db.env,
      REDIS_KEY_PREFIX: prefix,
      ...DEPLOYMENT_ENV,
      // Entries are trusted for longer than any run: no view is a revalidation.
      SHARE_CACHE_MAX_AGE_SECONDS: "600",
      // Under 200 a minute, no points are leased ahead: every view takes its point from Redis, a round trip there.
      VIEWS_PER_IP_PER_MINUTE: "100",
      SIGNUPS_PER_IP_PER_HOUR: "0",
    };
    // Started together: the migration lock lets exactly one of them create the schema.
    [a, b] = await Promise.all([startInstance({ ...env, REDIS_URL: proxy.url("redis") }), startInstance({ ...env, REDIS_URL: REDIS_URL! })]);
    await untilReady(a);
    await untilReady(b);
    // Both of A's connections open at start (src/common/redis.ts); the subscriber is the one that subscribed.
    const channel = `${prefix}:link-cache`;
    expect(proxy.connections.map((c) => c.sent.includes(channel)).sort()).toEqual([false, true]);
    subscriber = proxy.connections.find((c) => c.sent.includes(channel))!;
    commands = proxy.connections.find((c) => c !== subscriber)!;
  }, 60_000);

  afterAll(async () => {
    // Whatever a failed test left held goes on first, so that A can say goodbye to Redis and exit.
    for (const connection of proxy?.connections ?? []) connection.release();
    await Promise.all([a, b].map(stopInstance));
    await proxy?.close();
    await db?.drop();
    if (REDIS_URL) await forgetRedisKeys(REDIS_URL, prefix);
  }, 60_000);

  it("the view that was waiting shows the link gone, as every view after it does on A and on B", async () => {
    // Made through B, so that on A's commands connection only views ask for anything.
    const { owner, share } = await ownerWithShare(b);
    const hitsAtStart = (await scrape(a))(RESPONSE_CACHE_HITS);
    // The first view through A is executed and its answer kept; the second is that answer, from A's cache.
    for (let i = 0; i < 2; i++) expect(await view(a, share.url)).not.toBeNull();
    const hits = (await scrape(a))(RESPONSE_CACHE_HITS);
    expect(hits).toBe(hitsAtStart + 1);

    const sentBefore = commands.sent.length;
    commands.hold();
    let waiting: ReturnType<typeof gql> | undefined;
    let answered = false;
    try {
      waiting = gql(a, VIEW, { link: share.url });
      void waiting.then(() => (answered = true), () => (answered = true));
      // A took the cached answer and asked Redis for the viewer's allowance; Redis answered, and the proxy holds it.
      await commands.until((c) => c.sent.slice(sentBefore).includes(`${prefix}:rate:views:`) && c.heldBytes > 0, "A asks for the viewer's allowance");

      expect(ok(await revoke(b, owner.token, share.id)).revokeShare.share.revokedAt).not.toBeNull();
      // B published the invalidation before its revoke answered, and it came through to A's subscription.
      await subscriber.until((c) => c.received.includes(dbId(share.id)), "the invalidation reaches A");
      // A's subscription answers this probe's PING after that message, on the same connection, so A has applied the
      // message by the time /readyz answers; its commands (a PING of their own) still get no answer.
      const readiness = await fetch(`${a.url}/readyz`);
      expect(await readiness.json()).toEqual({ status: "unavailable", checks: { database: true, redis: false, subscriber: true } });
      expect(answered).toBe(false);
    } finally {
      commands.release();
    }

    const seen = await waiting;
    const afterRevoke = await gql(b, VIEW, { link: share.url });
    expect(afterRevoke).toMatchObject({ status: 200, data: { sharedConversation: null } });
    expect(seen).toEqual(afterRevoke);
    for (const instance of [a, b]) expect(await view(instance, share.url)).toBeNull();
    // The cached answer was read but never sent: no view of A's since was answered from its cache.
    expect((await scrape(a))(RESPONSE_CACHE_HITS)).toBe(hits);
  }, 30_000);
});
