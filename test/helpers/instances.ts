// Real server processes (src/index.ts as child processes), for tests of several instances on shared services.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

export interface Instance {
  url: string;
  child: ChildProcess;
  exit: Promise<number | null>;
  /** Everything the process logged, to show when a test fails. */
  output: () => string;
}

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
