// Real server processes (src/index.ts as child processes), for tests of several instances on shared services.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import Redis from "ioredis";

const ROOT = path.join(__dirname, "..", "..");

export interface Instance {
  url: string;
  child: ChildProcess;
  exit: Promise<number | null>;
  /** Everything the process logged, to show when a test fails. */
  output: () => string;
}

/**
 * What the instances of one deployment are started with in every test of several: the same keys (a session or a
 * link made through one works through the others), a free port each, and scrypt at a lower cost only for speed.
 */
export const DEPLOYMENT_ENV = {
  PORT: "0",
  SCRYPT_LOG_N: "12",
  JWT_SECRET: "j".repeat(48),
  SHARE_LINK_KEY: "k".repeat(48),
  SHARE_BASE_URL: "https://chat.example/share/",
};

/** Starts src/index.ts with exactly `env` (and PATH), resolving once it listens. */
export function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "src/index.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exit = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^/\s"]+)\/graphql/.exec(output);
      if (match) resolve({ url: match[1], child, exit, output: () => output });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    exit.then((code) => reject(new Error(`instance exited with ${code} before listening:\n${output}`)));
  });
}

/** Stops an instance the way an orchestrator does (SIGTERM) and waits for it to exit. */
export async function stopInstance(instance: Instance | undefined): Promise<void> {
  if (!instance || instance.child.exitCode !== null) return;
  instance.child.kill("SIGTERM");
  await instance.exit;
}

/** Waits until `/readyz` answers 200 (every dependency answers, the Redis subscription is up); fails past `deadline`. */
export async function untilReady(instance: Pick<Instance, "url">, deadline = Date.now() + 30_000): Promise<void> {
  for (;;) {
    const res = await fetch(`${instance.url}/readyz`);
    const body = await res.json();
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`not ready: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The instance's /metrics as Prometheus scrapes them: a series' value by its name and labels, 0 when absent. */
export async function scrape(instance: Pick<Instance, "url">): Promise<(series: string) => number> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  return (series) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
}

/** Deletes every key a test's instances made under their REDIS_KEY_PREFIX in a shared Redis. */
export async function forgetRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}
