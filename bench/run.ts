// `npm run bench`: seeds databases, starts our server (production build) and the baseline as their own processes,
// drives load at them from this process on loopback, and reports against the targets of issue 5. See README.md.
import "reflect-metadata";
import "./sqlite-only";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ShareLinks } from "../src/share/share-links";
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
  listOwner,
  listRequests,
  shareRequests,
  VIEW,
  viewRequests,
  type WorkloadName,
} from "./workloads";

const SHARE_BASE_URL = "https://chat-share.bench/share/";

/** Production mode, as the issue asks; fixed secrets so the seeder can mint links the server accepts. */
const SERVER_ENV = {
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  JWT_SECRET: "chat-share benchmark session key: never used in production",
  SHARE_LINK_KEY: "chat-share benchmark link key: never used in production",
  SHARE_BASE_URL,
  // Sign-ups only prepare the workloads; the default cost (2^17) would spend seconds per account for nothing.
  SCRYPT_LOG_N: "12",
  // All load comes from one address and a few accounts: per-client limits stay on (their cost is part of every
  // request) but high enough never to trip, as a viral link's viewers come from many addresses.
  VIEWS_PER_IP_PER_MINUTE: "100000000",
  SIGNUPS_PER_IP_PER_HOUR: "1000000",
  SHARES_PER_USER_PER_HOUR: "1000000",
  IMPORTS_PER_USER_PER_HOUR: "1000000",
  // view-cold cycles over 10,000 links: caches smaller than that keep it mostly cold, as a long tail of links is,
  // while the 10 view-hot links stay in them (the defaults would hold every view-cold link after one pass).
  SNAPSHOT_CACHE_SIZE: "1000",
  RESPONSE_CACHE_MAX_BYTES: String(16 * 1024 * 1024),
};

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

