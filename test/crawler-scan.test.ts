// A crawler reads thousands of links once each, driven by autocannon (a real HTTP load tool), while people keep
// opening one hot link: the hot link stays in both view caches (the server's own metrics say so), and a cached link
// revoked in the middle of the scan is gone everywhere from the moment the revoke answers, while the scan goes on.
// The server runs as src/index.ts in a child process with small caches, so a scan of thousands overflows them:
// once on SQLite, and as two instances on one PostgreSQL and one Redis.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { createSchema } from "./helpers/server";
import { requireService } from "./helpers/require-service";
import { DEPLOYMENT_ENV, forgetRedisKeys, scrape, startInstance, stopInstance, type Instance } from "./helpers/instances";
import { appendMessage, createConversation, gql, MODERN_ACCEPT, ok, revoke, shareConversation, signUp, type Account } from "./helpers/client";

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;
const twoInstances = requireService("crawler-scan (two instances)", Boolean(DATABASE_URL && REDIS_URL), "they need TEST_DATABASE_URL and TEST_REDIS_URL (.ci/run sets both)");

/** Links each scan reads, once each. */
const SCAN = 2000;
/** Crawled answers between two reads of the hot link in the first test: more than either cache holds (see ENV). */
const HOT_EVERY = 100;

// Small caches, so that SCAN overflows them many times over: 32 snapshots; about 25 whole responses in 32 KiB (a
// crawled answer with its key and headers takes about 1.3 KB). Entries are trusted for ten minutes, longer than any
// run, so that no lookup is a revalidation: every view is then exactly one hit or one miss in the metrics.
const ENV = {
  ...DEPLOYMENT_ENV,
  SNAPSHOT_CACHE_SIZE: "32",
  RESPONSE_CACHE_MAX_BYTES: String(32 * 1024),
  SHARE_CACHE_MAX_AGE_SECONDS: "600",
  SIGNUPS_PER_IP_PER_HOUR: "0",
  SHARES_PER_USER_PER_HOUR: "0",
  VIEWS_PER_IP_PER_MINUTE: "0",
};

