// The benchmark (`npm run bench`, see bench/README.md) keeps working: a quick run goes end to end and reports
// every workload. Nothing here looks at the numbers; a shared CI machine cannot judge speed.
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.join(__dirname, "..");
const WORKLOADS = ["view-hot", "view-cold", "list", "share", "import"];

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runQuickBench(timeoutMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout stops the servers it started along with it.
    const child = spawn("npm", ["run", "--silent", "bench", "--", "--quick", "--no-write"], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGTERM"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("the benchmark", () => {
  it("runs a quick version end to end and prints a result line for every workload", async () => {
    const { code, stdout, stderr } = await runQuickBench(150_000);
    expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
    for (const name of WORKLOADS) expect(stdout).toMatch(new RegExp(`^\\| ${name} \\| \\d`, "m"));
    expect(stdout).toMatch(/^\| 1 SQL statement per uncached view \| \d/m);
  }, 180_000);
});