async function startBaseline(run: Run, name: string, databasePath: string, cpuProf: string | null = null): Promise<ServerProcess> {
  const script = path.join(run.buildDir, "bench", "baseline", "server.js");
  const server = await startServer(run.cleanup, run.buildDir, { name, script, env: serverEnv(databasePath), nodeArgs: profileArgs(cpuProf) });
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

/** Every server must give byte-identical answers, or the comparison with the baseline means nothing. */
async function verifySameAnswers(servers: readonly ServerProcess[], links: { label: string; link: string; live: boolean }[]): Promise<void> {
  for (const { label, link, live } of links) {
    const bodies = await Promise.all(servers.map((s) => new Api(s.url).raw(VIEW, { link })));
    const expected = live ? `{"data":{"sharedConversation":{` : `{"data":{"sharedConversation":null}}`;
    for (const [i, text] of bodies.entries()) {
      if (!text.startsWith(expected)) throw new Error(`${servers[i].name} answered the ${label} link with ${text.slice(0, 300)}`);
      if (text !== bodies[0]) {
        throw new Error(`${servers[i].name} and ${servers[0].name} differ on the ${label} link:\n${text.slice(0, 300)}\n${bodies[0].slice(0, 300)}`);
      }
    }
  }
}

/** What the write and list workloads send, prepared through the API of the running server. */
interface Prepared {
  listToken: string;
  shareToken: string;
  shareConversationId: string;
  importToken: string;
  importLink: string;
  growth: { messages: number; conversationId: string; link: string }[];
}

/** An owner and the conversation the share workload shares again and again. */
async function prepareShare(api: Api, o: BenchOptions, text: TextGenerator): Promise<{ shareToken: string; shareConversationId: string }> {
  const shareToken = await api.signUp("Share Owner");
  return { shareToken, shareConversationId: await api.conversation(shareToken, "Shared again and again", o.messages, o.messageChars, text) };
}

async function prepare(url: string, o: BenchOptions): Promise<Prepared> {
  const api = new Api(url);
  const text = new TextGenerator(1234);
  const listToken = await listOwner(api, o.listConversations, o.listMessages, o.messageChars, text);
  const { shareToken, shareConversationId } = await prepareShare(api, o, text);
  const importLink = await api.share(shareToken, shareConversationId);
  const growth: Prepared["growth"] = [];
  if (o.phases.has("growth")) {
    for (const messages of o.snapshotSizes) {
      const conversationId = await api.conversation(shareToken, `${messages} messages`, messages, o.messageChars, text);
      growth.push({ messages, conversationId, link: await api.share(shareToken, conversationId) });
    }
  }
  return { listToken, shareToken, shareConversationId, importToken: await api.signUp("Importer"), importLink, growth };
}

interface WorkloadDef {
  name: WorkloadName;
  description: string;
  requests: () => RequestSet;
  withBaseline: boolean;
}

function workloadDefs(o: BenchOptions, seed: MainSeed, prepared: Prepared | null): WorkloadDef[] {
  const hot = seed.links.slice(0, o.hotLinks).map(linkOf);
  // Called only for the workloads that run, which were prepared.
  const p = () => prepared!;
  const cold = shuffled(seed.links.slice(0, o.coldLinks), 5).map(linkOf);
  return [
    { name: "view-hot", description: `sharedConversation over ${hot.length} popular links`, requests: () => viewRequests(hot), withBaseline: true },
    { name: "view-cold", description: `sharedConversation over ${cold.length} distinct links`, requests: () => viewRequests(cold), withBaseline: true },
    {
      name: "list",
      description: `conversations(first: ${o.listConversations}) with messages and shares, ${o.listMessages} messages each`,
      requests: () => listRequests(p().listToken, o.listConversations),
      withBaseline: false,
    },
    { name: "share", description: `shareConversation of a ${o.messages}-message conversation`, requests: () => shareRequests(p().shareToken, p().shareConversationId), withBaseline: false },
    { name: "import", description: `importShare of a ${o.messages}-message snapshot`, requests: () => importRequests(p().importToken, p().importLink), withBaseline: false },
  ];
}

async function runWorkloads(run: Run, ours: ServerProcess, baseline: ServerProcess, defs: WorkloadDef[]): Promise<WorkloadResult[]> {
  const { warmup, duration, rounds, connections } = run.options;
  const results: WorkloadResult[] = [];
  for (const def of defs.filter((d) => run.options.phases.has(d.name))) {
    log(`${def.name}: ${def.description}`);
    const contenders: Contender[] = [{ name: "ours", url: ours.url, pid: ours.pid, requests: def.requests() }];
    if (def.withBaseline) contenders.push({ name: "baseline", url: baseline.url, pid: baseline.pid, requests: def.requests() });
    const before = def.withBaseline ? await cacheCounters(ours.url) : null;
    const samples = await alternate(contenders, { warmup, duration, rounds, connections }, log);
    const result: WorkloadResult = { name: def.name, description: def.description, ours: summarize(samples.get("ours")!) };
    result.cache = counterDelta(before, def.withBaseline ? await cacheCounters(ours.url) : null);
    if (def.withBaseline) {
      result.baseline = summarize(samples.get("baseline")!);
      result.rpsRatio = pairedRatio(samples.get("ours")!, samples.get("baseline")!, "rps");
      result.p99Ratio = pairedRatio(samples.get("ours")!, samples.get("baseline")!, "p99");
    }
    results.push(result);
  }
  return results;
}

/** Our server and the baseline, one connection, for each group of links; rows in the order of `groups`. */
async function latencyComparison(
  run: Run,
  groups: { label: string; ours: ServerProcess; baseline: ServerProcess; links: string[] }[],
): Promise<LatencyRow[]> {
  const contenders = groups.flatMap((g) => [
    { name: `ours, ${g.label}`, url: g.ours.url, pid: g.ours.pid, requests: viewRequests(g.links) },
    { name: `baseline, ${g.label}`, url: g.baseline.url, pid: g.baseline.pid, requests: viewRequests(g.links) },
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
      const share = await timeSequential(ours.url, shareRequests(p.shareToken, g.conversationId), count);
      const imported = await timeSequential(ours.url, importRequests(p.importToken, g.link), count);
      if (round < 0) continue;
      timings.get(g.messages)!.share.push(share);
      timings.get(g.messages)!.import.push(imported);
      log(`    ${String(g.messages).padStart(5)} messages round ${round + 1}: share ${share.toFixed(2)} ms, import ${imported.toFixed(2)} ms`);
    }
  }
  return p.growth.map((g) => ({ messages: g.messages, shareMs: median(timings.get(g.messages)!.share), importMs: median(timings.get(g.messages)!.import) }));
}

/** View-cold load for `seconds` while sampling the server's RSS every second. */
async function soak(run: Run, ours: ServerProcess, links: string[]): Promise<SoakResult> {
  const seconds = run.options.soak;
  const samples: { t: number; kb: number }[] = [];
  const start = Date.now();
  const timer = setInterval(() => {
    const kb = ours.rssKb();
    if (kb !== null) samples.push({ t: (Date.now() - start) / 1000, kb });
  }, 1000);
  let load;
  try {
    load = await runLoad(ours.url, viewRequests(links), { connections: run.options.connections, duration: seconds }, ours.pid);
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
  const [small, large] = run.options.dbSizes;
  const label = (n: number) => `${n.toLocaleString("en-US")} shares`;
  const servers = {
    oursSmall: await startOurs(run, `our server, ${label(small)}`, smallPath),
    oursLarge: await startOurs(run, `our server, ${label(large)}`, largePath),
    baseSmall: await startBaseline(run, `baseline, ${label(small)}`, smallPath),
    baseLarge: await startBaseline(run, `baseline, ${label(large)}`, largePath),
  };
  const links = tokens.map(linkOf);
  await verifySameAnswers(Object.values(servers), [{ label: "first", link: links[0], live: true }]);
  const rows = await latencyComparison(run, [
    { label: label(small), ours: servers.oursSmall, baseline: servers.baseSmall, links },
    { label: label(large), ours: servers.oursLarge, baseline: servers.baseLarge, links },
  ]);
  for (const server of Object.values(servers)) await server.stop();
  return rows;
}

interface Seeded {
  mainPath: string;
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
  const seed = await seedSqliteMain(mainPath, links, o);
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
  return { mainPath, seed, pair, seconds: (Date.now() - seedStart) / 1000 };
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

async function measureMain(run: Run, seeded: Seeded, results: Results): Promise<void> {
  const o = run.options;
  const ours = await startOurs(run, "our server", seeded.mainPath, o.cpuProf && path.join(o.cpuProf, "ours"));
  const baseline = await startBaseline(run, "baseline", seeded.mainPath, o.cpuProf && path.join(o.cpuProf, "baseline"));
  const { seed } = seeded;
  await verifySameAnswers(
    [ours, baseline],
    [...testLinks(seed), { label: "largest snapshot", link: linkOf(seed.bySize.get(Math.max(...o.snapshotSizes))![0]), live: true }],
  );
  // Only what the chosen parts need, so a profile of --only view-hot shows views and nothing else.
  let prepared: Prepared | null = null;
  if (["list", "share", "import", "growth"].some((phase) => o.phases.has(phase as Phase))) {
    log("preparing the list, share and import workloads through the API");
    prepared = await prepare(ours.url, o);
  }
  results.workloads = await runWorkloads(run, ours, baseline, workloadDefs(o, seed, prepared));
  if (o.phases.has("snapshot-size")) {
    log(`view latency by snapshot size: ${o.snapshotSizes.join(", ")} messages`);
    results.snapshotSizes = await latencyComparison(
      run,
      o.snapshotSizes.map((n) => ({ label: `${n.toLocaleString("en-US")} messages`, ours, baseline, links: seed.bySize.get(n)!.map(linkOf) })),
    );
  }
  if (o.phases.has("growth")) {
    log(`share and import time by message count: ${o.snapshotSizes.join(", ")}`);
    results.growth = await growth(run, ours, prepared!);
  }
  if (o.phases.has("soak")) {
    log(`soak: ${o.soak} s of view-cold load, sampling RSS`);
    results.soak = await soak(run, ours, shuffled(seed.links.slice(0, o.coldLinks), 6).map(linkOf));
  }
  results.peakRssKb = { ours: ours.peakRssKb(), baseline: baseline.peakRssKb() };
  await ours.stop();
  await baseline.stop();
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
  const seed = await seedMain(await PostgresWriter.open(target.url, target.schema, links), { ...o, snapshotSizes: [], sizeLinks: 0 });
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const dataDir = path.join(run.tmp, "postgres");
  fs.mkdirSync(dataDir);
  const sqlite = await startOurs(run, "our server, SQLite", seeded.mainPath);
  const postgres = await startOursWith(run, "our server, PostgreSQL", { ...SERVER_ENV, ...postgresEnv(target), DATA_DIR: dataDir });
  await verifySameAnswers([postgres], testLinks(seed));
  await verifySameContent(sqlite, seeded.seed, postgres, seed);
  const prepared = await Promise.all([sqlite, postgres].map((server) => prepareShare(new Api(server.url), o, new TextGenerator(1234))));
  const cold = (s: MainSeed) => viewRequests(shuffled(s.links.slice(0, o.coldLinks), 5).map(linkOf));
  const workloads = [
    { name: "view-cold" as const, description: `sharedConversation over ${o.coldLinks.toLocaleString("en-US")} distinct links`, requests: [cold(seeded.seed), cold(seed)] },
    {
      name: "share" as const,
      description: `shareConversation of a ${o.messages}-message conversation`,
      requests: prepared.map((p) => shareRequests(p.shareToken, p.shareConversationId)),
    },
  ];
  const rows: PostgresResult["workloads"] = [];
  for (const w of workloads) {
    log(`${w.name} on SQLite and PostgreSQL: ${w.description}`);
    const contenders: Contender[] = [
      { name: "SQLite", url: sqlite.url, pid: sqlite.pid, requests: w.requests[0] },
      { name: "PostgreSQL", url: postgres.url, pid: postgres.pid, requests: w.requests[1] },
    ];
    const samples = await alternate(contenders, { warmup: o.warmup, duration: o.duration, rounds: o.rounds, connections: o.connections }, log);
    rows.push({
      name: w.name,
      description: w.description,
      sqlite: summarize(samples.get("SQLite")!),
      postgres: summarize(samples.get("PostgreSQL")!),
      rpsRatio: pairedRatio(samples.get("PostgreSQL")!, samples.get("SQLite")!, "rps"),
    });
  }
  await sqlite.stop();
  await postgres.stop();
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
