// The benchmark (`npm run bench`, see bench/README.md) keeps working: a quick run goes end to end and reports
// every workload. Nothing here looks at the numbers; a shared CI machine cannot judge speed.
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.join(__dirname, "..");
const WORKLOADS = ["view-hot", "view-cold", "view-uncached", "list", "my-shares", "share", "import"];
// With a PostgreSQL to use, view-cold and share run on it too, in a schema of the run's own.
const POSTGRES = process.env.TEST_DATABASE_URL;
// With a Redis too, view-cold on PostgreSQL also runs with REDIS_URL set (under a key prefix of the run's own).
const REDIS = POSTGRES ? process.env.TEST_REDIS_URL : undefined;
if (!POSTGRES) process.stdout.write("bench smoke test: its PostgreSQL part is skipped without TEST_DATABASE_URL\n");

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runQuickBench(timeoutMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout stops the servers it started along with it.
    const args = ["run", "--silent", "bench", "--", "--quick", "--no-write", ...(POSTGRES ? ["--postgres", POSTGRES] : []), ...(REDIS ? ["--redis", REDIS] : [])];
    // BENCH_DATABASE_URL from the shell must not decide what this test runs.
    const env = { ...process.env, BENCH_DATABASE_URL: "", BENCH_REDIS_URL: "" };
    const child = spawn("npm", args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
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
  it("runs a quick version end to end, labelled a smoke run, and prints a result line for every workload, and for view-cold and share on PostgreSQL when there is one", async () => {
    const { code, stdout, stderr } = await runQuickBench(150_000);
    expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
    for (const name of WORKLOADS) expect(stdout).toMatch(new RegExp(`^\\| ${name} \\| \\d+ \\| \\d`, "m"));
    // Its view-cold is served from the caches: a smoke run says so and prints no ratio that could be taken for one.
    expect(stdout).toContain("**Smoke run**");
    expect(stdout).not.toMatch(/^\| view-(hot|cold) \| \d+ \| [\d,]+ \| \d+%/m);
    expect(stdout).toMatch(/^\| view, first time \(uncached\) \| \d/m);
    if (POSTGRES) {
      for (const name of ["view-cold", "share"]) {
        expect(stdout).toMatch(new RegExp(`^\\| ${name} \\| SQLite \\| \\d`, "m"));
        expect(stdout).toMatch(new RegExp(`^\\| ${name} \\| PostgreSQL [\\d.]+ \\| \\d[\\d,]* \\| \\d+% \\|`, "m"));
      }
      if (REDIS) expect(stdout).toMatch(/^\| view-cold \| PostgreSQL [\d.]+ \+ Redis \| \d/m);
    } else {
      expect(stdout).toContain("### PostgreSQL beside SQLite\n\nNot run");
    }
  }, 180_000);
});
