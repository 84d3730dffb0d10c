// Where a server's CPU time went: self time of a .cpuprofile (from `npm run bench -- --cpu-prof <dir>`) grouped by
// package and by function. Usage: npx ts-node --transpile-only bench/profile-summary.ts <file.cpuprofile> [top]
import fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a frame belongs to: an npm package, our own src/, Node's internals, or V8's pseudo-frames. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const modules = url.lastIndexOf("node_modules/");
  if (modules !== -1) {
    const parts = url.slice(modules + "node_modules/".length).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith("node:")) return "node (internals)";
  const src = url.indexOf("/src/");
  return src !== -1 ? `chat-share ${url.slice(src + 1).split("/").slice(0, 2).join("/")}` : url;
}

/** Microseconds of self time per node id, from the sample stream (more exact than hitCount × interval). */
function selfTimes(profile: Profile): Map<number, number> {
  const times = new Map<number, number>();
  profile.samples.forEach((id, i) => times.set(id, (times.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return times;
}

function top(entries: Map<string, number>, total: number, count: number): string[] {
  return [...entries.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || "(anonymous)"} ${packageOf(url, functionName)}${url ? `:${lineNumber + 1}` : ""}`;
}

/**
 * Time spent in each function and everything it called ("total" in DevTools), counted once per sample even when the
 * function is on the stack several times (recursion).
 */
function inclusiveTimes(profile: Profile, times: Map<number, number>): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const referenced = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const totals = new Map<string, number>();
  const subtree = new Map<number, number>();
  // Self time of each subtree, children first (iteratively: call trees can be deep).
  const order: number[] = [];
  const stack = profile.nodes.filter((n) => !referenced.has(n.id)).map((n) => n.id);
  while (stack.length) {
    const id = stack.pop()!;
    order.push(id);
    stack.push(...(byId.get(id)!.children ?? []));
  }
  for (const id of order.reverse()) {
    const node = byId.get(id)!;
    subtree.set(id, (times.get(id) ?? 0) + (node.children ?? []).reduce((sum, c) => sum + (subtree.get(c) ?? 0), 0));
  }
  // Walk down again, adding a subtree to a function only where no ancestor is the same function.
  const walk: { id: number; onStack: Set<string> }[] = profile.nodes.filter((n) => !referenced.has(n.id)).map((n) => ({ id: n.id, onStack: new Set<string>() }));
  while (walk.length) {
    const { id, onStack } = walk.pop()!;
    const node = byId.get(id)!;
    const key = functionKey(node);
    let below = onStack;
    if (!onStack.has(key)) {
      totals.set(key, (totals.get(key) ?? 0) + subtree.get(id)!);
      below = new Set(onStack).add(key);
    }
    for (const child of node.children ?? []) walk.push({ id: child, onStack: below });
  }
  return totals;
}

export function summarizeProfile(profile: Profile, count = 25): string {
  const times = selfTimes(profile);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const us = times.get(node.id) ?? 0;
    const { functionName, url } = node.callFrame;
    if (us === 0 || functionName === "(idle)") continue;
    busy += us;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    byFunction.set(functionKey(node), (byFunction.get(functionKey(node)) ?? 0) + us);
  }
  const inclusive = inclusiveTimes(profile, times);
  for (const pseudo of ["(root) (root)", "(idle) (idle)"]) inclusive.delete(pseudo);
  return [
    `busy (not idle): ${(busy / 1e6).toFixed(1)} s`,
    "",
    "self time by package:",
    ...top(byPackage, busy, count),
    "",
    "self time by function:",
    ...top(byFunction, busy, count),
    "",
    "total time (self and callees) by function:",
    ...top(inclusive, busy, count * 2),
  ].join("\n");
}

if (require.main === module) {
  const [file, count] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: bench/profile-summary.ts <file.cpuprofile> [top]\n");
    process.exit(2);
  }
  process.stdout.write(summarizeProfile(JSON.parse(fs.readFileSync(file, "utf8")) as Profile, Number(count ?? 25)) + "\n");
}
