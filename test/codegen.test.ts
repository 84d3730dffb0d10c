// A consumer's typical set-up works: GraphQL Code Generator on schema.graphql and the example operations, then tsc.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";

const ROOT = path.join(__dirname, "..");

// What a client app writes against the generated types.
const CONSUMER = `
import type { SharedConversationQuery, SharedConversationQueryVariables, ShareConversationMutationVariables, MySharesQuery, MessageRole, ShareStatus } from "./graphql";

export const variables: SharedConversationQueryVariables = { link: "https://chat.example/share/token" };
export const share: ShareConversationMutationVariables = { input: { conversationId: "id", attribution: "NAMED" } };

export function transcript(result: SharedConversationQuery): string[] {
  const conversation = result.sharedConversation;
  if (!conversation) return [];
  const role: MessageRole = conversation.messages[0]?.role ?? "USER";
  return [conversation.title, conversation.sharedBy ?? "anonymous", role, ...conversation.messages.map((m) => m.content)];
}

export function activeUrls(result: MySharesQuery): string[] {
  const active: ShareStatus = "ACTIVE";
  return result.myShares.edges.filter((e) => e.node.status === active).map((e) => e.node.url);
}
`;

it("generates TypeScript types for every example operation that compile under strict tsc", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-codegen-"));
  try {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "codegen.json"), "utf8"));
    const output = path.join(dir, "graphql.ts");
    config.generates = { [output]: config.generates["generated/graphql.ts"] };
    config.schema = path.join(ROOT, config.schema);
    config.documents = path.join(ROOT, config.documents);
    fs.writeFileSync(path.join(dir, "codegen.json"), JSON.stringify(config));
    const run = spawnSync(path.join(ROOT, "node_modules", ".bin", "graphql-codegen"), ["--config", path.join(dir, "codegen.json")], { encoding: "utf8" });
    expect(run.stderr + run.stdout).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    const generated = fs.readFileSync(output, "utf8");
    for (const name of ["SignUpMutation", "SharedConversationQuery", "ImportShareMutation", "MySharesQuery", "RevokeShareMutation", "NodeQuery"]) {
      expect(generated).toContain(`export type ${name} =`);
    }

    fs.writeFileSync(path.join(dir, "consumer.ts"), CONSUMER);
    const program = ts.createProgram([path.join(dir, "consumer.ts"), output], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(diagnostics).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
