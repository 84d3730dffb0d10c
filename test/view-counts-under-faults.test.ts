// View counts under real faults: a SIGKILL around a flush loses at most the views not yet written and never counts one
// twice; two instances flushing the same links at once on PostgreSQL add up exactly; a flush whose PostgreSQL
// connection drops (inside its transaction, in its COMMIT, or after it) counts its views once. Real processes, real
// databases.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { Client } from "pg";
import { startInstance, stopInstance, type Instance } from "./helpers/instances";
import { createConversation, dbId, gql, ok, shareConversation, signUp, type Account } from "./helpers/client";
import { createSchema } from "./helpers/server";
import { requireService } from "./helpers/require-service";
import { seededRandom } from "./helpers/random";
import { setTimeout as sleep } from "node:timers/promises";

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const onPostgres = requireService("view-counts-under-faults (PostgreSQL)", Boolean(DATABASE_URL), "they need TEST_DATABASE_URL (.ci/run sets it)");

const SHARE_BASE_URL = "https://chat.example/share/";
/** How long a state the test waits for may take to show on a busy machine before the test gives up: generous. */
const DEADLINE_MS = 30_000;

const started: Instance[] = [];
const folders: string[] = [];
afterAll(async () => {
  // Only what a failing test left running; every test stops its own servers.
  const running = started.filter((instance) => instance.child.exitCode === null && instance.child.signalCode === null);
  for (const instance of running) instance.child.kill("SIGKILL");
  await Promise.all(running.map((instance) => instance.exit));
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-view-counts-"));
  folders.push(dir);
  return dir;
}

/** src/index.ts as its own process, with fixed secrets (so sessions and links outlive a restart) and a flush every 100 ms. */
async function start(env: Record<string, string>): Promise<Instance> {
  const instance = await startInstance({
    HOST: "127.0.0.1",
    PORT: "0",
    SCRYPT_LOG_N: "12",
    LOG_LEVEL: "info",
    JWT_SECRET: "view-count-test-session-secret-0123456789abcdef",
    SHARE_LINK_KEY: "view-count-test-share-link-key-0123456789abcdef",
    SHARE_BASE_URL,
    SIGNUPS_PER_IP_PER_HOUR: "0",
    LOGINS_PER_IP_PER_HOUR: "0",
    SHARES_PER_USER_PER_HOUR: "0",
    // All the load comes from 127.0.0.1: the limit stays on, so a view cached or not spends it as in production, but
    // far above what the test sends.
    VIEWS_PER_IP_PER_MINUTE: "1000000",
    VIEW_COUNT_FLUSH_MS: "100",
    ...env,
  });
  started.push(instance);
  return instance;
}

/** Waits for `until` to hold, checking every `everyMs`; fails naming `what` after the deadline. */
async function poll(what: string, until: () => boolean | Promise<boolean>, everyMs = 50): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await until())) {
    if (Date.now() > deadline) throw new Error(`still waiting, after ${DEADLINE_MS / 1000} s, for ${what}`);
    await sleep(everyMs);
  }
}

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

