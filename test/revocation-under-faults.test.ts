// A link that dies on the primary stops being served by every instance within the cache age bound, whatever Redis
// does meanwhile: subscriptions killed, Redis paused, Redis stopped and started again. Two real server processes on
// one PostgreSQL and a Redis of this test's own, which it may break at will.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import { Client } from "pg";
import Redis from "ioredis";
import { createSchema } from "./helpers/server";
import { requireService } from "./helpers/require-service";
import { DEPLOYMENT_ENV, startInstance, stopInstance, untilReady, type Instance } from "./helpers/instances";
import { appendMessage, createConversation, gql, ok, ownerWithShare, PASSWORD, revoke, signUp, view } from "./helpers/client";
import { setTimeout as sleep } from "node:timers/promises";

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const hasRedisServer = spawnSync("redis-server", ["--version"]).status === 0;
const available = requireService(
  "revocation-under-faults",
  Boolean(DATABASE_URL) && hasRedisServer,
  `they need TEST_DATABASE_URL${hasRedisServer ? "" : " and the redis-server binary on PATH"} (.ci/run sets it when PostgreSQL answers)`,
);

/** The age bound the instances run with, kept small so the test is quick. */
const BOUND_S = 2;
/** How long past the bound a dead link may still be seen before the test fails: generous, the machine is busy. */
const MARGIN_MS = 10_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of this test's own, on a fixed port so it can be stopped and started again there. */
class OwnRedis {
  private child?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    const probe = new Redis(this.port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** One command on a connection of its own, closed after. */
  async command(...args: (string | number)[]): Promise<unknown> {
    const client = new Redis(this.port, "127.0.0.1", { maxRetriesPerRequest: 1 });
    try {
      return await client.call(String(args[0]), ...args.slice(1));
    } finally {
      client.disconnect();
    }
  }
}

(available ? describe : describe.skip)("a dead link under Redis faults", () => {
  let db: Awaited<ReturnType<typeof createSchema>>;
  let redis: OwnRedis;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    db = await createSchema();
    const env = {
      ...db.env,
      REDIS_URL: redis.url,
      ...DEPLOYMENT_ENV,
      SHARE_CACHE_MAX_AGE_SECONDS: String(BOUND_S),
      // Keep Redis off the mutations' path, so that what is tested is the caches, not the rate limits.
      SHARES_PER_USER_PER_HOUR: "0",
      SIGNUPS_PER_IP_PER_HOUR: "0",
      LOGINS_PER_IP_PER_HOUR: "0",
      LOGINS_PER_ACCOUNT_PER_HOUR: "0",
      VIEWS_PER_IP_PER_MINUTE: "0",
    };
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a, b].map(stopInstance));
    await redis?.stop();
    await db?.drop();
  }, 60_000);

  /** What the share page answers for a link. */
  async function page(instance: Instance, link: string): Promise<{ status: number; html: string }> {
    const res = await fetch(`${instance.url}/share/${link.split("/").pop()}`);
    return { status: res.status, html: await res.text() };
  }

  /** Views the link on `instance` by GraphQL and by page, so both are cached there. */
  async function warm(instance: Instance, link: string): Promise<void> {
    for (let i = 0; i < 2; i++) {
      expect(await view(instance, link)).not.toBeNull();
      expect((await page(instance, link)).status).toBe(200);
    }
  }

  interface Expected {
    graphql: (view: { messages: unknown[] } | null) => boolean;
    page: (answer: { status: number; html: string }) => boolean;
  }
  const DEAD: Expected = { graphql: (v) => v === null, page: (p) => p.status === 404 };

  /**
   * Fails unless `instance` shows what is expected, by GraphQL and by page, by the time the bound and a generous
   * margin have passed since `changedAt`; then checks that it keeps doing so.
   */
  async function expectWithinBound(instance: Instance, link: string, changedAt: number, expected: Expected = DEAD): Promise<void> {
    const deadline = changedAt + BOUND_S * 1000 + MARGIN_MS;
    const current = async () => {
      const [graphql, html] = await Promise.all([view(instance, link), page(instance, link)]);
      return { graphql, page: html, ok: expected.graphql(graphql) && expected.page(html) };
    };
    for (let seen = await current(); !seen.ok; seen = await current()) {
      if (Date.now() > deadline) throw new Error(`still stale ${Date.now() - changedAt} ms after the change: ${JSON.stringify(seen.graphql)} ${seen.page.status}\n${instance.output().slice(-3000)}`);
      await sleep(200);
    }
    for (let i = 0; i < 3; i++) expect((await current()).ok).toBe(true);
  }

  /** Runs `mutate` on A while every subscription on our Redis is killed over and over (a failover, a network blip). */
  async function whileSubscriptionsAreKilled<T>(mutate: () => Promise<T>): Promise<T> {
    let killing = true;
    const killer = (async () => {
      while (killing) {
        await redis.command("CLIENT", "KILL", "TYPE", "pubsub").catch(() => undefined);
        await sleep(10);
      }
    })();
    await sleep(150);
    try {
      return await mutate();
    } finally {
      await sleep(350);
      killing = false;
      await killer;
    }
  }

  async function bothReady(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (const instance of [a, b]) await untilReady(instance, deadline);
  }

  afterEach(bothReady, 40_000);

  const MUTATE = {
    revoke: `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { revokedAt } } }`,
    delete: `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`,
    deactivate: `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`,
    refresh: `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { messageCount } } }`,
    moderate: `mutation($input: ModerateShareInput!) { moderateShare(input: $input) { disabledAt } }`,
  };

  it("a link revoked on A while B's subscription is killed stops being served by B within the bound, and the revoke is kept", async () => {
    const { owner, share } = await ownerWithShare(a);
    await warm(b, share.url);
    const revoked = await whileSubscriptionsAreKilled(() => revoke(a, owner.token, share.id));
    const diedAt = Date.now();
    expect(ok(revoked).revokeShare.share.revokedAt).not.toBeNull();
    await expectWithinBound(b, share.url, diedAt);
    const mine = ok(await gql(b, `{ myShares { edges { node { id status } } } }`, {}, owner.token)).myShares.edges;
    expect(mine).toEqual([{ node: { id: share.id, status: "REVOKED" } }]);
  });

  it("a deleted conversation's link stops being served by B within the bound", async () => {
    const { owner, conversationId, share } = await ownerWithShare(a);
    await warm(b, share.url);
    ok(await whileSubscriptionsAreKilled(() => gql(a, MUTATE.delete, { input: { conversationId } }, owner.token)));
    await expectWithinBound(b, share.url, Date.now());
  });

  it("a deactivated owner's links stop being served by B within the bound, and their sessions die", async () => {
    const { owner, share } = await ownerWithShare(a);
    await warm(b, share.url);
    ok(await whileSubscriptionsAreKilled(() => gql(a, MUTATE.deactivate, { input: { password: PASSWORD } }, owner.token)));
    await expectWithinBound(b, share.url, Date.now());
    expect(ok(await gql(b, `{ me { id } }`, {}, owner.token)).me).toBeNull();
  });

  it("a refreshed link shows its new snapshot on B within the bound", async () => {
    const { owner, conversationId, share } = await ownerWithShare(a);
    await warm(b, share.url);
    await appendMessage(a, owner.token, conversationId, "USER", "And a fourth day?");
    const refreshed = await whileSubscriptionsAreKilled(() => gql(a, MUTATE.refresh, { input: { shareId: share.id } }, owner.token));
    expect(ok(refreshed).refreshShare.share.messageCount).toBe(3);
    await expectWithinBound(b, share.url, Date.now(), {
      graphql: (v) => v?.messages.length === 3,
      page: (p) => p.status === 200 && p.html.includes("And a fourth day?"),
    });
  });

  it("a link a moderator disabled on A stops being served by B within the bound", async () => {
    const { share } = await ownerWithShare(a);
    const moderator = await signUp(a);
    const client = new Client({ connectionString: DATABASE_URL, options: `-c search_path=${db.env.DATABASE_SCHEMA}` });
    await client.connect();
    await client.query(`UPDATE users SET role = 'ADMIN' WHERE email = $1`, [moderator.email]);
    await client.end();
    await warm(b, share.url);
    const disabled = await whileSubscriptionsAreKilled(() => gql(a, MUTATE.moderate, { input: { shareId: share.id, reason: "Spam" } }, moderator.token));
    expect(ok(disabled).moderateShare.disabledAt).not.toBeNull();
    await expectWithinBound(b, share.url, Date.now());
  });

  it("with Redis paused, a revoke on A still answers, and B stops serving the link within the bound", async () => {
    const { owner, share } = await ownerWithShare(a);
    await warm(b, share.url);
    await redis.command("CLIENT", "PAUSE", 4000, "ALL");
    const revoked = await revoke(a, owner.token, share.id);
    const diedAt = Date.now();
    expect(ok(revoked).revokeShare.share.revokedAt).not.toBeNull();
    await expectWithinBound(b, share.url, diedAt);
  });

  it("with Redis stopped, links die everywhere within the bound, mutations are kept, and all is well once it is back", async () => {
    const { owner, conversationId, share } = await ownerWithShare(a);
    const second = await ownerWithShare(b);
    await warm(b, share.url);
    await warm(a, second.share.url);
    await redis.stop();

    const revoked = await revoke(a, owner.token, share.id);
    expect(ok(revoked).revokeShare.share.revokedAt).not.toBeNull();
    await expectWithinBound(b, share.url, Date.now());
    const res = await fetch(`${b.url}/readyz`);
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { database: true, redis: false, subscriber: false } },
    });
    // Made and revoked while Redis is down: acknowledged, so kept.
    const during = ok(await gql(b, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url } } }`, { input: { conversationId } }, owner.token)).shareConversation.share;
    expect((await view(a, during.url)).title).toBe("Trip to Lisbon");
    ok(await revoke(b, owner.token, during.id));
    await expectWithinBound(a, during.url, Date.now());
    ok(await gql(b, MUTATE.delete, { input: { conversationId: await createConversation(b, second.owner.token, "Other") } }, second.owner.token));
    ok(await revoke(b, second.owner.token, second.share.id));
    await expectWithinBound(a, second.share.url, Date.now());

    await redis.start();
    await bothReady();
    const mine = ok(await gql(a, `{ myShares { edges { node { id status } } } }`, {}, owner.token)).myShares.edges;
    expect(mine).toEqual([{ node: { id: during.id, status: "REVOKED" } }, { node: { id: share.id, status: "REVOKED" } }]);
    // Subscribed again: invalidations reach the other instance's cache as before.
    const after = await ownerWithShare(a);
    await warm(b, after.share.url);
    ok(await revoke(a, after.owner.token, after.share.id));
    await expectWithinBound(b, after.share.url, Date.now());
  }, 90_000);
});
