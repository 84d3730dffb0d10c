// Command-line flags of `npm run bench`, with the full run's defaults and the smaller ones of --quick.

/** Every part of a run; --only picks some. */
export const PHASES = ["statements", "view-hot", "view-cold", "view-uncached", "list", "my-shares", "share", "import", "snapshot-size", "growth", "db-size", "soak", "postgres"] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  quick: boolean;
  /** Write bench/RESULTS.md (never with --quick). */
  write: boolean;
  /** Seconds of warm-up per server before a workload's rounds. */
  warmup: number;
  /** Seconds per round of a throughput workload. */
  duration: number;
  /** Rounds per workload; each round runs our server and the baseline once, in alternating order. */
  rounds: number;
  /** Concurrent connections of the view workloads, each count run in turn; the others use the first. */
  connections: number[];
  /** Seconds per round of a latency comparison (snapshot size, database size), run with one connection. */
  latencyDuration: number;
  users: number;
  conversations: number;
  /** Shares with a snapshot of `messages` messages; the view-cold links are taken from these. */
  shares: number;
  messages: number;
  messageChars: number;
  /** The list workload's owner: this many conversations of `listMessages` messages, each shared once. */
  listConversations: number;
  listMessages: number;
  hotLinks: number;
  coldLinks: number;
  /** Message counts for the snapshot-size comparison and the share/import growth check. */
  snapshotSizes: number[];
  /** Links seeded per snapshot size. */
  sizeLinks: number;
  /** Share counts [small, large] of the database-size comparison; empty skips it. Every share of the small one is measured. */
  dbSizes: number[];
  /** Users taking turns at share and import, so that none reaches its hourly allowance (300 by default). */
  writers: number;
  /** Links to snapshots of the largest allowed size, one request in `largestEvery` of the soak. */
  largestLinks: number;
  largestEvery: number;
  /** Requests per size when timing share and import against message count. */
  growthRequests: number;
  /** Seconds of the RSS soak; 0 skips it. */
  soak: number;
  /**
   * PostgreSQL to run view-cold and share on as well, beside SQLite (a schema of the run's own is created and
   * dropped); null skips that part.
   */
  postgres: string | null;
  /** Redis for the view-cold run with REDIS_URL on PostgreSQL (a key prefix of the run's own); null skips it. */
  redis: string | null;
  /** Folder for CPU profiles of our server and the baseline (written when they stop), or null. */
  cpuProf: string | null;
  /** Keep the temporary folder (databases, build) for inspection. */
  keep: boolean;
  /** The parts to run; a partial run never writes RESULTS.md. */
  phases: Set<Phase>;
}

const FULL: BenchOptions = {
  quick: false,
  write: true,
  warmup: 3,
  duration: 3,
  rounds: 5,
  connections: [10, 50],
  latencyDuration: 3,
  users: 1000,
  conversations: 10_000,
  shares: 10_000,
  messages: 50,
  messageChars: 380,
  listConversations: 20,
  listMessages: 20,
  hotLinks: 10,
  coldLinks: 10_000,
  snapshotSizes: [10, 100, 1000],
  sizeLinks: 100,
  dbSizes: [1000, 1_000_000],
  writers: 200,
  largestLinks: 5,
  largestEvery: 1000,
  growthRequests: 20,
  soak: 300,
  postgres: null,
  redis: null,
  cpuProf: null,
  keep: false,
  phases: new Set(PHASES),
};

// A smoke run: every workload once, a few seconds each, on a tiny seed; nothing written.
const QUICK: Partial<BenchOptions> = {
  quick: true,
  write: false,
  warmup: 0.5,
  duration: 1,
  rounds: 1,
  connections: [4],
  latencyDuration: 0.5,
  users: 10,
  conversations: 100,
  shares: 100,
  coldLinks: 100,
  listConversations: 4,
  listMessages: 5,
  sizeLinks: 3,
  dbSizes: [],
  snapshotSizes: [10, 100],
  writers: 20,
  growthRequests: 2,
  soak: 0,
};

