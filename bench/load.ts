// Drives HTTP load with autocannon (as a library, from this process) and turns runs into comparable samples.
import fs from "node:fs";
import autocannon from "autocannon";

/** What a workload sends: bodies taken in turn across all connections, and how to tell a right answer. */
export interface RequestSet {
  headers?: Record<string, string>;
  bodies: readonly string[];
  /** Headers of each body's own (the account that sends it), beside `headers`; cycles like the bodies. */
  bodyHeaders?: readonly Record<string, string>[];
  /**
   * Whether the whole answer to body `index` is right: a view's every byte, a write's parsed result. A 2xx answer
   * that is not counts as a failure (an error, a null view, a truncated or mixed-up body).
   */
  check: (index: number, body: string) => boolean;
  /**
   * Index of the next body. It carries over from run to run, so successive rounds of view-cold keep walking
   * through all the links instead of replaying the first few thousand (which a cache would then hold).
   */
  cursor: { next: number };
}

export interface LoadSettings {
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface Sample {
  /** CPU time of the server process over the run, in cores (1 = one core busy all along); NaN if unknown. */
  serverCpu: number;
  /** The same for this process, the load generator. */
  clientCpu: number;
  /** The same for the PostgreSQL server's processes, when one runs on this machine (0 on SQLite, in-process). */
  databaseCpu: number;
  /** The same for everything else on the machine. */
  othersCpu: number;
  /** Server CPU time per successful response, in microseconds: steadier than req/s when others load the machine. */
  cpuPerRequest: number;
  /** Successful responses per second. */
  rps: number;
  /** Latencies of successful responses, in milliseconds (autocannon's own histogram only has whole milliseconds). */
  mean: number;
  p50: number;
  p99: number;
  ok: number;
  /** Errors, timeouts, non-2xx answers and 2xx answers that were not right (RequestSet.check). */
  failures: number;
  seconds: number;
}

// Hard ceilings, so no loop is unbounded whatever the flags: requests per run and latencies kept in memory.
const MAX_REQUESTS_PER_RUN = 5_000_000;
const MAX_LATENCIES = 2_000_000;

function assertLoopback(url: string): void {
  if (new URL(url).hostname !== "127.0.0.1") throw new Error(`refusing to load ${url}: the benchmark only targets 127.0.0.1`);
}

/** User + system CPU seconds of a process so far, from /proc (clock ticks of 1/100 s); null if unreadable. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** CPU seconds so far of every process on this machine named `name`, by pid. */
function cpuSecondsOf(name: string): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== name) continue;
    } catch {
      continue; // gone meanwhile
    }
    const cpu = cpuSeconds(Number(entry));
    if (cpu !== null) seconds.set(Number(entry), cpu);
  }
  return seconds;
}

/**
 * CPU seconds PostgreSQL's processes (postmaster, background workers, one backend per connection) spent between
 * two readings; a backend started in between counts whole, one that ended in between is lost (pools keep theirs).
 */
function databaseSecondsSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of cpuSecondsOf("postgres")) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** CPU seconds the whole machine spent busy (neither idle nor waiting for I/O), steal included. */
function machineBusySeconds(): number | null {
  try {
    const [, ...ticks] = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
  } catch {
    return null;
  }
}

interface CpuUse {
  /** CPU seconds the server used over the run. */
  serverSeconds: number;
  server: number;
  client: number;
  /** PostgreSQL's processes, when it runs on this machine. */
  database: number;
  /** Everything else on the machine: other tenants of a shared box, the other server, the kernel. */
  others: number;
}

function cpuMeter(pid: number | undefined): () => CpuUse {
  const started = performance.now();
  const server0 = pid === undefined ? null : cpuSeconds(pid);
  const client0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const database0 = cpuSecondsOf("postgres");
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const server1 = pid === undefined ? null : cpuSeconds(pid);
    const machine1 = machineBusySeconds();
    const clientUsage = process.cpuUsage(client0);
    const serverSeconds = server0 === null || server1 === null ? NaN : server1 - server0;
    const server = serverSeconds / seconds;
    const client = (clientUsage.user + clientUsage.system) / 1e6 / seconds;
    const machine = machine0 === null || machine1 === null ? NaN : (machine1 - machine0) / seconds;
    const database = databaseSecondsSince(database0) / seconds;
    return { serverSeconds, server, client, database, others: Math.max(0, machine - server - client - database) };
  };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** What a connection last sent: the index of its body. */
interface Turn {
  index: number;
}

