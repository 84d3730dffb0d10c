// `npm run bench`: seeds databases, starts our server (production build) and the baseline as their own processes,
// drives load at them from this process on loopback, and reports against the targets of issue 5. See README.md.
import "reflect-metadata";
import "./sqlite-only";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { SessionTokens } from "../src/auth/tokens";
import { ShareLinks } from "../src/share/share-links";
import { storeViews } from "./baseline/stored";
import { countStatements, type StatementCount } from "./count";
import { alternate, median, pairedRatio, runLoad, summarize, timeSequential, type Contender, type RequestSet, type RoundPlan } from "./load";
import { parseOptions, USAGE, UsageError, type BenchOptions, type Phase } from "./options";
import { build, Cleanup, makeTempDir, ROOT, startServer, type ServerProcess } from "./processes";
import {
  machine,
  render,
  writeResultsFile,
  type GrowthRow,
  type LatencyRow,
  type PostgresResult,
  type Results,
  type SoakResult,
  type WorkloadResult,
} from "./report";
import { createBenchSchema, dropBenchSchema, migratePostgres, postgresEnv, schemaBytes } from "./postgres";
import { PostgresWriter, seedMain, seedSizePair, seedSqliteMain, TextGenerator, type MainSeed } from "./seed";
import {
  Api,
  cacheCounters,
  counterDelta,
  importRequests,
  listRequests,
  mySharesRequests,
  sameButSharedAt,
  shareRequests,
  VIEW,
  viewRequests,
  type Actor,
  type WorkloadName,
} from "./workloads";

const SHARE_BASE_URL = "https://chat-share.bench/share/";

/**
 * The server as users run it: production mode and every default (LOG_LEVEL, caches, rate limits) but two fixed
 * secrets, so the seeder can mint links and the bench sessions the server accepts, and one raised limit:
 * all view load comes from one address, where a viral link's viewers come from many, so VIEWS_PER_IP_PER_MINUTE
 * is out of reach (its check still runs on every view). Share and import take turns over enough seeded accounts
 * that none reaches its hourly allowance. view-cold cycles over 10,000 links of ~19 KB: more than the default
 * caches' 64 MiB hold, so in LRU order every one of its views misses them (the report shows where views came from).
 */
const SERVER_ENV = {
  NODE_ENV: "production",
  JWT_SECRET: "chat-share benchmark session key (never used in production)",
  SHARE_LINK_KEY: "chat-share benchmark link key (never used in production)",
  SHARE_BASE_URL,
  VIEWS_PER_IP_PER_MINUTE: "100000000",
};

const sessions = new SessionTokens([Buffer.from(SERVER_ENV.JWT_SECRET)], 24 * 3600);

const started = Date.now();
function log(line: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
}