export const USAGE = `Usage: npm run bench -- [flags]

  --quick                 smoke run: tiny seed, ~1 s per workload, no 1M-share database, no soak, no RESULTS.md;
                          it checks that everything runs and judges no target (its links all fit in the caches)
  --no-write              print the results only; do not rewrite bench/RESULTS.md
  --warmup <s>            warm-up per server before each workload (default ${FULL.warmup})
  --duration <s>          seconds per round of a throughput workload (default ${FULL.duration})
  --rounds <n>            rounds per workload, alternating our server and the baseline (default ${FULL.rounds})
  --connections <list>    concurrent connections of the view workloads, each in turn; the others use the first
                          (default ${FULL.connections.join(",")})
  --latency-duration <s>  seconds per round of the snapshot- and database-size comparisons (default ${FULL.latencyDuration})
  --users <n>             seeded users (default ${FULL.users})
  --conversations <n>     seeded conversations (default ${FULL.conversations})
  --shares <n>            seeded shares of --messages messages (default ${FULL.shares})
  --messages <n>          messages per seeded snapshot (default ${FULL.messages})
  --message-chars <n>     mean characters per message (default ${FULL.messageChars})
  --list-conversations <n> conversations listed by the list workload (default ${FULL.listConversations})
  --list-messages <n>     messages in each of them (default ${FULL.listMessages})
  --hot-links <n>         links in view-hot (default ${FULL.hotLinks})
  --cold-links <n>        links in view-cold, at most --shares (default ${FULL.coldLinks})
  --snapshot-sizes <list> message counts compared (default ${FULL.snapshotSizes.join(",")})
  --size-links <n>        links seeded per snapshot size (default ${FULL.sizeLinks})
  --db-sizes <list>       share counts of the database-size comparison; "none" skips it (default ${FULL.dbSizes.join(",")})
  --writers <n>           accounts taking turns at share and import (default ${FULL.writers})
  --largest-links <n>     links to snapshots of the largest allowed size, mixed into the soak (default ${FULL.largestLinks})
  --largest-every <n>     one soak request in this many views one of them (default ${FULL.largestEvery})
  --growth-requests <n>   requests per size when timing share/import against message count (default ${FULL.growthRequests})
  --soak <s>              seconds of view load while sampling RSS; 0 skips (default ${FULL.soak})
  --postgres <url>        also run view-cold and share on this PostgreSQL, beside SQLite, in a schema of the run's
                          own (default: $BENCH_DATABASE_URL; without either, that part is skipped)
  --redis <url>           also run view-cold on PostgreSQL with REDIS_URL set, under a key prefix of the run's own
                          (default: $BENCH_REDIS_URL; without either, that run is skipped)
  --cpu-prof <dir>        write CPU profiles of our server and the baseline into <dir>/ours and <dir>/baseline
                          (summarise them with bench/profile-summary.ts)
  --only <list>           run only these parts (implies --no-write): ${PHASES.join(", ")}
  --keep                  keep the temporary folder
  --help
`;

export class UsageError extends Error {}

type NumberKey = { [K in keyof BenchOptions]: BenchOptions[K] extends number ? K : never }[keyof BenchOptions];

const NUMBER_FLAGS: Record<string, { key: NumberKey; min: number; integer: boolean }> = {
  "--warmup": { key: "warmup", min: 0, integer: false },
  "--duration": { key: "duration", min: 0.5, integer: false },
  "--rounds": { key: "rounds", min: 1, integer: true },
  "--latency-duration": { key: "latencyDuration", min: 0.5, integer: false },
  "--users": { key: "users", min: 1, integer: true },
  "--conversations": { key: "conversations", min: 1, integer: true },
  "--shares": { key: "shares", min: 1, integer: true },
  "--messages": { key: "messages", min: 1, integer: true },
  "--message-chars": { key: "messageChars", min: 20, integer: true },
  "--list-conversations": { key: "listConversations", min: 3, integer: true },
  "--list-messages": { key: "listMessages", min: 1, integer: true },
  "--hot-links": { key: "hotLinks", min: 1, integer: true },
  "--cold-links": { key: "coldLinks", min: 1, integer: true },
  "--size-links": { key: "sizeLinks", min: 1, integer: true },
  "--writers": { key: "writers", min: 1, integer: true },
  "--largest-links": { key: "largestLinks", min: 0, integer: true },
  "--largest-every": { key: "largestEvery", min: 2, integer: true },
  "--growth-requests": { key: "growthRequests", min: 1, integer: true },
  "--soak": { key: "soak", min: 0, integer: false },
};

