// A consumer's typical set-up works: GraphQL Code Generator on schema.graphql, or on a live server's URL, and the
// example operations, then tsc.
import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { startTestServer } from "./helpers/server";

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

/**
 * Runs the real graphql-codegen CLI with codegen.json, its schema replaced by `schema`; returns the generated file.
 * Asynchronously: a live schema is served by this very process, whose event loop must stay free to answer.
 */
async function generate(dir: string, schema: string): Promise<string> {
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, "codegen.json"), "utf8"));
  const output = path.join(dir, "graphql.ts");
  config.generates = { [output]: config.generates["generated/graphql.ts"] };
  config.schema = schema;
  config.documents = path.join(ROOT, config.documents);
  fs.writeFileSync(path.join(dir, "codegen.json"), JSON.stringify(config));
  const cli = spawn(path.join(ROOT, "node_modules", ".bin", "graphql-codegen"), ["--config", path.join(dir, "codegen.json")]);
  let said = "";
  cli.stdout.on("data", (chunk) => (said += chunk));
  cli.stderr.on("data", (chunk) => (said += chunk));
  const [status] = (await once(cli, "close")) as [number];
  expect(said).not.toMatch(/error/i);
  expect(status).toBe(0);
  return output;
}

/** Compiles the consumer against the generated types with strict tsc; returns the diagnostics. */
function compile(dir: string, output: string): string[] {
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
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

function inTempDir(run: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-codegen-"));
    try {
      await run(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

it(
  "generates TypeScript types for every example operation that compile under strict tsc",
  inTempDir(async (dir) => {
    expect(compile(dir, await generate(dir, path.join(ROOT, "schema.graphql")))).toEqual([]);
  }),
  60_000,
);

it(
  "generates the same compiling types from a live development server's URL (its introspection)",
  inTempDir(async (dir) => {
    const server = await startTestServer();
    try {
      const output = await generate(dir, `${server.url}/graphql`);
      expect(compile(dir, output)).toEqual([]);
    } finally {
      await server.close();
    }
  }),
  120_000,
);