const VIEW = `query($link: String!) { sharedConversation(link: $link) { title messages { content } } }`;
const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url } } }`;
const TITLE = "Crawled";

/** A link and exactly what it shows: its message, and that message as the share page renders it. */
interface Link {
  id: string;
  url: string;
  content: string;
  html: string;
}

/**
 * A message of distinct words. Each crawled link hides another range of whole words (a redaction span), so every
 * link shows different text, and an answer served for the wrong link (a cache mix-up) cannot pass for the right one.
 */
const WORDS = Array.from({ length: 100 }, (_, k) => `zq${String.fromCharCode(97 + Math.floor(k / 26))}${String.fromCharCode(97 + (k % 26))}`);
const TEXT = WORDS.join(" ");
const OFFSETS = WORDS.map((_, k) => WORDS.slice(0, k).join(" ").length + (k > 0 ? 1 : 0));

function hidden(from: number, to: number): { start: number; end: number; content: string; html: string } {
  const start = OFFSETS[from];
  const end = OFFSETS[to - 1] + WORDS[to - 1].length;
  return {
    start,
    end,
    content: `${TEXT.slice(0, start)}[removed]${TEXT.slice(end)}`,
    html: `<p>${TEXT.slice(0, start)}<span class="redacted">[removed]</span>${TEXT.slice(end)}</p>`,
  };
}

/** The owner's conversation, and `count` links to it, each hiding another range; made through the API by autocannon. */
async function createLinks(instance: Instance, count: number): Promise<{ owner: Account; conversationId: string; links: Link[] }> {
  const owner = await signUp(instance);
  const conversationId = await createConversation(instance, owner.token, TITLE);
  const messageId: string = (await appendMessage(instance, owner.token, conversationId, "USER", TEXT)).id;
  const ranges: ReturnType<typeof hidden>[] = [];
  for (let from = 0; from < WORDS.length && ranges.length < count; from++) {
    for (let to = from + 1; to <= WORDS.length && ranges.length < count; to++) ranges.push(hidden(from, to));
  }
  if (ranges.length < count) throw new Error(`only ${ranges.length} distinct links can be made`);
  const links: Link[] = new Array(count);
  let next = 0;
  const result = await autocannon({
    url: `${instance.url}/graphql`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
    connections: 4,
    amount: count,
    timeout: 30,
    sampleInt: 100,
    requests: [
      {
        setupRequest: (request, context) => {
          const i = next++;
          (context as Turn).index = i;
          const { start, end } = ranges[i];
          const input = { conversationId, redactions: { spans: [{ messageId, start, end }] } };
          return { ...request, body: JSON.stringify({ query: SHARE, variables: { input } }) };
        },
        onResponse: (status, body, context) => {
          const i = (context as Turn).index;
          const share = status === 200 ? JSON.parse(body).data?.shareConversation?.share : undefined;
          if (share) links[i] = { id: share.id, url: share.url, content: ranges[i].content, html: ranges[i].html };
        },
      },
    ],
  });
  const made = links.filter(Boolean).length;
  if (made !== count || result.errors || result.timeouts) throw new Error(`made ${made} of ${count} links (${result.errors} errors, ${result.timeouts} timeouts)`);
  return { owner, conversationId, links };
}

/** A link to the whole conversation: one the crawler never reads, that people keep opening. */
async function hotLink(instance: Instance, owner: Account, conversationId: string): Promise<Link> {
  const share = await shareConversation(instance, owner.token, conversationId);
  return { id: share.id, url: share.url, content: TEXT, html: `<p>${TEXT}</p>` };
}

/** What a connection last sent. */
interface Turn {
  index: number;
}

const tokenOf = (url: string) => url.split("/").pop()!;

/** The scan's outcome as autocannon counted it, and every answer that was not exactly its link's. */
interface Scan {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  wrong: string[];
}

/**
 * A crawler: reads every link once, over 8 connections, alternately as a share page (GET /share/<token>) and through
 * GraphQL, and checks each answer against the link's own text. `answered` hears the count of answers so far.
 */
async function crawl(instance: Instance, links: readonly Link[], answered: (count: number) => void): Promise<Scan> {
  const wrong: string[] = [];
  let next = 0;
  let count = 0;
  const result = await autocannon({
    url: instance.url,
    connections: 8,
    amount: links.length,
    timeout: 30,
    // autocannon ends a run at its first sampling tick after the last answer: 100 ms rather than a second.
    sampleInt: 100,
    requests: [
      {
        setupRequest: (request, context) => {
          const i = next++;
          (context as Turn).index = i;
          if (i % 2 === 0) return { ...request, method: "GET", path: `/share/${tokenOf(links[i].url)}`, headers: { accept: "text/html" }, body: undefined };
          const body = JSON.stringify({ query: VIEW, variables: { link: links[i].url } });
          return { ...request, method: "POST", path: "/graphql", headers: { "content-type": "application/json", accept: MODERN_ACCEPT }, body };
        },
        onResponse: (status, body, context) => {
          const i = (context as Turn).index;
          const right = i % 2 === 0 ? status === 200 && body.includes(links[i].html) : status === 200 && isView(body, links[i].content);
          if (!right && wrong.length < 10) wrong.push(`link ${i} (${i % 2 === 0 ? "page" : "GraphQL"}): ${status} ${body.slice(0, 200)}`);
          answered(++count);
        },
      },
    ],
  });
  return { ok: result["2xx"], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, wrong };
}

function isView(body: string, content: string): boolean {
  try {
    const parsed = JSON.parse(body);
    return parsed.errors === undefined && JSON.stringify(parsed.data) === JSON.stringify({ sharedConversation: { title: TITLE, messages: [{ content }] } });
  } catch {
    return false;
  }
}

/** One read of a link by a person: when it was sent and answered (ms, performance.now()), and what it showed. */
interface Read {
  on: string;
  by: "GraphQL" | "page";
  sentAt: number;
  answeredAt: number;
  shows: "the link" | "gone" | string;
}

async function read(instance: Instance, name: string, link: Link, by: Read["by"]): Promise<Read> {
  const sentAt = performance.now();
  let shows: string;
  if (by === "GraphQL") {
    const answer = await gql(instance, VIEW, { link: link.url });
    const view = answer.status === 200 && !answer.errors ? answer.data?.sharedConversation : undefined;
    shows = view === null ? "gone" : isView(answer.text, link.content) ? "the link" : `${answer.status} ${answer.text.slice(0, 200)}`;
  } else {
    const res = await fetch(`${instance.url}/share/${tokenOf(link.url)}`, { headers: { accept: "text/html" } });
    const html = await res.text();
    shows = res.status === 404 ? "gone" : res.status === 200 && html.includes(link.html) ? "the link" : `${res.status} ${html.slice(0, 200)}`;
  }
  return { on: name, by, sentAt, answeredAt: performance.now(), shows };
}

/** Reads the link twice each way, so both caches hold it (neither is full yet: every link is kept from its first read). */
async function warm(instance: Instance, name: string, link: Link): Promise<void> {
  for (let i = 0; i < 2; i++) {
    for (const by of ["GraphQL", "page"] as const) expect((await read(instance, name, link, by)).shows).toBe("the link");
  }
}

/** The view caches' counters from /metrics, as an operator's Prometheus reads them. */
interface CacheCounters {
  /** Views answered from the whole-response cache. */
  responseHits: number;
  /** Views whose link came from the snapshot cache, and those that read it from the database. */
  snapshotHits: number;
  snapshotMisses: number;
}

async function counters(instance: Instance): Promise<CacheCounters> {
  const value = await scrape(instance);
  return {
    responseHits: value("chat_share_public_response_cache_hits_total"),
    snapshotHits: value('chat_share_snapshot_cache_lookups_total{result="hit"}'),
    snapshotMisses: value('chat_share_snapshot_cache_lookups_total{result="miss"}'),
  };
}

function since(before: CacheCounters, after: CacheCounters): CacheCounters {
  return { responseHits: after.responseHits - before.responseHits, snapshotHits: after.snapshotHits - before.snapshotHits, snapshotMisses: after.snapshotMisses - before.snapshotMisses };
}

/** Counts answers as they come, and lets a reader wait until some number of them has come. */
class Progress {
  count = 0;
  private waiting: { at: number; resolve: () => void }[] = [];

  update(count: number): void {
    this.count = count;
    this.waiting = this.waiting.filter((w) => (count >= w.at ? (w.resolve(), false) : true));
  }

  reached(at: number): Promise<void> {
    return this.count >= at ? Promise.resolve() : new Promise((resolve) => this.waiting.push({ at, resolve }));
  }

  /** Releases every waiter: the scan is over. */
  end(): void {
    this.update(Infinity);
  }
}

const CLEAN_SCAN = (count: number): Scan => ({ ok: count, non2xx: 0, errors: 0, timeouts: 0, wrong: [] });

/** A hot link to revoke during a scan, and the instance to revoke it through. */
interface Revocation {
  link: Link;
  through: string;
}

/**
 * Scans `links` on the first of `instances` while people keep reading every link of `revocations` on every
 * instance, and revokes them in turn while the scan is under way (the first once a third of it is answered when
 * there is one). Checks that every read of a link sent after its revoke answered showed it gone, by GraphQL and by
 * page, on every instance; that every read that showed a link came from memory (the metrics); and that the scan went
 * on, every answer right.
 */
async function revokeDuringScan(instances: Record<string, Instance>, owner: Account, revocations: Revocation[], links: readonly Link[]): Promise<void> {
  const names = Object.keys(instances);
  const scanned = instances[names[0]];
  for (const name of names) for (const { link } of revocations) await warm(instances[name], name, link);
  const before = await Promise.all(names.map((name) => counters(instances[name])));

  const progress = new Progress();
  const scan = crawl(scanned, links, (count) => progress.update(count)).finally(() => progress.end());
  let scanning = true;
  const reads: (Read & { of: number })[] = [];
  const readOf = async (name: string, of: number, by: Read["by"]) => ({ ...(await read(instances[name], name, revocations[of].link, by)), of });
  const readers = names.map(async (name) => {
    while (scanning) {
      for (let of = 0; of < revocations.length; of++) for (const by of ["GraphQL", "page"] as const) reads.push(await readOf(name, of, by));
    }
  });
  const revoked: { sentAt: number; answeredAt: number; scanAnswered: number }[] = [];
  let outcome: Scan;
  try {
    for (let of = 0; of < revocations.length; of++) {
      await progress.reached(Math.floor((links.length * (of + 1)) / (revocations.length + 2)));
      const { link, through } = revocations[of];
      const sentAt = performance.now();
      const answer = await revoke(instances[through], owner.token, link.id);
      revoked.push({ sentAt, answeredAt: performance.now(), scanAnswered: progress.count });
      expect(ok(answer).revokeShare.share.revokedAt).not.toBeNull();
      // At once, on every instance, both ways at the same time.
      const probes = await Promise.all(names.flatMap((name) => (["GraphQL", "page"] as const).map((by) => readOf(name, of, by))));
      reads.push(...probes);
      expect(probes.map((r) => `${r.on} ${r.by}: ${r.shows}`)).toEqual(names.flatMap((name) => [`${name} GraphQL: gone`, `${name} page: gone`]));
    }
    outcome = await scan;
  } finally {
    // Even when a check above failed: nothing may go on reading once the test is over.
    await scan.catch(() => undefined);
    scanning = false;
    await Promise.allSettled(readers);
  }
  await Promise.all(readers);
  const after = await Promise.all(names.map((name) => counters(instances[name])));

  expect(outcome).toEqual(CLEAN_SCAN(links.length));
  // The scan was still under way when the last revoke answered, and went on after it.
  expect(revoked[revoked.length - 1].scanAnswered).toBeLessThan(links.length);
  expect(reads.filter((r) => r.shows !== "the link" && r.shows !== "gone")).toEqual([]);
  revoked.forEach(({ sentAt, answeredAt }, of) => {
    const mine = reads.filter((r) => r.of === of);
    const sentAfter = mine.filter((r) => r.sentAt >= answeredAt);
    const answeredBefore = mine.filter((r) => r.answeredAt <= sentAt);
    expect(sentAfter.filter((r) => r.shows !== "gone")).toEqual([]);
    expect(answeredBefore.filter((r) => r.shows !== "the link")).toEqual([]);
    for (const name of names) {
      for (const by of ["GraphQL", "page"]) {
        expect(answeredBefore.filter((r) => r.on === name && r.by === by).length).toBeGreaterThan(0);
        expect(sentAfter.filter((r) => r.on === name && r.by === by).length).toBeGreaterThan(0);
      }
    }
  });

  // Every view is one hit or one miss. Each read that showed a link came from memory (either cache: a revoke empties
  // the whole-response cache, so the other link's next GraphQL view may come from the snapshot cache); each that
  // found it gone, and each crawled link (read once), came from the database.
  names.forEach((name, i) => {
    const mine = reads.filter((r) => r.on === name);
    const seen = since(before[i], after[i]);
    expect({ instance: name, fromMemory: seen.responseHits + seen.snapshotHits, fromDatabase: seen.snapshotMisses }).toEqual({
      instance: name,
      fromMemory: mine.filter((r) => r.shows === "the link").length,
      fromDatabase: mine.filter((r) => r.shows === "gone").length + (i === 0 ? links.length : 0),
    });
  });
}

describe("a crawler's scan of one instance on SQLite", () => {
  let dir: string;
  let a: Instance;
  let owner: Account;
  let conversationId: string;
  let links: Link[];

  // Making the links takes about 15 seconds on a quiet machine, and several times that beside other test files.
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-crawl-"));
    a = await startInstance({ ...ENV, DATABASE_URL: `sqlite:${path.join(dir, "crawl.sqlite")}`, DATA_DIR: dir });
    ({ owner, conversationId, links } = await createLinks(a, 2 * SCAN));
  }, 90_000);

  afterAll(async () => {
    await stopInstance(a);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it(`a scan of ${SCAN} links, each read once, leaves the link people keep opening in both caches, and every answer is right`, async () => {
    const hot = await hotLink(a, owner, conversationId);
    await warm(a, "A", hot);
    const before = await counters(a);

    // The hot link is read after every HOT_EVERY crawled answers: plain LRU would have evicted it from both caches
    // by then, each time.
    const progress = new Progress();
    const scan = crawl(a, links.slice(0, SCAN), (count) => progress.update(count)).finally(() => progress.end());
    const reads: Read[] = [];
    for (let at = HOT_EVERY; at < SCAN; at += HOT_EVERY) {
      await progress.reached(at);
      if (progress.count >= SCAN) break;
      for (const by of ["GraphQL", "page"] as const) reads.push(await read(a, "A", hot, by));
    }
    const outcome = await scan;
    const seen = since(before, await counters(a));

    expect(outcome).toEqual(CLEAN_SCAN(SCAN));
    expect(reads.filter((r) => r.shows !== "the link")).toEqual([]);
    expect(reads.length).toBeGreaterThan(0);
    // Every hot GraphQL view was a whole cached response, every hot page came from the snapshot cache, and every
    // crawled link (never read before, read once) from the database: the hot link never did.
    expect(seen).toEqual({
      responseHits: reads.filter((r) => r.by === "GraphQL").length,
      snapshotHits: reads.filter((r) => r.by === "page").length,
      snapshotMisses: SCAN,
    });
  }, 45_000);

  it("a cached link revoked in the middle of a scan is gone from the moment the revoke answers, by GraphQL and page, and the scan goes on", async () => {
    await revokeDuringScan({ A: a }, owner, [{ link: await hotLink(a, owner, conversationId), through: "A" }], links.slice(SCAN, 2 * SCAN));
  }, 45_000);
});

(twoInstances ? describe : describe.skip)("a crawler's scan of one of two instances on one PostgreSQL and one Redis", () => {
  const prefix = `chat-share-crawl-${randomBytes(4).toString("hex")}`;
  let db: Awaited<ReturnType<typeof createSchema>>;
  let a: Instance;
  let b: Instance;
  let owner: Account;
  let conversationId: string;
  let links: Link[];

  beforeAll(async () => {
    db = await createSchema();
    const env = { ...ENV, ...db.env, REDIS_URL: REDIS_URL!, REDIS_KEY_PREFIX: prefix };
    // Started together: the migration lock lets exactly one of them create the schema.
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    ({ owner, conversationId, links } = await createLinks(a, SCAN));
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a, b].map(stopInstance));
    await db?.drop();
    await forgetRedisKeys(REDIS_URL!, prefix);
  }, 30_000);

  it("links cached on both, revoked mid-scan through the scanned one and through the other, are gone on both from the moment each revoke answers, and the scan goes on", async () => {
    await revokeDuringScan({ A: a, B: b }, owner, [{ link: await hotLink(a, owner, conversationId), through: "A" }, { link: await hotLink(a, owner, conversationId), through: "B" }], links);
  }, 45_000);
});