function parseNumber(flag: string, raw: string | undefined, min: number, integer: boolean): number {
  const value = Number(raw);
  if (raw === undefined || raw === "" || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} needs ${integer ? "an integer" : "a number"} of at least ${min}, got "${raw ?? ""}"`);
  }
  return value;
}

function parseList(flag: string, raw: string | undefined): number[] {
  if (raw === "none") return [];
  const values = (raw ?? "").split(",").map((part) => parseNumber(flag, part.trim(), 1, true));
  if (values.length === 0) throw new UsageError(`${flag} needs a comma-separated list of integers`);
  return values;
}

function parsePhases(raw: string | undefined): Set<Phase> {
  const names = (raw ?? "").split(",").map((part) => part.trim());
  for (const name of names) {
    if (!(PHASES as readonly string[]).includes(name)) throw new UsageError(`--only: unknown part "${name}" (parts: ${PHASES.join(", ")})`);
  }
  return new Set(names as Phase[]);
}

function parseRedisUrl(raw: string | undefined): string {
  if (!raw || !/^rediss?:\/\//.test(raw)) throw new UsageError(`--redis needs a redis:// URL, got "${raw ?? ""}"`);
  return raw;
}

function parsePostgresUrl(raw: string | undefined): string {
  if (!raw || !/^postgres(ql)?:\/\//.test(raw)) throw new UsageError(`--postgres needs a postgres:// URL, got "${raw ?? ""}"`);
  return raw;
}

/**
 * Parses argv (without node and the script); --quick first sets its smaller defaults, other flags override them.
 * `env` supplies BENCH_DATABASE_URL.
 */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const options: BenchOptions = { ...FULL, ...(argv.includes("--quick") ? QUICK : {}), phases: new Set(PHASES) };
  if (env.BENCH_DATABASE_URL) options.postgres = parsePostgresUrl(env.BENCH_DATABASE_URL);
  if (env.BENCH_REDIS_URL) options.redis = parseRedisUrl(env.BENCH_REDIS_URL);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const numeric = NUMBER_FLAGS[flag];
    if (numeric) options[numeric.key] = parseNumber(flag, argv[++i], numeric.min, numeric.integer);
    else if (flag === "--quick") continue;
    else if (flag === "--no-write") options.write = false;
    else if (flag === "--keep") options.keep = true;
    else if (flag === "--snapshot-sizes") options.snapshotSizes = parseList(flag, argv[++i]);
    else if (flag === "--db-sizes") options.dbSizes = parseList(flag, argv[++i]);
    else if (flag === "--connections") options.connections = parseList(flag, argv[++i]);
    else if (flag === "--redis") options.redis = parseRedisUrl(argv[++i]);
    else if (flag === "--cpu-prof") options.cpuProf = argv[++i] ?? "";
    else if (flag === "--postgres") options.postgres = parsePostgresUrl(argv[++i]);
    else if (flag === "--only") {
      options.phases = parsePhases(argv[++i]);
      if (options.phases.has("postgres") && options.postgres === null && !argv.includes("--postgres")) {
        throw new UsageError("--only postgres needs --postgres <url> (or BENCH_DATABASE_URL)");
      }
    }
    else throw new UsageError(`unknown flag "${flag}"\n\n${USAGE}`);
  }
  if (options.quick || options.phases.size < PHASES.length) options.write = false;
  if (options.dbSizes.length === 0) options.phases.delete("db-size");
  if (options.soak === 0) options.phases.delete("soak");
  if (options.postgres === null) options.phases.delete("postgres");
  if (options.cpuProf === "") throw new UsageError("--cpu-prof needs a folder");
  if (options.connections.length === 0) throw new UsageError("--connections needs at least one count");
  if (options.snapshotSizes.length === 0) throw new UsageError("--snapshot-sizes needs at least one size");
  if (options.dbSizes.length === 1 || options.dbSizes.length > 2) throw new UsageError("--db-sizes needs two sizes (or none)");
  options.coldLinks = Math.min(options.coldLinks, options.shares);
  options.hotLinks = Math.min(options.hotLinks, options.shares);
  if (options.dbSizes.length === 2 && options.dbSizes[0] >= options.dbSizes[1]) {
    throw new UsageError("--db-sizes needs the smaller size first, e.g. 1000,1000000");
  }
  return options;
}
