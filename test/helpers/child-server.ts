// Starts src/index.ts as a child process, as production would, and waits until it listens.
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