/** One run of `set` against `baseUrl`/graphql; `serverPid` lets it measure the server's CPU use meanwhile. */
export function runLoad(baseUrl: string, set: RequestSet, settings: LoadSettings, serverPid?: number): Promise<Sample> {
  assertLoopback(baseUrl);
  if (set.bodies.length === 0) throw new Error("a request set needs at least one body");
  const { bodies, cursor, bodyHeaders } = set;
  const latencies: number[] = [];
  let mismatches = 0;
  const cpu = cpuMeter(serverPid);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${baseUrl}/graphql`,
        method: "POST",
        headers: { "content-type": "application/json", ...set.headers },
        connections: settings.connections,
        duration: settings.duration,
        maxOverallRequests: MAX_REQUESTS_PER_RUN,
        timeout: 30,
        // A run ends at the first sample tick after its duration: 100 ms ticks keep short runs short.
        sampleInt: 100,
        // One shared counter: connections take the bodies in turn instead of each walking the same order. One
        // request in flight per connection (no pipelining), so the connection's context knows which body it sent.
        requests: [
          {
            setupRequest: (request, context) => {
              const index = cursor.next++ % bodies.length;
              (context as Turn).index = index;
              const headers = bodyHeaders ? { ...request.headers, ...bodyHeaders[index % bodyHeaders.length] } : request.headers;
              return { ...request, headers, body: bodies[index] };
            },
            onResponse: (status, body, context) => {
              if (status < 300 && !set.check((context as Turn).index, body)) mismatches++;
            },
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const sorted = Float64Array.from(latencies).sort();
        const ok = result["2xx"] - mismatches;
        const { serverSeconds, server, client, database, others } = cpu();
        resolve({
          serverCpu: server,
          clientCpu: client,
          databaseCpu: database,
          othersCpu: others,
          cpuPerRequest: (serverSeconds * 1e6) / ok,
          rps: ok / result.duration,
          mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          ok,
          failures: result.errors + result.timeouts + result.non2xx + mismatches,
          seconds: result.duration,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 300 && latencies.length < MAX_LATENCIES) latencies.push(responseTime);
    });
  });
}

/**
 * Mean time of `count` requests sent one after another with fetch: for slow writes, where a handful of requests
 * is enough and autocannon's sampling tick would dominate. Every request must succeed.
 */
export async function timeSequential(baseUrl: string, set: RequestSet, count: number): Promise<number> {
  assertLoopback(baseUrl);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const index = set.cursor.next++ % set.bodies.length;
    const res = await fetch(`${baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...set.headers, ...set.bodyHeaders?.[index % set.bodyHeaders.length] },
      body: set.bodies[index],
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    total += performance.now() - started;
    if (!res.ok || !set.check(index, text)) throw new Error(`request failed (${res.status}): ${text.slice(0, 300)}`);
  }
  return total / count;
}

/** Something to measure: a server and what to send it. */
export interface Contender {
  name: string;
  url: string;
  /** The server's process, to measure its CPU use. */
  pid?: number;
  requests: RequestSet;
}

export interface RoundPlan {
  warmup: number;
  duration: number;
  rounds: number;
  connections: number;
}

/**
 * Warms every contender up, then runs `rounds` rounds of one run each, reversing the order every other round, so
 * contenders measured against each other ran side by side in time: absolute numbers drift on a shared machine.
 */
export async function alternate(contenders: readonly Contender[], plan: RoundPlan, log: (line: string) => void): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
  for (const c of contenders) {
    if (plan.warmup > 0) await runLoad(c.url, c.requests, { connections: plan.connections, duration: plan.warmup }, c.pid);
  }
  for (let round = 0; round < plan.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      const sample = await runLoad(c.url, c.requests, { connections: plan.connections, duration: plan.duration }, c.pid);
      samples.get(c.name)!.push(sample);
      const cpu = `CPU server ${sample.serverCpu.toFixed(2)} (${sample.cpuPerRequest.toFixed(0)} µs/req), load gen. ${sample.clientCpu.toFixed(2)}, ${sample.databaseCpu >= 0.005 ? `PostgreSQL ${sample.databaseCpu.toFixed(2)}, ` : ""}others ${sample.othersCpu.toFixed(2)}`;
      log(`    ${c.name.padEnd(28)} round ${round + 1}: ${sample.rps.toFixed(0).padStart(6)} req/s  p99 ${sample.p99.toFixed(2).padStart(6)} ms  ${cpu}${sample.failures ? `  FAILURES ${sample.failures}` : ""}`);
    }
  }
  return samples;
}

/** The medians of a contender's rounds. */
export interface Summary {
  serverCpu: number;
  clientCpu: number;
  databaseCpu: number;
  othersCpu: number;
  cpuPerRequest: number;
  rps: number;
  mean: number;
  p50: number;
  p99: number;
  ok: number;
  failures: number;
  rounds: number;
}

export function summarize(samples: readonly Sample[]): Summary {
  return {
    serverCpu: median(samples.map((s) => s.serverCpu)),
    clientCpu: median(samples.map((s) => s.clientCpu)),
    databaseCpu: median(samples.map((s) => s.databaseCpu)),
    othersCpu: median(samples.map((s) => s.othersCpu)),
    cpuPerRequest: median(samples.map((s) => s.cpuPerRequest)),
    rps: median(samples.map((s) => s.rps)),
    mean: median(samples.map((s) => s.mean)),
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    ok: samples.reduce((sum, s) => sum + s.ok, 0),
    failures: samples.reduce((sum, s) => sum + s.failures, 0),
    rounds: samples.length,
  };
}

/** Median over rounds of a/b, each round's pair measured back to back. */
export function pairedRatio(a: readonly Sample[], b: readonly Sample[], field: "rps" | "p99" | "mean" | "p50" | "cpuPerRequest"): number {
  return median(a.map((sample, i) => sample[field] / b[i][field]));
}
