// Schema safety for client developers: the schema lints clean, and breaking changes against the released schema are caught.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { checkSchemaCompatibility } from "../scripts/schema-compat";

const ROOT = path.join(__dirname, "..");
const current = fs.readFileSync(path.join(ROOT, "schema.graphql"), "utf8");

it("schema.graphql passes the schema linter (descriptions, naming, Relay shapes, no unreachable types)", () => {
  // As `npm run lint:schema` runs it: ESLint loads its config with a dynamic import, which Jest's VM does not allow.
  const run = spawnSync(path.join(ROOT, "node_modules", ".bin", "eslint"), ["schema.graphql", "--format", "json"], { cwd: ROOT, encoding: "utf8" });
  const [result] = JSON.parse(run.stdout) as { messages: { line: number; column: number; ruleId: string; message: string }[] }[];
  expect(result.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`)).toEqual([]);
  expect(run.status).toBe(0);
}, 60_000);

it("npm run schema:check passes: schema.graphql does not break clients of schema/released.graphql", () => {
  const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/schema-check.ts"], { cwd: ROOT, encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
}, 60_000);

describe("the breaking-change check", () => {
  it.each([
    ["removing a field", current.replace("  sharedBy: String\n", "  sharedByName: String\n")],
    ["retyping a field", current.replace("  revokedAt: DateTime\n", "  revokedAt: String\n")],
    ["adding a required argument", current.replace("sharedConversation(", "sharedConversation(\n    locale: String!\n")],
    ["removing an enum value", current.replace("  NAMED\n", "  NAMED_USER\n")],
  ])("fails on %s", (_label, changed) => {
    expect(changed).not.toBe(current);
    expect(checkSchemaCompatibility(current, changed).breaking.length).toBeGreaterThan(0);
  });

  it("accepts additions and deprecations", () => {
    const changed = current
      .replace("type Share implements Node @cacheControl(scope: PRIVATE) {", 'type Share implements Node @cacheControl(scope: PRIVATE) {\n  """New."""\n  extra: Int\n')
      .replace("  revokedAt: DateTime\n", '  revokedAt: DateTime @deprecated(reason: "Use status.")\n');
    expect(changed).not.toBe(current);
    expect(checkSchemaCompatibility(current, changed).breaking).toEqual([]);
  });
});