/** The commit measured; a tree with other uncommitted changes says so, since those were measured too. */
function revision(): string {
  const git = (...args: string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return "an unknown revision (not a git checkout)";
  const changed = git("status", "--porcelain", "--", ".", ":(exclude)bench", ":(exclude)test/bench-smoke.test.ts", ":(exclude)node_modules").stdout.trim();
  const count = changed ? changed.split("\n").length : 0;
  return `commit ${head.stdout.trim()}${count ? ` with ${count} uncommitted changes outside bench/` : ""}`;
}

interface Run {
  options: BenchOptions;
  cleanup: Cleanup;
  tmp: string;
  buildDir: string;
}

function serverEnv(databasePath: string): Record<string, string> {
  return { ...SERVER_ENV, DATABASE_URL: `sqlite:${databasePath}`, DATA_DIR: path.dirname(databasePath) };
}

// Node writes the profile when the process exits, which the servers do on SIGTERM.
const profileArgs = (dir: string | null) => (dir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(dir)}`] : []);

async function startOurs(run: Run, name: string, databasePath: string, cpuProf: string | null = null): Promise<ServerProcess> {
  return startOursWith(run, name, serverEnv(databasePath), cpuProf);
}

async function startOursWith(run: Run, name: string, env: Record<string, string>, cpuProf: string | null = null): Promise<ServerProcess> {
  const script = path.join(run.buildDir, "src", "index.js");
  const server = await startServer(run.cleanup, run.buildDir, { name, script, env, nodeArgs: profileArgs(cpuProf) });
  run.cleanup.add(`stop ${name}`, () => server.stop().then(() => undefined));
  return server;
}

async function startBaseline(run: Run, name: string, databasePath: string, cpuProf: string | null = null, storedPath: string | null = null): Promise<ServerProcess> {
  const script = path.join(run.buildDir, "bench", "baseline", storedPath ? "stored.js" : "server.js");
  const env = { ...serverEnv(databasePath), ...(storedPath ? { STORED_VIEWS_URL: `sqlite:${storedPath}` } : {}) };
  const server = await startServer(run.cleanup, run.buildDir, { name, script, env, nodeArgs: profileArgs(cpuProf) });
  run.cleanup.add(`stop ${name}`, () => server.stop().then(() => undefined));
  return server;
}

// Seeded databases dominate disk use; refuse to start rather than fill the disk halfway through.
function checkDisk(dir: string, o: BenchOptions): void {
  const messageBytes = o.messageChars * 1.4;
  const main = (o.conversations + o.shares) * o.messages * messageBytes + o.snapshotSizes.reduce((sum, n) => sum + 2 * n * o.sizeLinks * messageBytes, 0);
  const pair = o.phases.has("db-size") ? 4 * o.dbSizes[0] * o.messages * messageBytes + o.dbSizes[1] * 900 : 0;
  const needed = 1.5 * (main + pair) + 500 * 1024 ** 2;
  const stats = fs.statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  log(`disk: about ${(needed / 1024 ** 3).toFixed(1)} GB needed, ${(free / 1024 ** 3).toFixed(1)} GB free in ${dir}`);
  if (free < needed) throw new Error(`not enough free disk in ${dir}: about ${(needed / 1024 ** 3).toFixed(1)} GB needed`);
}

const linkOf = (token: string) => SHARE_BASE_URL + token;

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = new TextGenerator(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Every server must give byte-identical answers, or the comparison with the baselines means nothing. */
async function verifySameAnswers(servers: readonly ServerProcess[], links: { label: string; link: string; live: boolean }[]): Promise<void> {
  for (const { label, link, live } of links) {
    const bodies = await Promise.all(servers.map((s) => new Api(s.url).raw(VIEW, { link })));
    const expected = live ? `{"data":{"sharedConversation":{` : `{"data":{"sharedConversation":null}}\n`;
    for (const [i, text] of bodies.entries()) {
      if (live ? !text.startsWith(expected) : text !== expected) throw new Error(`${servers[i].name} answered the ${label} link with ${text.slice(0, 300)}`);
      if (text !== bodies[0]) {
        throw new Error(`${servers[i].name} and ${servers[0].name} differ on the ${label} link:\n${text.slice(0, 300)}\n${bodies[0].slice(0, 300)}`);
      }
    }
  }
}

/** What the write and list workloads send: seeded accounts signed in with minted sessions, ids from the API. */
interface Prepared {
  listToken: string;
  writers: Actor[];
  importLink: string;
  growth: { messages: number; actors: Actor[]; link: string }[];
}

const sessionOf = (userId: string) => sessions.issue({ userId, tokenVersion: 0 });

/** Each account signed in, with the opaque id of its conversation titled `title`. */
async function actors(api: Api, accounts: MainSeed["accounts"]["writers"], title: string): Promise<Actor[]> {
  return Promise.all(
    accounts.map(async ({ userId }) => {
      const token = sessionOf(userId);
      const id = (await api.conversationIds(token)).get(title);
      if (!id) throw new Error(`seeded account ${userId} has no conversation "${title}"`);
      return { token, conversationId: id };
    }),
  );
}

async function prepare(url: string, o: BenchOptions, seed: MainSeed): Promise<Prepared> {
  const api = new Api(url);
  const { accounts } = seed;
  const growth: Prepared["growth"] = [];
  if (o.phases.has("growth")) {
    for (const messages of o.snapshotSizes) {
      growth.push({ messages, actors: await actors(api, accounts.growth, `${messages} messages`), link: linkOf(seed.bySize.get(messages)![0]) });
    }
  }
  return {
    listToken: sessionOf(accounts.listOwner.userId),
    writers: await actors(api, accounts.writers, accounts.writers[0].titles[0]),
    importLink: linkOf(seed.links[0]),
    growth,
  };
}

interface WorkloadDef {
  name: WorkloadName;
  description: string;
  requests: () => RequestSet;
  /** Views: also sent to both baselines, at every connection count. */
  withBaseline: boolean;
  /** Sent to our server with both view caches off instead of the one with its defaults. */
  uncached?: boolean;
}

/** The answers the stored-bytes baseline holds, which our server's must equal byte for byte. */
type Expected = (token: string) => string;

function expectedViews(storedPath: string): Expected {
  const db = new Database(storedPath, { readonly: true, fileMustExist: true });
  const find = db.prepare<[string], Buffer>("SELECT body FROM views WHERE token_hash = ?").pluck();
  return (token) => {
    const body = find.get(createHash("sha256").update(token).digest("hex"));
    if (!body) throw new Error(`no stored answer for link ${token}`);
    return body.toString("utf8");
  };
}

function viewsOf(tokens: readonly string[], expected: Expected): RequestSet {
  return viewRequests(tokens.map(linkOf), tokens.map(expected));
}

function workloadDefs(o: BenchOptions, seed: MainSeed, prepared: Prepared | null, expected: Expected): WorkloadDef[] {
  const hot = seed.links.slice(0, o.hotLinks);
  // Called only for the workloads that run, which were prepared.
  const p = () => prepared!;
  const cold = shuffled(seed.links.slice(0, o.coldLinks), 5);
  const listed = `${o.listConversations} conversations of ${o.listMessages} messages, each shared once`;
  return [
    { name: "view-hot", description: `sharedConversation over ${hot.length} popular links`, requests: () => viewsOf(hot, expected), withBaseline: true },
    { name: "view-cold", description: `sharedConversation over ${cold.length} distinct links`, requests: () => viewsOf(cold, expected), withBaseline: true },
    {
      name: "view-uncached",
      description: `view-cold's links, our server with both view caches off (SNAPSHOT_CACHE_SIZE=0, RESPONSE_CACHE_MAX_BYTES=0): every view a database read`,
      requests: () => viewsOf(cold, expected),
      withBaseline: true,
      uncached: true,
    },
    {
      name: "list",
      description: `conversations(first: ${o.listConversations}) with messages and shares; ${listed}`,
      requests: () => listRequests(p().listToken, o.listConversations),
      withBaseline: false,
    },
    {
      name: "my-shares",
      description: `myShares(first: ${o.listConversations}) with url and status; ${listed}`,
      requests: () => mySharesRequests(p().listToken, o.listConversations),
      withBaseline: false,
    },
    {
      name: "share",
      description: `shareConversation of a ${o.messages}-message conversation, ${o.writers} accounts in turn`,
      requests: () => shareRequests(p().writers),
      withBaseline: false,
    },
    {
      name: "import",
      description: `importShare of a ${o.messages}-message snapshot, ${o.writers} accounts in turn`,
      requests: () => importRequests(p().writers, p().importLink),
      withBaseline: false,
    },
  ];
}

/** Our server and the two baselines (parse-and-serialise, stored bytes); our server with its caches off if asked for. */
interface MainServers {
  ours: ServerProcess;
  uncached?: ServerProcess;
  baseline: ServerProcess;
  stored: ServerProcess;
}

async function runWorkload(run: Run, servers: MainServers, def: WorkloadDef, connections: number): Promise<WorkloadResult> {
  const { warmup, duration, rounds } = run.options;
  log(`${def.name}, ${connections} connections: ${def.description}`);
  const { baseline, stored } = servers;
  const ours = def.uncached ? servers.uncached! : servers.ours;
  const contenders: Contender[] = [{ name: "ours", url: ours.url, pid: ours.pid, requests: def.requests() }];
  if (def.withBaseline) {
    contenders.push({ name: "baseline", url: baseline.url, pid: baseline.pid, requests: def.requests() });
    contenders.push({ name: "stored-bytes baseline", url: stored.url, pid: stored.pid, requests: def.requests() });
  }
  const before = def.withBaseline ? await cacheCounters(ours.url) : null;
  const samples = await alternate(contenders, { warmup, duration, rounds, connections }, log);
  const mine = samples.get("ours")!;
  const result: WorkloadResult = { name: def.name, description: def.description, connections, ours: summarize(mine) };
  result.cache = counterDelta(before, def.withBaseline ? await cacheCounters(ours.url) : null);
  if (def.withBaseline) {
    const parsing = samples.get("baseline")!;
    const bytes = samples.get("stored-bytes baseline")!;
    result.baseline = summarize(parsing);
    result.rpsRatio = pairedRatio(mine, parsing, "rps");
    result.p99Ratio = pairedRatio(mine, parsing, "p99");
    result.stored = summarize(bytes);
    result.storedRpsRatio = pairedRatio(mine, bytes, "rps");
    result.storedP99Ratio = pairedRatio(mine, bytes, "p99");
  }
  return result;
}

async function runWorkloads(run: Run, servers: MainServers, defs: WorkloadDef[]): Promise<WorkloadResult[]> {
  const results: WorkloadResult[] = [];
  for (const def of defs.filter((d) => run.options.phases.has(d.name))) {
    const counts = def.withBaseline ? run.options.connections : run.options.connections.slice(0, 1);
    for (const connections of counts) results.push(await runWorkload(run, servers, def, connections));
  }
  return results;
}

/** Our server and the baseline, one connection, for each group of links; rows in the order of `groups`. */
async function latencyComparison(
  run: Run,
  groups: { label: string; ours: ServerProcess; baseline: ServerProcess; tokens: string[] }[],
  expected: Expected,
): Promise<LatencyRow[]> {
  const contenders = groups.flatMap((g) => [
    { name: `ours, ${g.label}`, url: g.ours.url, pid: g.ours.pid, requests: viewsOf(g.tokens, expected) },
    { name: `baseline, ${g.label}`, url: g.baseline.url, pid: g.baseline.pid, requests: viewsOf(g.tokens, expected) },
  ]);
  const o = run.options;
  const plan: RoundPlan = { warmup: Math.min(o.warmup, o.latencyDuration), duration: o.latencyDuration, rounds: o.rounds, connections: 1 };
  const samples = await alternate(contenders, plan, log);
  return groups.map((g) => ({ label: g.label, ours: summarize(samples.get(`ours, ${g.label}`)!), baseline: summarize(samples.get(`baseline, ${g.label}`)!) }));
}

/** Mean time of one share and one import per message count, sequential requests, sizes interleaved per round. */
async function growth(run: Run, ours: ServerProcess, p: Prepared): Promise<GrowthRow[]> {
  const o = run.options;
  const timings = new Map<number, { share: number[]; import: number[] }>(p.growth.map((g) => [g.messages, { share: [], import: [] }]));
  // Round -1 is the warm-up: one request of each kind and size, not counted.
  for (let round = -1; round < o.rounds; round++) {
    const count = round < 0 ? 1 : o.growthRequests;
    for (const g of p.growth) {
      const share = await timeSequential(ours.url, shareRequests(g.actors), count);
      const imported = await timeSequential(ours.url, importRequests(p.writers, g.link), count);
      if (round < 0) continue;
      timings.get(g.messages)!.share.push(share);
      timings.get(g.messages)!.import.push(imported);
      log(`    ${String(g.messages).padStart(5)} messages round ${round + 1}: share ${share.toFixed(2)} ms, import ${imported.toFixed(2)} ms`);
    }
  }
  return p.growth.map((g) => ({ messages: g.messages, shareMs: median(timings.get(g.messages)!.share), importMs: median(timings.get(g.messages)!.import) }));
}

/** View-cold load for `seconds` while sampling the server's RSS every second. */
async function soak(run: Run, ours: ServerProcess, views: RequestSet): Promise<SoakResult> {
  const seconds = run.options.soak;
  const samples: { t: number; kb: number }[] = [];
  const start = Date.now();
  const timer = setInterval(() => {
    const kb = ours.rssKb();
    if (kb !== null) samples.push({ t: (Date.now() - start) / 1000, kb });
  }, 1000);
  let load;
  try {
    load = await runLoad(ours.url, views, { connections: run.options.connections.at(-1)!, duration: seconds }, ours.pid);
  } finally {
    clearInterval(timer);
  }
  if (samples.length < 2) throw new Error("soak: too few RSS samples");
  const warmupSeconds = Math.min(30, seconds / 10);
  const warm = samples.filter((s) => s.t <= warmupSeconds).slice(-5);
  const warmKb = median((warm.length ? warm : samples.slice(0, 1)).map((s) => s.kb));
  const endKb = median(samples.slice(-5).map((s) => s.kb));
  return {
    seconds,
    warmupSeconds,
    warmKb,
    endKb,
    maxKb: Math.max(...samples.map((s) => s.kb)),
    growthPct: (endKb / warmKb - 1) * 100,
    rps: load.rps,
    failures: load.failures,
  };
}

/** The same links in a small and a large database, each served by our server and by the baseline. */
async function dbSizeComparison(run: Run, smallPath: string, largePath: string, tokens: string[]): Promise<LatencyRow[]> {
  // Both files answer the same links with the same bytes: the small one's rendered answers serve for both.
  const storedPath = path.join(run.tmp, "small", "stored-views.sqlite");
  storeViews(smallPath, storedPath);
  const [small, large] = run.options.dbSizes;
  const label = (n: number) => `${n.toLocaleString("en-US")} shares`;
  const servers = {
    oursSmall: await startOurs(run, `our server, ${label(small)}`, smallPath),
    oursLarge: await startOurs(run, `our server, ${label(large)}`, largePath),
    baseSmall: await startBaseline(run, `baseline, ${label(small)}`, smallPath),
    baseLarge: await startBaseline(run, `baseline, ${label(large)}`, largePath),
  };
  await verifySameAnswers(Object.values(servers), [{ label: "first", link: linkOf(tokens[0]), live: true }]);
  const rows = await latencyComparison(
    run,
    [
      { label: label(small), ours: servers.oursSmall, baseline: servers.baseSmall, tokens },
      { label: label(large), ours: servers.oursLarge, baseline: servers.baseLarge, tokens },
    ],
    expectedViews(storedPath),
  );
  for (const server of Object.values(servers)) await server.stop();
  return rows;
}

interface Seeded {
  mainPath: string;
  /** The stored-bytes baseline's answers, rendered once per link of the main file. */
  storedPath: string;
  seed: MainSeed;
  pair: { smallPath: string; largePath: string; tokens: string[] } | null;
  seconds: number;
}

async function seedAll(run: Run, links: ShareLinks): Promise<Seeded> {
  const o = run.options;
  const seedStart = Date.now();
  const mainPath = path.join(run.tmp, "main", "chat-share.sqlite");
  fs.mkdirSync(path.dirname(mainPath));
  log(`seeding ${o.shares.toLocaleString("en-US")} shares of ${o.messages} messages (+ ${o.sizeLinks} per snapshot size ${o.snapshotSizes.join("/")})`);
  const seed = await seedSqliteMain(mainPath, links, { ...o, largestLinks: o.phases.has("soak") ? o.largestLinks : 0 });
  const storedPath = path.join(run.tmp, "main", "stored-views.sqlite");
  log(`rendering the stored-bytes baseline's answers: ${storeViews(mainPath, storedPath).toLocaleString("en-US")} links`);
  let pair: Seeded["pair"] = null;
  if (o.phases.has("db-size")) {
    const [small, large] = o.dbSizes;
    log(`seeding the database-size pair: ${small.toLocaleString("en-US")} and ${large.toLocaleString("en-US")} shares`);
    const smallPath = path.join(run.tmp, "small", "chat-share.sqlite");
    const largePath = path.join(run.tmp, "large", "chat-share.sqlite");
    fs.mkdirSync(path.dirname(smallPath));
    fs.mkdirSync(path.dirname(largePath));
    const tokens = await seedSizePair(smallPath, largePath, links, { small, large, messages: o.messages, messageChars: o.messageChars });
    pair = { smallPath, largePath, tokens };
  }
  return { mainPath, storedPath, seed, pair, seconds: (Date.now() - seedStart) / 1000 };
}

function databases(run: Run, seeded: Seeded): Results["databases"] {
  const o = run.options;
  const size = (file: string) => fs.statSync(file).size;
  const list = [{ label: "main", shares: o.shares + o.snapshotSizes.length * o.sizeLinks + 4, bytes: size(seeded.mainPath) }];
  if (seeded.pair) {
    list.push({ label: "database-size, small", shares: o.dbSizes[0], bytes: size(seeded.pair.smallPath) });
    list.push({ label: "database-size, large", shares: o.dbSizes[1], bytes: size(seeded.pair.largePath) });
  }
  return list;
}

async function startMain(run: Run, seeded: Seeded): Promise<MainServers> {
  const { mainPath, storedPath } = seeded;
  const prof = (name: string) => run.options.cpuProf && path.join(run.options.cpuProf, name);
  const uncachedEnv = { ...serverEnv(mainPath), SNAPSHOT_CACHE_SIZE: "0", RESPONSE_CACHE_MAX_BYTES: "0" };
  return {
    ours: await startOurs(run, "our server", mainPath, prof("ours")),
    ...(run.options.phases.has("view-uncached") ? { uncached: await startOursWith(run, "our server, caches off", uncachedEnv, prof("uncached")) } : {}),
    baseline: await startBaseline(run, "baseline", mainPath, prof("baseline")),
    stored: await startBaseline(run, "stored-bytes baseline", mainPath, prof("stored"), storedPath),
  };
}

/** The soak's views: view-cold's links with one of the largest allowed snapshots every `largestEvery` requests. */
function soakViews(o: BenchOptions, seed: MainSeed, expected: Expected): RequestSet {
  const cold = shuffled(seed.links.slice(0, o.coldLinks), 6);
  if (seed.largest.length === 0) return viewsOf(cold, expected);
  const tokens = cold.flatMap((token, i) => ((i + 1) % (o.largestEvery - 1) === 0 ? [token, seed.largest[i % seed.largest.length]] : [token]));
  return viewsOf(tokens, expected);
}

async function measureMain(run: Run, seeded: Seeded, results: Results): Promise<void> {
  const o = run.options;
  const servers = await startMain(run, seeded);
  const { ours, baseline } = servers;
  const { seed } = seeded;
  const largest = [{ label: "largest snapshot", link: linkOf(seed.bySize.get(Math.max(...o.snapshotSizes))![0]), live: true }];
  await verifySameAnswers(Object.values(servers), [...testLinks(seed), ...largest]);
  const expected = expectedViews(seeded.storedPath);
  // Only what the chosen parts need, so a profile of --only view-hot shows views and nothing else.
  let prepared: Prepared | null = null;
  if (["list", "my-shares", "share", "import", "growth"].some((phase) => o.phases.has(phase as Phase))) {
    log("signing in the seeded accounts of the list, share and import workloads");
    prepared = await prepare(ours.url, o, seed);
  }
  results.workloads = await runWorkloads(run, servers, workloadDefs(o, seed, prepared, expected));
  if (o.phases.has("snapshot-size")) {
    log(`view latency by snapshot size: ${o.snapshotSizes.join(", ")} messages`);
    results.snapshotSizes = await latencyComparison(
      run,
      o.snapshotSizes.map((n) => ({ label: `${n.toLocaleString("en-US")} messages`, ours, baseline, tokens: seed.bySize.get(n)! })),
      expected,
    );
  }
  if (o.phases.has("growth")) {
    log(`share and import time by message count: ${o.snapshotSizes.join(", ")}`);
    results.growth = await growth(run, ours, prepared!);
  }
  if (o.phases.has("soak")) {
    log(`soak: ${o.soak} s of view-cold load with ${seed.largest.length} of the largest allowed snapshots mixed in, sampling RSS`);
    results.soak = await soak(run, ours, soakViews(o, seed, expected));
  }
  results.peakRssKb = { ours: ours.peakRssKb(), baseline: baseline.peakRssKb() };
  for (const server of Object.values(servers)) await server.stop();
}

/** Views of a seed's test links: every live one answered, every dead one null. */
function testLinks(seed: MainSeed): { label: string; link: string; live: boolean }[] {
  return [
    { label: "anonymous", link: linkOf(seed.links[0]), live: true },
    { label: "named", link: linkOf(seed.links[Math.min(1, seed.links.length - 1)]), live: true },
    ...Object.entries(seed.dead).map(([reason, token]) => ({ label: reason, link: linkOf(token), live: false })),
  ];
}

/** Seeded from the same spec, both databases answer the same link with the same bytes but for when it was shared. */
async function verifySameContent(sqlite: ServerProcess, sqliteSeed: MainSeed, postgres: ServerProcess, postgresSeed: MainSeed): Promise<void> {
  const withoutTime = (text: string) => text.replace(/"sharedAt":"[^"]*"/, `"sharedAt":"…"`);
  for (const i of [0, 1]) {
    const [a, b] = await Promise.all([
      new Api(sqlite.url).raw(VIEW, { link: linkOf(sqliteSeed.links[i]) }),
      new Api(postgres.url).raw(VIEW, { link: linkOf(postgresSeed.links[i]) }),
    ]);
    if (withoutTime(a) !== withoutTime(b)) throw new Error(`SQLite and PostgreSQL answer seeded link ${i} differently:\n${a.slice(0, 300)}\n${b.slice(0, 300)}`);
  }
}

/**
 * view-cold and share on PostgreSQL beside SQLite: the same build and settings, the same seed (without the
 * snapshot-size links), the two servers alternating round by round as our server and the baseline do.
 */
async function measurePostgres(run: Run, seeded: Seeded, links: ShareLinks): Promise<PostgresResult> {
  const o = run.options;
  const target = await createBenchSchema(o.postgres!);
  run.cleanup.add(`drop schema ${target.schema}`, () => dropBenchSchema(target));
  log(`PostgreSQL: ${target.version}, schema ${target.schema}; migrating with the built \`npm run migrate\``);
  migratePostgres(run.buildDir, target);
  const seedStart = Date.now();
  log(`seeding PostgreSQL: ${o.shares.toLocaleString("en-US")} shares of ${o.messages} messages`);
  const seed = await seedMain(await PostgresWriter.open(target.url, target.schema, links), { ...o, snapshotSizes: [], sizeLinks: 0, largestLinks: 0 });
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const dataDir = path.join(run.tmp, "postgres");
  fs.mkdirSync(dataDir);
  const sqlite = await startOurs(run, "our server, SQLite", seeded.mainPath);
  const pgEnv = { ...SERVER_ENV, ...postgresEnv(target), DATA_DIR: dataDir };
  const postgres = await startOursWith(run, "our server, PostgreSQL", pgEnv);
  // The per-view rate-limit check then goes to Redis, as it does when several instances share the limits.
  const redisEnv = o.redis ? { REDIS_URL: o.redis, REDIS_KEY_PREFIX: `chat-share-bench-${process.pid}-${Date.now()}` } : null;
  const withRedis = redisEnv ? await startOursWith(run, "our server, PostgreSQL + Redis", { ...pgEnv, ...redisEnv }) : null;
  await verifySameAnswers(withRedis ? [postgres, withRedis] : [postgres], testLinks(seed));
  await verifySameContent(sqlite, seeded.seed, postgres, seed);
  const writers = await Promise.all([sqlite, postgres].map((server, i) => actors(new Api(server.url), [seeded.seed, seed][i].accounts.writers, seed.accounts.writers[0].titles[0])));
  const expected = expectedViews(seeded.storedPath);
  const coldTokens = (s: MainSeed) => shuffled(s.links.slice(0, o.coldLinks), 5);
  // The same spec seeds the same snapshots in the same order: PostgreSQL's answers are SQLite's but for sharedAt.
  const expectedPg = coldTokens(seeded.seed).map(expected);
  const coldPg = () => viewRequests(coldTokens(seed).map(linkOf), expectedPg, sameButSharedAt);
  const workloads = [
    {
      name: "view-cold" as const,
      description: `sharedConversation over ${o.coldLinks.toLocaleString("en-US")} distinct links`,
      requests: [viewsOf(coldTokens(seeded.seed), expected), coldPg(), coldPg()],
    },
    { name: "share" as const, description: `shareConversation of a ${o.messages}-message conversation`, requests: writers.map((w) => shareRequests(w)) },
  ];
  const rows: PostgresResult["workloads"] = [];
  for (const w of workloads) {
    const contenders: Contender[] = [
      { name: "SQLite", url: sqlite.url, pid: sqlite.pid, requests: w.requests[0] },
      { name: "PostgreSQL", url: postgres.url, pid: postgres.pid, requests: w.requests[1] },
    ];
    if (withRedis && w.requests[2]) contenders.push({ name: "PostgreSQL + Redis", url: withRedis.url, pid: withRedis.pid, requests: w.requests[2] });
    log(`${w.name} on ${contenders.map((c) => c.name).join(", ")}: ${w.description}`);
    const connections = o.connections[0];
    const samples = await alternate(contenders, { warmup: o.warmup, duration: o.duration, rounds: o.rounds, connections }, log);
    const pg = samples.get("PostgreSQL")!;
    const redis = samples.get("PostgreSQL + Redis");
    rows.push({
      name: w.name,
      description: w.description,
      connections,
      sqlite: summarize(samples.get("SQLite")!),
      postgres: summarize(pg),
      rpsRatio: pairedRatio(pg, samples.get("SQLite")!, "rps"),
      ...(redis ? { redis: summarize(redis), redisCpuRatio: pairedRatio(redis, pg, "cpuPerRequest") } : {}),
    });
  }
  for (const server of [sqlite, postgres, withRedis]) await server?.stop();
  return { version: target.version, seedSeconds, bytes: await schemaBytes(target), shares: o.shares + 4, workloads: rows };
}

async function countPass(run: Run): Promise<StatementCount[] | null> {
  if (!run.options.phases.has("statements")) return null;
  log("counting SQL statements per request (in-process server)");
  return countStatements(path.join(run.tmp, "count"), SERVER_ENV, run.options);
}

async function benchmark(options: BenchOptions, cleanup: Cleanup, args: string[]): Promise<Results> {
  const tmp = makeTempDir();
  if (options.keep) log(`keeping ${tmp}`);
  else cleanup.trackDir(tmp);
  const run: Run = { options, cleanup, tmp, buildDir: path.join(tmp, "build") };
  const results: Results = {
    machine: machine(),
    date: new Date().toISOString(),
    command: `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`,
    revision: revision(),
    loadAverageEnd: [],
    options,
    seedSeconds: 0,
    databases: [],
    statements: null,
    workloads: [],
    snapshotSizes: [],
    growth: [],
    dbSizes: [],
    peakRssKb: { ours: null, baseline: null },
    soak: null,
    postgres: null,
    seconds: 0,
  };
  checkDisk(tmp, options);
  log("building src/ and the baseline (tsc, production settings)");
  build(run.buildDir, (line) => log(`WARNING: ${line}`));
  const links = new ShareLinks(SHARE_BASE_URL, [Buffer.from(SERVER_ENV.SHARE_LINK_KEY)]);
  const seeded = await seedAll(run, links);
  results.seedSeconds = seeded.seconds;
  results.databases = databases(run, seeded);
  results.statements = await countPass(run);
  await measureMain(run, seeded, results);
  if (seeded.pair) {
    log("view latency by database size");
    results.dbSizes = await dbSizeComparison(run, seeded.pair.smallPath, seeded.pair.largePath, seeded.pair.tokens);
  }
  if (options.phases.has("postgres")) results.postgres = await measurePostgres(run, seeded, links);
  results.seconds = (Date.now() - started) / 1000;
  results.loadAverageEnd = os.loadavg();
  return results;
}

function installSignalHandlers(cleanup: Cleanup): void {
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the servers and removing temporary files`);
    void cleanup.run().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.on("exit", () => cleanup.runSync());
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let options;
  try {
    options = parseOptions(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const cleanup = new Cleanup();
  installSignalHandlers(cleanup);
  try {
    const results = await benchmark(options, cleanup, args);
    process.stdout.write(`\n${render(results)}`);
    if (options.write) {
      writeResultsFile(path.join(ROOT, "bench", "RESULTS.md"), results);
      log("wrote bench/RESULTS.md");
    }
    return 0;
  } finally {
    await cleanup.run();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