/** The lines a server logged (JSON, one a line; a line still being written is not one yet). */
function logged(server: Instance): Record<string, unknown>[] {
  return server.output().split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The lines in which a server logged a flush that failed (and was put back). */
const failedFlushes = (server: Instance) => logged(server).filter(({ msg }) => msg === "could not write view counts");

// ---------------------------------------------------------------------------------------------------------------
// Links, views, and what the clients were told.

interface Link {
  /** The global id the API gives the owner. */
  id: string;
  /** The row's id, as share_view_totals names it. */
  shareId: string;
  url: string;
  title: string;
  /** Its one message, which the share page shows. */
  content: string;
}

/** `n` links, each of a conversation of its own with a title of its own, so an answer shows which link it is. */
async function makeLinks(server: Instance, owner: Account, n: number): Promise<Link[]> {
  const links: Link[] = [];
  for (let i = 0; i < n; i++) {
    const title = `Counted ${i}`;
    const conversationId = await createConversation(server, owner.token, title, [{ role: "USER", content: `Count the views of link ${i}.` }]);
    const share = await shareConversation(server, owner.token, conversationId);
    links.push({ id: share.id, shareId: dbId(share.id), url: share.url, title, content: `Count the views of link ${i}.` });
  }
  return links;
}

const VIEW = `query View($link: String!) { sharedConversation(link: $link) { title } }`;

/**
 * The three doors a view comes through, each counted once: the same GraphQL request again (answered from the
 * whole-response cache after its first time), a GraphQL document never sent before (executed, the snapshot from
 * its cache), and the share page.
 */
type Door = "cached" | "executed" | "page";
const DOORS: Door[] = ["cached", "cached", "executed", "page"];
let documents = 0;

class Tally {
  /** Views sent per link: answered, or cut off by a kill (then possibly counted, possibly not). */
  readonly sent: number[];
  readonly answered: number[];
  /** Views answered per link by each server process: it saw every one of them, written or still batched. */
  readonly answeredBy = new Map<Instance, number[]>();
  readonly cutOff: number[];
  /** Anything a client saw that cannot be right; a test fails listing them all. */
  readonly problems: string[] = [];

  constructor(readonly links: Link[]) {
    this.sent = links.map(() => 0);
    this.answered = links.map(() => 0);
    this.cutOff = links.map(() => 0);
  }

  /** One view of link `i` through `door`; false when the server did not answer (it was killed). */
  async view(server: Instance, i: number, door: Door): Promise<boolean> {
    const link = this.links[i];
    this.sent[i]++;
    let title: string | undefined;
    try {
      if (door === "page") {
        const res = await fetch(`${server.url}/share/${link.url.split("/").pop()}`);
        const html = await res.text();
        if (res.status !== 200) this.problems.push(`the page of link ${i} answered ${res.status}`);
        title = html.includes(link.content) ? link.title : undefined;
      } else {
        const query = door === "cached" ? VIEW : `${VIEW} # ${++documents}`;
        const result = await gql(server, query, { link: link.url });
        if (result.errors?.length) this.problems.push(`a view of link ${i} (${door}) answered ${result.text}`);
        title = result.data?.sharedConversation?.title;
      }
    } catch {
      this.cutOff[i]++;
      return false;
    }
    this.answered[i]++;
    this.answeredOn(server)[i]++;
    if (title !== link.title) this.problems.push(`a view of link ${i} (${door}) did not show "${link.title}"`);
    return true;
  }

  answeredOn(server: Instance): number[] {
    let counts = this.answeredBy.get(server);
    if (!counts) this.answeredBy.set(server, (counts = this.links.map(() => 0)));
    return counts;
  }

  /**
   * `loops` clients viewing the links in `order`, each starting at another place in it and cycling the doors, for
   * `rounds` rounds or until `stopped`, or until the server stops answering.
   */
  load(server: Instance, order: number[], { loops, rounds = Infinity, stopped = () => false }: { loops: number; rounds?: number; stopped?: () => boolean }): Promise<void> {
    return Promise.all(
      Array.from({ length: loops }, async (_, loop) => {
        for (let round = 0; round < rounds && !stopped(); round++) {
          for (let step = 0; step < order.length && !stopped(); step++) {
            const i = order[(step + loop * 3) % order.length];
            if (!(await this.view(server, i, DOORS[(round + step + loop) % DOORS.length]))) return;
          }
        }
      }),
    ).then(() => undefined);
  }
}

const COUNTS = `{ myShares(first: 100) { edges { node { id viewCount viewsByDay(days: 2) { views } } } } }`;

/** What the owner sees: each link's viewCount, and the sum of its views by day (two days, in case the test spans midnight). */
async function ownerCounts(server: Instance, owner: Account, links: Link[]): Promise<{ viewCount: number; byDay: number }[]> {
  const edges: { node: { id: string; viewCount: number; viewsByDay: { views: number }[] } }[] = ok(await gql(server, COUNTS, {}, owner.token)).myShares.edges;
  const byId = new Map(edges.map(({ node }) => [node.id, { viewCount: node.viewCount, byDay: node.viewsByDay.reduce((sum, d) => sum + d.views, 0) }]));
  return links.map((link) => byId.get(link.id)!);
}

/** Where a server's life began: the views it found stored, and the views sent (to any server) by then. */
interface Baseline {
  stored: number[];
  sent: number[];
}

/**
 * While the load runs, the owner keeps reading the counts from `server`, which are said to be "always complete when
 * read here": never fewer than what was stored when it started plus the views it answered itself before the read
 * was sent (another instance's appear once written); never more than that stored plus every view sent since, to any
 * instance, by the time the read answered.
 */
async function watchOwner(
  server: Instance,
  owner: Account,
  tally: Tally,
  from: Baseline,
  pauseMs: number,
  stopped: () => boolean,
  { survives = false }: { survives?: boolean } = {},
): Promise<void> {
  while (!stopped()) {
    const before = [...tally.answeredOn(server)];
    let counts: { viewCount: number }[];
    try {
      counts = await ownerCounts(server, owner, tally.links);
    } catch (error) {
      // Killed; unless the server was to survive, when a failed read is what the owner would have seen go wrong.
      if (survives) tally.problems.push(`the owner's read of the counts failed: ${String(error)}`);
      return;
    }
    for (const [i, { viewCount }] of counts.entries()) {
      const [most, least] = [from.stored[i] + tally.sent[i] - from.sent[i], from.stored[i] + before[i]];
      if (viewCount > most) tally.problems.push(`the owner saw ${viewCount} views of link ${i} where at most ${most} could have been counted`);
      if (viewCount < least) tally.problems.push(`the owner saw ${viewCount} views of link ${i} where at least ${least} had been counted`);
    }
    await sleep(pauseMs);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SQLite: the file, seen from outside the server.

/**
 * Watches a server's SQLite file from a connection of its own, as an operator's tool would: which flushes have
 * committed (data_version moves with every commit of another connection, and a flush is the only writer while views
 * run), and the totals they left.
 */
class FlushWatch {
  private readonly db: Database.Database;
  private version: number;
  /** Commits seen since the watch began (several between two looks count once). */
  commits = 0;
  /** The highest total seen committed per share id: views the file provably holds. */
  readonly committed = new Map<string, number>();
  readonly problems: string[] = [];

  constructor(file: string) {
    this.db = new Database(file, { timeout: 0 });
    this.version = this.db.pragma("data_version", { simple: true }) as number;
    this.readTotals();
  }

  private readTotals(): void {
    for (const { id, n } of this.db.prepare(`SELECT share_id AS id, view_count AS n FROM share_view_totals`).all() as { id: string; n: number }[]) {
      const before = this.committed.get(id) ?? 0;
      if (n < before) this.problems.push(`the stored total of ${id} went down from ${before} to ${n}`);
      this.committed.set(id, Math.max(before, n));
    }
  }

  look(): void {
    const version = this.db.pragma("data_version", { simple: true }) as number;
    if (version !== this.version) {
      this.version = version;
      this.commits++;
      this.readTotals();
    }
  }

  /** Looks every millisecond or so until `until` holds, then does `then` at once, before anything else can run. */
  async until(what: string, until: () => boolean, then: () => void = () => {}): Promise<void> {
    await poll(what, () => {
      this.look();
      if (!until()) return false;
      then();
      return true;
    }, 1);
  }

  close(): void {
    this.db.close();
  }
}

/**
 * SIGKILLs `pid` with a flush's transaction provably open. The moment a thread of its own, probing all the time,
 * finds the file's write lock taken (BEGIN IMMEDIATE fails; when it succeeds it lets go at once), it freezes the
 * process (SIGSTOP); if the lock is still held 50 ms later, long after a flush lets go, the process is frozen inside
 * the transaction and is killed there; else it goes on (SIGCONT) and the next flush is tried. A flush holds the lock
 * for a fraction of a millisecond, less than a signal may take to land, let alone the test's busy event loop to act
 * on a look; and the load goes on meanwhile, so the flush caught carries a full interval's views. Answers the views
 * stored just before (to tell afterwards whether that flush got to commit), or null if none was caught in time.
 */
function killWhileWriting(file: string, pid: number): Promise<{ storedBefore: number } | null> {
  const code = `
    const { workerData, parentPort } = require("node:worker_threads");
    const Database = require(workerData.sqlite);
    const db = new Database(workerData.file, { timeout: 0 });
    const stored = db.prepare("SELECT coalesce(sum(view_count), 0) AS n FROM share_view_totals");
    const locked = () => {
      try {
        db.exec("BEGIN IMMEDIATE");
        db.exec("ROLLBACK");
        return false;
      } catch (error) {
        if (error.code !== "SQLITE_BUSY") throw error;
        return true;
      }
    };
    // A probe that took the lock a moment ago would make the server's writer back off for milliseconds: look every
    // 50 µs or so, not without pause.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let version = -1, storedBefore = 0, outcome = null;
    for (const end = Date.now() + workerData.ms; outcome === null && Date.now() < end; Atomics.wait(pause, 0, 0, 0.05)) {
      const v = db.pragma("data_version", { simple: true });
      if (v !== version) [version, storedBefore] = [v, stored.get().n];
      if (!locked()) continue;
      process.kill(workerData.pid, "SIGSTOP");
      let held = true;
      for (const until = Date.now() + 50; held && Date.now() < until; ) held = locked();
      if (held) {
        process.kill(workerData.pid, "SIGKILL");
        outcome = { storedBefore };
      } else process.kill(workerData.pid, "SIGCONT");
    }
    db.close();
    parentPort.postMessage(outcome);`;
  const worker = new Worker(code, { eval: true, workerData: { file, pid, ms: DEADLINE_MS, sqlite: require.resolve("better-sqlite3") } });
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

/** What the file holds after the process died, read with no server in between; fails unless it is sound. */
function stored(file: string): { totals: Map<string, number>; days: Map<string, number> } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(db.pragma("foreign_key_check")).toEqual([]);
    const rows = (sql: string) => new Map((db.prepare(sql).all() as { id: string; n: number }[]).map((r) => [r.id, r.n]));
    return {
      totals: rows(`SELECT share_id AS id, view_count AS n FROM share_view_totals`),
      days: rows(`SELECT share_id AS id, SUM(views) AS n FROM share_view_days GROUP BY share_id`),
    };
  } finally {
    db.close();
  }
}

describe("a SIGKILL around a view-count flush (SQLite)", () => {
  it("loses at most the views not yet written, never counts one twice, and the restarted server counts on from what is stored", async () => {
    const seed = Date.now();
    const rand = seededRandom(seed);
    const file = path.join(tempDir(), "chat-share.sqlite");
    const env = { DATABASE_URL: `sqlite:${file}`, DATA_DIR: path.dirname(file) };
    let server = await start(env);
    const owner = await signUp(server, { displayName: "Olivia Owner" });
    const links = await makeLinks(server, owner, 24);
    const tally = new Tally(links);
    const order = links.map((_, i) => i);
    const summary: string[] = [];
    let from: Baseline = { stored: links.map(() => 0), sent: [...tally.sent] };

    // Three kill moments: inside a flush's transaction, right after one committed, and anywhere between two.
    const moments = ["inside a flush's transaction", "just after a flush committed", "at a random moment between flushes"];
    for (const [cycle, moment] of moments.entries()) {
      const watch = new FlushWatch(file);
      let stop = false;
      const loadDone = tally.load(server, order, { loops: 8, stopped: () => stop });
      const ownerDone = watchOwner(server, owner, tally, from, 20, () => stop);
      // Flushes have happened under this load (observed in the file, not assumed from the clock)...
      await watch.until(`five flushes in cycle ${cycle + 1}`, () => watch.commits >= 5);
      // ...then the kill, at this cycle's moment.
      const kill = () => server.child.kill("SIGKILL");
      let killedWriting: { storedBefore: number } | null = null;
      if (cycle === 0) {
        killedWriting = await killWhileWriting(file, server.child.pid!);
        if (!killedWriting) throw new Error(`no flush was seen holding the write lock within ${DEADLINE_MS / 1000} s`);
      } else if (cycle === 1) {
        const commits = watch.commits;
        await watch.until("one more flush", () => watch.commits > commits, kill);
      } else {
        await sleep(Math.floor(rand() * 100));
        kill();
      }
      const committedBeforeKill = new Map(watch.committed);
      expect(await server.exit).toBeNull();
      stop = true;
      await Promise.all([loadDone, ownerDone]);
      watch.look();
      watch.close();
      expect({ seed, cycle, problems: [...tally.problems, ...watch.problems] }).toEqual({ seed, cycle, problems: [] });

      // The file: sound, every flush whole (its totals and its per-day rows together or neither), nothing that was
      // seen committed lost, and no view counted more often than it was sent.
      const { totals, days } = stored(file);
      const found = links.map((link, i) => ({
        link: i,
        total: totals.get(link.shareId) ?? 0,
        byDay: days.get(link.shareId) ?? 0,
        committedBefore: committedBeforeKill.get(link.shareId) ?? 0,
        sent: tally.sent[i],
      }));
      for (const f of found) {
        expect({ seed, cycle, ...f, wholeFlushes: f.byDay === f.total }).toEqual({ seed, cycle, ...f, wholeFlushes: true });
        expect({ seed, cycle, ...f, nothingCommittedLost: f.total >= f.committedBefore }).toEqual({ seed, cycle, ...f, nothingCommittedLost: true });
        expect({ seed, cycle, ...f, neverMoreThanSent: f.total <= f.sent }).toEqual({ seed, cycle, ...f, neverMoreThanSent: true });
      }
      const [total, answered, cutOff] = [sum(found.map((f) => f.total)), sum(tally.answered), sum(tally.cutOff)];
      // The flush caught writing either committed whole or left no trace; what was stored before it stays.
      if (killedWriting) expect({ seed, cycle, total, storedBefore: killedWriting.storedBefore, kept: total >= killedWriting.storedBefore }).toMatchObject({ kept: true });
      const flushAtKill = killedWriting ? (total > killedWriting.storedBefore ? ", which committed before the kill landed" : ", which was rolled back") : "";
      summary.push(`cycle ${cycle + 1}: killed ${moment}${flushAtKill}; ${answered} views answered and ${cutOff} cut off so far, ${total} stored`);

      // The restarted server tells the owner exactly what the file holds, by total and by day.
      server = await start(env);
      const seen = await ownerCounts(server, owner, links);
      expect({ seed, cycle, seen }).toEqual({ seed, cycle, seen: found.map((f) => ({ viewCount: f.total, byDay: f.total })) });
      from = { stored: found.map((f) => f.total), sent: [...tally.sent] };
    }

    // Counting goes on from the stored totals: views now are seen at once and written by the timer...
    const base = (await ownerCounts(server, owner, links)).map((c) => c.viewCount);
    await tally.load(server, order, { loops: 3, rounds: 1 });
    expect(tally.problems).toEqual([]);
    const more = (i: number) => base[i] + 3;
    expect(await ownerCounts(server, owner, links)).toEqual(links.map((_, i) => ({ viewCount: more(i), byDay: more(i) })));
    const watch = new FlushWatch(file);
    await watch.until("the timer's flush of the views after the restart", () => links.every((link, i) => watch.committed.get(link.shareId) === more(i)));
    watch.close();
    // ...and one more view of each, sent just before a SIGTERM, is written by the stop.
    for (const i of order) expect(await tally.view(server, i, "cached")).toBe(true);
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(0);
    const { totals, days } = stored(file);
    expect(links.map((link) => [totals.get(link.shareId), days.get(link.shareId)])).toEqual(links.map((_, i) => [more(i) + 1, more(i) + 1]));
    process.stdout.write(`view counts under SIGKILL (seed ${seed}):\n  ${summary.join("\n  ")}\n`);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL: two instances' flushes meet on the same rows.

/**
 * A connection of the test's own to a server's schema, named so that no look at pg_stat_activity (this test's or
 * another's) takes it for a server's ("chat-share").
 */
async function connectTo(schema: string): Promise<Client> {
  const client = new Client({ connectionString: DATABASE_URL, application_name: "chat-share-test", options: `-c search_path="${schema}"` });
  await client.connect();
  return client;
}

/** What the schema holds for `links`: each one's total and the sum of its days (undefined where it has no row). */
async function storedIn(admin: Client, links: Link[]): Promise<{ viewCount?: number; byDay?: number }[]> {
  const rows = async (sql: string) => new Map((await admin.query<{ id: string; n: string }>(sql)).rows.map((r) => [r.id, Number(r.n)]));
  const totals = await rows(`SELECT share_id AS id, view_count AS n FROM share_view_totals`);
  const days = await rows(`SELECT share_id AS id, SUM(views) AS n FROM share_view_days GROUP BY share_id`);
  return links.map((link) => ({ viewCount: totals.get(link.shareId), byDay: days.get(link.shareId) }));
}

(onPostgres ? describe : describe.skip)("two instances flushing the same links at once (PostgreSQL)", () => {
  it("counts every view of every link exactly once, none failing, before and after both stop", async () => {
    const db = await createSchema();
    const schema = db.env.DATABASE_SCHEMA;
    let a: Instance | undefined;
    let b: Instance | undefined;
    try {
      const env = { ...db.env, DATA_DIR: tempDir() };
      // Started together: the migration lock lets one of them create the schema.
      [a, b] = await Promise.all([start(env), start(env)]);
      const owner = await signUp(a, { displayName: "Olivia Owner" });
      const links = await makeLinks(a, owner, 12);
      const tally = new Tally(links);

      // A views the links in id order and B in the reverse, so each one's batches list the links in opposite orders
      // (views of a batch come in the order they arrive): only writing them in id order keeps the flushes from
      // locking rows in opposite orders.
      const byId = links.map((_, i) => i).sort((x, y) => (links[x].shareId < links[y].shareId ? -1 : 1));
      let stop = false;
      const none: Baseline = { stored: links.map(() => 0), sent: links.map(() => 0) };
      // Two owner readers per instance, back to back: a read that meets a flush's commit is the one that could count
      // the flushed batch twice (stored, and still held by the instance as not yet written), or miss it.
      const watching = [a, b, a, b].map((server) => watchOwner(server, owner, tally, none, 0, () => stop));
      await Promise.all([tally.load(a, byId, { loops: 4, rounds: 24 }), tally.load(b, [...byId].reverse(), { loops: 4, rounds: 24 })]);
      stop = true;
      await Promise.all(watching);
      expect({ cutOff: tally.cutOff.filter((n) => n > 0), problems: tally.problems }).toEqual({ cutOff: [], problems: [] });

      // Both instances' flushes done: each shows the stored total plus only its own pending views, so both showing
      // every view answered means nothing is pending anywhere. Never more on the way.
      const expected = () => tally.answered.map((n) => ({ viewCount: n, byDay: n }));
      for (const server of [a, b]) {
        await poll("both instances to have written their views", async () => {
          const seen = await ownerCounts(server, owner, links);
          for (const [i, c] of seen.entries()) {
            if (c.viewCount > tally.answered[i]) tally.problems.push(`the owner saw ${c.viewCount} views of link ${i}, of ${tally.answered[i]} answered`);
          }
          return JSON.stringify(seen) === JSON.stringify(expected());
        });
      }
      expect(tally.problems).toEqual([]);

      const admin = await connectTo(schema);
      const storedCounts = () => storedIn(admin, links);
      try {
        expect(await storedCounts()).toEqual(expected());

        // One more view of each link on each, just before both are stopped: the stop writes them.
        for (const i of byId) expect([await tally.view(a, i, "cached"), await tally.view(b, i, "page")]).toEqual([true, true]);
        a.child.kill("SIGTERM");
        b.child.kill("SIGTERM");
        expect(await Promise.all([a.exit, b.exit])).toEqual([0, 0]);
        expect(tally.problems).toEqual([]);
        expect(await storedCounts()).toEqual(expected());
      } finally {
        await admin.end();
      }

      // A deadlock PostgreSQL resolved by aborting one flush would be retried (and logged); none reached a client.
      const deadlocks = (a.output() + b.output()).split("\n").filter((line) => line.includes("deadlock detected")).length;
      const failed = failedFlushes(a).length + failedFlushes(b).length;
      process.stdout.write(
        `view counts on two instances: ${sum(tally.answered)} views of ${links.length} links, ` +
          `${deadlocks} deadlock(s) and ${failed} failed flush(es) in the logs\n`,
      );
    } finally {
      await Promise.all([stopInstance(a), stopInstance(b)]);
      await db.drop();
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL: the connection of a flush drops in the middle of it.

/** What a fault is given: the test's connections to the server's schema, and the server's links. */
interface FaultScene {
  admin: Client;
  /** A connection for the fault to hold locks on (in a transaction it keeps open until it lets go). */
  holder: Client;
  links: Link[];
  /** Set when the server's connections go through the test's proxy (see `CommitAnswerCut`). */
  proxy?: CommitAnswerCut;
  /** Resolves once more views have been answered: the fault calls it while it holds a flush. */
  viewsGoOn: () => Promise<void>;
}

/** How the connection of a flush that carries views is made to drop. */
interface FlushFault {
  where: string;
  throughProxy?: boolean;
  /** Run once, before any view: what the fault needs in the schema. */
  prepare?: (admin: Client) => Promise<void>;
  /** Resolves once the connection is gone. */
  drop: (scene: FaultScene) => Promise<void>;
  /** The line the server logs of that flush: its message, and the error it met. */
  logged: { msg: string; error: string };
}

/**
 * A flush caught waiting for a lock of the test's (taken by `hold` on `holder`) at `statement`, seen in pg_stat_activity
 * (only a flush waits for that lock: filtered by pg_blocking_pids, no other test's backend can match); views go on
 * while it waits; then PostgreSQL ends its backend (pg_terminate_backend), and once it is gone the lock goes.
 */
function terminatedWhileWaiting(where: string, { prepare, hold, statement }: { prepare?: FlushFault["prepare"]; hold: (scene: FaultScene) => Promise<void>; statement: RegExp }): FlushFault {
  return {
    where,
    prepare,
    logged: { msg: "could not write view counts", error: "terminating connection due to administrator command" },
    drop: async (scene) => {
      const { admin, holder } = scene;
      await hold(scene);
      const [{ pid: holderPid }] = (await holder.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows;
      let flush: { pid: number; query: string } | undefined;
      await poll("a flush to wait for the test's lock", async () => {
        const { rows } = await admin.query<{ pid: number; query: string }>(
          `SELECT pid, query FROM pg_stat_activity WHERE application_name = 'chat-share' AND $1 = ANY(pg_blocking_pids(pid))`,
          [holderPid],
        );
        flush = rows[0];
        return Boolean(flush);
      });
      expect(flush!.query).toMatch(statement);
      await scene.viewsGoOn();
      expect((await admin.query(`SELECT pg_terminate_backend($1) AS ended`, [flush!.pid])).rows).toEqual([{ ended: true }]);
      await poll("the flush's backend to be gone", async () => (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [flush!.pid])).rowCount === 0);
      await holder.query("ROLLBACK");
    },
  };
}

/** Half-way along the totals upsert: a row lock on the total of the link in the middle of the id order. */
const IN_THE_UPSERT = terminatedWhileWaiting("inside its transaction", {
  hold: async ({ holder, links }) => {
    const middle = links.map((link) => link.shareId).sort()[Math.floor(links.length / 2)];
    await holder.query("BEGIN");
    await holder.query(`SELECT 1 FROM share_view_totals WHERE share_id = $1 FOR UPDATE`, [middle]);
  },
  statement: /^INSERT INTO share_view_totals/,
});

/**
 * In its COMMIT, every statement done: a deferred constraint trigger of the test's on the totals runs at commit time
 * and waits for a row of a table of the test's. A backend ended there has not written its commit record.
 */
const IN_THE_COMMIT = terminatedWhileWaiting("in its COMMIT, before the commit record", {
  prepare: async (admin) => {
    await admin.query(`CREATE TABLE flush_gate (id int PRIMARY KEY); INSERT INTO flush_gate VALUES (1)`);
    const [{ schema }] = (await admin.query<{ schema: string }>(`SELECT current_schema() AS schema`)).rows;
    await admin.query(`CREATE FUNCTION pass_flush_gate() RETURNS trigger LANGUAGE plpgsql
      AS $$ BEGIN PERFORM 1 FROM "${schema}".flush_gate FOR SHARE; RETURN NULL; END $$`);
    await admin.query(`CREATE CONSTRAINT TRIGGER flush_gate AFTER INSERT OR UPDATE ON share_view_totals
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pass_flush_gate()`);
  },
  hold: async ({ holder }) => {
    await holder.query("BEGIN");
    await holder.query(`SELECT 1 FROM flush_gate FOR UPDATE`);
  },
  statement: /^COMMIT$/,
});

/**
 * The other side of an interrupted COMMIT: it committed, and the answer never reached the server. PostgreSQL cannot be
 * made to end a backend there (only a synchronous standby's wait would hold it, a setting of the whole cluster), so
 * the connection drops in the test's proxy instead, which passes the COMMIT on and cuts both sides at its answer.
 */
const AFTER_THE_COMMIT: FlushFault = {
  where: "after its COMMIT, the answer lost",
  throughProxy: true,
  logged: { msg: "view counts written, though the answer to their commit was lost", error: "Connection terminated unexpectedly" },
  drop: async ({ proxy }) => {
    expect(await proxy!.cutAtNextFlushCommit()).toMatch(/^C.*COMMIT/s);
  },
};

/**
 * A TCP proxy between a server and the test PostgreSQL that reads what the server sends (the startup packet, then
 * typed messages); when armed, the first transaction that writes view totals has its COMMIT passed on and, at the
 * first byte of the answer, both sides of its connection cut.
 */
class CommitAnswerCut {
  private readonly sockets = new Set<net.Socket>();
  private armed: ((answer: string) => void) | undefined;
  private constructor(private readonly server: net.Server) {}

  static async open(): Promise<CommitAnswerCut> {
    const server = net.createServer();
    const proxy = new CommitAnswerCut(server);
    server.on("connection", (socket) => proxy.relay(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  /** TEST_DATABASE_URL, through the proxy. */
  get url(): string {
    const url = new URL(DATABASE_URL!);
    url.host = `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
    return url.toString();
  }

  /** Resolves with the answer that was cut off (its bytes as text), once it has been. */
  cutAtNextFlushCommit(): Promise<string> {
    return new Promise((resolve) => (this.armed = resolve));
  }

  private relay(client: net.Socket): void {
    const target = new URL(DATABASE_URL!);
    const db = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, db]) {
      this.sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        this.sockets.delete(socket);
        client.destroy();
        db.destroy();
      });
    }
    let pending = Buffer.alloc(0);
    let started = false;
    let writesTotals = false;
    let cut: ((answer: string) => void) | undefined;
    client.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // The startup packet is a length and a body; every message after it a type byte, a length and a body.
      for (let head = started ? 1 : 0; pending.length >= head + 4; head = 1) {
        const end = pending.readInt32BE(head) + head;
        if (pending.length < end) break;
        const [type, body] = [String.fromCharCode(pending[0]), pending.subarray(head + 4, end).toString()];
        pending = pending.subarray(end);
        if (!started) {
          started = true;
          continue;
        }
        if ((type === "P" || type === "Q") && body.includes("INTO share_view_totals")) writesTotals = true;
        if (type === "Q" && /^(COMMIT|ROLLBACK)\0$/.test(body)) {
          if (writesTotals && body.startsWith("COMMIT") && this.armed) [cut, this.armed] = [this.armed, undefined];
          writesTotals = false;
        }
      }
      db.write(chunk);
    });
    db.on("data", (chunk: Buffer) => {
      if (!cut) return void client.write(chunk);
      client.destroy();
      db.destroy();
      cut(chunk.toString());
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A server on a schema of its own; views to its links, written by its flushes; then `fault` drops the connection of a
 * flush carrying views, viewers and the owner going on throughout. Every view must be counted once (stored, and shown
 * to the owner, who is never shown more meanwhile), nobody see an error, and the server go on as before.
 */
async function dropTheFlushConnection(fault: FlushFault): Promise<void> {
  const db = await createSchema();
  const schema = db.env.DATABASE_SCHEMA;
  let server: Instance | undefined;
  const clients: Client[] = [];
  const proxy = fault.throughProxy ? await CommitAnswerCut.open() : undefined;
  try {
    // No statement timeout: only the fault ends a flush's wait.
    server = await start({ ...db.env, ...(proxy ? { DATABASE_URL: proxy.url } : {}), DATA_DIR: tempDir(), DATABASE_STATEMENT_TIMEOUT_MS: "0" });
    const live = server;
    const [admin, holder] = await Promise.all([connectTo(schema), connectTo(schema)]);
    clients.push(admin, holder);
    const owner = await signUp(live, { displayName: "Olivia Owner" });
    const links = await makeLinks(live, owner, 8);
    const tally = new Tally(links);
    const order = links.map((_, i) => i);
    const expected = () => tally.answered.map((n) => ({ viewCount: n, byDay: n }));
    const viewsGoOn = async () => {
      const more = sum(tally.answered) + 20;
      await poll("20 more views to be answered", () => sum(tally.answered) >= more);
    };
    await fault.prepare?.(admin);

    // Every link has its row of totals, written by the timer's flushes.
    await tally.load(live, order, { loops: 2, rounds: 2 });
    await poll("the first views to be written", async () => JSON.stringify(await storedIn(admin, links)) === JSON.stringify(expected()));

    // Views, and the fault: the next flush takes them. The owner's reads wait for a flush, as for every flush of
    // their instance, and must neither fail nor be short nor count anything twice.
    let stop = false;
    const loadDone = tally.load(live, order, { loops: 2, stopped: () => stop });
    const none: Baseline = { stored: links.map(() => 0), sent: links.map(() => 0) };
    const ownerDone = watchOwner(live, owner, tally, none, 20, () => stop, { survives: true });
    await fault.drop({ admin, holder, links, proxy, viewsGoOn });
    await viewsGoOn();
    stop = true;
    await Promise.all([loadDone, ownerDone]);
    expect({ cutOff: tally.cutOff.filter((n) => n > 0), problems: tally.problems }).toEqual({ cutOff: [], problems: [] });

    // Stored once by the timer's next flushes, and shown once (the owner, all along; a count too high stays so).
    await poll("a later flush to write every view", async () => {
      const [seen, stored] = [await ownerCounts(live, owner, links), await storedIn(admin, links)];
      for (const [i, n] of tally.answered.entries()) {
        if (seen[i].viewCount !== n) tally.problems.push(`the owner saw ${seen[i].viewCount} views of link ${i}, of ${n} answered`);
        if ((stored[i].viewCount ?? 0) > n) tally.problems.push(`${stored[i].viewCount} views of link ${i} were stored, of ${n} answered`);
      }
      return tally.problems.length > 0 || JSON.stringify(stored) === JSON.stringify(expected());
    });
    expect(tally.problems).toEqual([]);
    // The flush met the fault, and the server says how it took it.
    const said = logged(live).filter(({ msg, error }) => msg === fault.logged.msg && String(error).includes(fault.logged.error));
    expect({ logged: fault.logged, times: said.length }).toEqual({ logged: fault.logged, times: 1 });

    // The pool recovered: a write of another kind, more views, and a stop that writes them.
    const conversationId = await createConversation(live, owner.token, "After the fault", [{ role: "USER", content: "Still here." }]);
    expect((await shareConversation(live, owner.token, conversationId)).url).toContain(SHARE_BASE_URL);
    for (const i of order) expect(await tally.view(live, i, "page")).toBe(true);
    expect(await ownerCounts(live, owner, links)).toEqual(expected());
    live.child.kill("SIGTERM");
    expect(await live.exit).toBe(0);
    expect(tally.problems).toEqual([]);
    expect(await storedIn(admin, links)).toEqual(expected());
    process.stdout.write(`view counts, a flush's connection dropped ${fault.where}: ${sum(tally.answered)} views counted once, ${failedFlushes(live).length} failed flush(es)\n`);
  } finally {
    await Promise.all(clients.map((client) => client.end()));
    await stopInstance(server);
    await proxy?.close();
    await db.drop();
  }
}

(onPostgres ? describe : describe.skip)("the connection of a view-count flush drops (PostgreSQL)", () => {
  it("inside its transaction (pg_terminate_backend): a later flush counts its views once, and nobody sees an error", () => dropTheFlushConnection(IN_THE_UPSERT), 120_000);

  // An interrupted COMMIT is ambiguous: it may have committed before the connection went. These two are its sides;
  // the flush asks PostgreSQL which (txid_status). What it cannot guarantee: if that cannot be told within 5 s (the
  // database unreachable, or the backend still finishing), it puts the views back, and a COMMIT that went through
  // after all counts them twice. Nothing here reaches that case.
  it("in its COMMIT, before the commit record (pg_terminate_backend): a later flush counts its views once", () => dropTheFlushConnection(IN_THE_COMMIT), 120_000);
  it("after its COMMIT, the answer lost: its views are counted once, not written again", () => dropTheFlushConnection(AFTER_THE_COMMIT), 120_000);
});
