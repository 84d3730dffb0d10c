// The processes a benchmark run starts (the build, our server, the baseline), and cleaning them up whatever happens.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const ROOT = path.join(__dirname, "..");
const TMP_PREFIX = "chat-share-bench-";

/**
 * A fresh temporary folder holding this run's pid. Folders of earlier runs whose process is gone (killed outright,
 * with no chance to clean up) are removed first: a full run leaves gigabytes.
 */
export function makeTempDir(): string {
  for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(TMP_PREFIX))) {
    const dir = path.join(os.tmpdir(), name);
    const pid = readPid(path.join(dir, "bench.pid"));
    if (pid !== null && !isAlive(pid)) fs.rmSync(dir, { recursive: true, force: true });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), TMP_PREFIX));
  fs.writeFileSync(path.join(dir, "bench.pid"), String(process.pid));
  return dir;
}

// No pid file (yet, or not a bench folder after all) means "leave it alone".
function readPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists (possibly another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Things to undo at the end of a run, newest first; also run on SIGINT/SIGTERM and, synchronously, at exit. */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly dirs = new Set<string>();

  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  track(child: ChildProcess): void {
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
  }

  trackDir(dir: string): void {
    this.dirs.add(dir);
  }

  forgetDir(dir: string): void {
    this.dirs.delete(dir);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        process.stderr.write(`cleanup "${step.name}" failed: ${String(error)}\n`);
      }
    }
    this.runSync();
  }

  /** Last resort, for process "exit": only synchronous work is possible there. */
  runSync(): void {
    for (const child of this.children) child.kill("SIGKILL");
    this.children.clear();
    for (const dir of this.dirs) fs.rmSync(dir, { recursive: true, force: true });
    this.dirs.clear();
  }
}

/**
 * Compiles src/ and the baseline with the project's build settings into `outDir`, away from dist/ (which others
 * may be running), and links node_modules next to it so the compiled files resolve their dependencies.
 */
export function build(outDir: string, warn: (line: string) => void): void {
  const tsc = require.resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", path.join(ROOT, "bench", "tsconfig.build.json"), "--outDir", outDir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  // Exit 2 is "type errors, JavaScript emitted anyway": a tree being edited still gets measured, with a warning.
  if (result.status === 2) warn(`the build has type errors; measuring the emitted JavaScript anyway:\n${result.stdout}${result.stderr}`);
  else if (result.status !== 0) throw new Error(`the build failed (tsc exit ${result.status}):\n${result.stdout}${result.stderr}`);
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(outDir, "node_modules"), "dir");
}

/** A port nobody listens on right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  name: string;
  pid: number;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** Resident memory now, in kB, or null once it has exited. */
  rssKb(): number | null;
  /** Peak resident memory so far (VmHWM), in kB. */
  peakRssKb(): number | null;
  /** The last few kB of what it wrote on stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

function procStatusKb(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

async function waitUntilHealthy(url: string, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited()) {
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(exited() ? "it exited before answering /healthz" : `no answer on ${url}/healthz within ${timeoutMs / 1000} s`);
}

export interface StartOptions {
  name: string;
  /** Compiled entry point. */
  script: string;
  env: Record<string, string>;
  nodeArgs?: string[];
}

/** Starts a Node server on a free loopback port and resolves once /healthz answers. */
export async function startServer(cleanup: Cleanup, buildDir: string, options: StartOptions): Promise<ServerProcess> {
  const port = await freePort();
  // The guard stops the server if this process dies without cleaning up (SIGKILL): no stray load on the machine.
  const guard = path.join(buildDir, "bench", "guard.js");
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "-r", guard, options.script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...options.env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  cleanup.track(child);
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8192);
  });
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve((exitCode = code))));
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid!;
  const server: ServerProcess = {
    name: options.name,
    pid,
    url,
    rssKb: () => (exitCode === undefined ? procStatusKb(pid, "VmRSS") : null),
    peakRssKb: () => (exitCode === undefined ? procStatusKb(pid, "VmHWM") : null),
    output: () => output,
    stop: async () => {
      if (exitCode !== undefined) return exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
  try {
    await waitUntilHealthy(url, () => exitCode !== undefined, 60_000);
  } catch (error) {
    await server.stop();
    throw new Error(`${options.name} did not start: ${(error as Error).message}\n${output}`);
  }
  return server;
}
