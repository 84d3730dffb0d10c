// Rate limits counted in Redis are shared by every instance, and a Redis outage degrades them to per-instance
// memory instead of failing requests. Uses a redis-server of its own, which the test stops.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { startTestServer, type TestServer } from "./helpers/server";
import { requireService } from "./helpers/require-service";
import { codes, createConversation, gql, ok, PASSWORD, signUp } from "./helpers/client";

const available = requireService(
  "rate-limits-redis",
  fs.existsSync("/usr/bin/redis-server") || Boolean(process.env.PATH?.split(":").some((dir) => fs.existsSync(path.join(dir, "redis-server")))),
  "no redis-server on PATH",
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

/** A throwaway redis-server on loopback: no persistence, its own folder. */
async function startRedis(): Promise<{ url: string; process: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  for (let attempt = 0; ; attempt++) {
    try {
      await probe.connect();
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  probe.disconnect();
  return {
    url,
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } } }`;
const VIEW = `query($link: String!) { sharedConversation(link: $link) { title } }`;
const LOGIN = `mutation($input: LogInInput!) { logIn(input: $input) { token } }`;

(available ? describe : describe.skip)("rate limits in Redis", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: TestServer;
  let b: TestServer;
  const prefix = `rate-test-${process.pid}`;

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, LOGINS_PER_ACCOUNT_PER_HOUR: "3", MESSAGES_PER_USER_PER_HOUR: "2", VIEWS_PER_IP_PER_MINUTE: "200" };
    [a, b] = [await startTestServer(env), await startTestServer(env)];
  }, 30_000);

  afterAll(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
    await redis?.stop();
  });

  it("one allowance for every instance, kept in Redis", async () => {
    // Two instances with databases of their own share nothing but Redis: the same email is one account key there.
    const email = `shared-${process.pid}@example.com`;
    await signUp(a, { email });
    await signUp(b, { email });
    ok(await gql(a, LOGIN, { input: { email, password: PASSWORD } }));
    ok(await gql(b, LOGIN, { input: { email, password: PASSWORD } }));
    ok(await gql(a, LOGIN, { input: { email, password: PASSWORD } }));
    const refused = await gql(b, LOGIN, { input: { email, password: PASSWORD } });
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(refused.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    const client = new Redis(redis.url);
    try {
      expect(await client.keys(`${prefix}:rate:logins-account:*`)).toEqual([`${prefix}:rate:logins-account:${email}`]);
    } finally {
      client.disconnect();
    }
  });

  it("an allowance of 200 or more, taken from Redis in chunks, is still one allowance for every instance", async () => {
    // Any well-formed token is counted before it is looked up: the answer is null, the view still spends the allowance.
    const link = "A".repeat(43);
    const answers = [];
    for (let i = 0; i < 201; i++) answers.push(await gql(i % 2 ? b : a, VIEW, { link }));
    expect(answers.slice(0, 200).filter((r) => codes(r).length > 0)).toEqual([]);
    expect(codes(answers[200])).toEqual(["RATE_LIMITED"]);
  });

  it("while Redis is down, each instance counts in its own memory: requests are served and still limited", async () => {
    const owner = await signUp(a);
    const id = await createConversation(a, owner.token, "Through an outage");
    ok(await gql(a, APPEND, { input: { conversationId: id, role: "USER", content: "before" } }, owner.token));
    await redis.stop();
    const during = [];
    for (let i = 0; i < 3; i++) during.push(await gql(a, APPEND, { input: { conversationId: id, role: "USER", content: `during ${i}` } }, owner.token));
    // The memory insurance starts its own window: two allowed, the third refused, none failed.
    expect(during.map((r) => codes(r))).toEqual([[], [], ["RATE_LIMITED"]]);
    expect(a.logs.some((line) => line.msg === "rate limits counted in memory: Redis did not answer")).toBe(true);
  });
});
