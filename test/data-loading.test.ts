// Relation fields go through per-request DataLoaders: a page costs the same number of statements whatever its size.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { ApolloClient, gql as parsed, HttpLink, InMemoryCache } from "@apollo/client";
import { startTestServer, type TestServer } from "./helpers/server";
import { appendMessage, createConversation, gql, ok, shareConversation, signUp, VIEW } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  // Batched view counts are written on a timer; here it must not fire inside a measured request.
  server = await startTestServer({ VIEW_COUNT_FLUSH_MS: "3600000" });
});
afterAll(() => server.close());

const LIST = `query($first: Int) { conversations(first: $first) {
  edges { node { id title messages { id role content } shares { id url attribution conversation { id title } } } }
} }`;

async function statementsFor(query: string, variables: Record<string, unknown>, token?: string): Promise<{ count: number; data: any }> {
  const before = server.queries.count;
  const data = ok(await gql(server, query, variables, token));
  return { count: server.queries.count - before, data };
}

async function userWith(conversations: number) {
  const me = await signUp(server);
  for (let i = 0; i < conversations; i++) {
    const id = await createConversation(server, me.token, `Chat ${i}`);
    await appendMessage(server, me.token, id, "USER", `question ${i}`);
    await appendMessage(server, me.token, id, "ASSISTANT", `answer ${i}`);
    await shareConversation(server, me.token, id);
  }
  return me;
}

describe("listing conversations with their messages and shares", () => {
  it("costs a constant number of SQL statements, not one per conversation", async () => {
    const small = await userWith(2);
    const large = await userWith(50);
    const a = await statementsFor(LIST, { first: 50 }, small.token);
    const b = await statementsFor(LIST, { first: 50 }, large.token);
    expect(a.data.conversations.edges).toHaveLength(2);
    expect(b.data.conversations.edges).toHaveLength(50);
    expect(b.data.conversations.edges.every((e: any) => e.node.messages.length === 2 && e.node.shares.length === 1)).toBe(true);
    // viewer, page, messages, shares, shares' conversations
    expect(b.count).toBe(a.count);
    expect(b.count).toBeLessThanOrEqual(5);
  }, 60_000);
});

describe("viewing a shared link", () => {
  it("is one SQL statement the first time, and none while the snapshot is cached", async () => {
    const me = await userWith(1);
    const share = ok(await gql(server, `{ myShares { edges { node { url } } } }`, {}, me.token)).myShares.edges[0].node;
    const first = await statementsFor(VIEW, { link: share.url });
    expect(first.data.sharedConversation.messages).toHaveLength(2);
    expect(first.count).toBe(1);
    const again = await statementsFor(VIEW, { link: share.url });
    expect(again.data).toEqual(first.data);
    expect(again.count).toBe(0);
  });

  it("a link that does not resolve costs one statement every time (nothing negative is cached)", async () => {
    const link = "https://chat.example/share/" + "Q".repeat(43);
    expect((await statementsFor(VIEW, { link })).count).toBe(1);
    expect((await statementsFor(VIEW, { link })).count).toBe(1);
  });
});

/** What the narrow read takes of each message: its conversation (to group by), who wrote it and what. */
const TEXT_COLUMNS = ["conversationId", "role", "content"];

/** The columns of each statement in `sent` that reads messages, in order. */
function messageColumns(sent: string[]): string[][] {
  return sent
    .filter((sql) => /\bfrom\s+"?messages"?/i.test(sql))
    .map((sql) => [...sql.slice(0, sql.search(/\bfrom\b/i)).matchAll(/"?(\w+)"?\s*(?:,|$)/g)].map((m) => m[1]));
}

describe("listing conversations with only who wrote each message and what", () => {
  // Such a list reads fewer columns (conversation.loaders.ts); every other shape must still get every field it asks for.
  const SHAPES: Record<string, string> = {
    plain: "messages { role content }",
    typename: "messages { __typename role content }",
    everything: "messages { id role content createdAt attachments { id } }",
    fragment: "messages { ...M }",
    narrowFragment: "messages { ...T }",
    inlineFragment: "messages { ... on Message { role content } }",
    inlineFragmentWithMore: "messages { role ... on Message { createdAt } }",
    directive: "messages { role content createdAt @include(if: $withTimes) }",
    bothInOneQuery: "narrow: messages { role content } wide: messages { id role createdAt }",
    sameFieldTwice: "messages { role } messages { id content }",
  };
  const FIELDS: Record<string, string[]> = {
    plain: ["content", "role"],
    typename: ["__typename", "content", "role"],
    everything: ["attachments", "content", "createdAt", "id", "role"],
    fragment: ["content", "id", "role"],
    narrowFragment: ["content", "role"],
    inlineFragment: ["content", "role"],
    inlineFragmentWithMore: ["createdAt", "role"],
    directive: ["content", "createdAt", "role"],
    sameFieldTwice: ["content", "id", "role"],
  };
  const listOf = (shape: string) =>
    `query($first: Int${shape.includes("$withTimes") ? ", $withTimes: Boolean = true" : ""}) { conversations(first: $first) { edges { node { title ${shape} } } } }` +
    (shape.includes("...M") ? " fragment M on Message { id role content }" : "") +
    (shape.includes("...T") ? " fragment T on Message { role content }" : "");

  it("answers every selection of messages in full and in order", async () => {
    const me = await userWith(3);
    const full = ok(await gql(server, listOf(SHAPES.everything), { first: 3 }, me.token)).conversations.edges.map((e: any) => e.node);
    expect(full.every((c: any) => c.messages.map((m: any) => m.content).join() === `question ${c.title.slice(5)},answer ${c.title.slice(5)}`)).toBe(true);
    for (const [name, shape] of Object.entries(SHAPES)) {
      const data = ok(await gql(server, listOf(shape), { first: 3 }, me.token));
      data.conversations.edges.forEach((edge: any, i: number) => {
        for (const list of [edge.node.messages, edge.node.narrow, edge.node.wide].filter(Boolean)) {
          list.forEach((m: any, j: number) => {
            const expected = full[i].messages[j];
            for (const field of Object.keys(m)) expect([name, field, m[field]]).toEqual([name, field, field === "__typename" ? "Message" : expected[field]]);
            if (FIELDS[name]) expect([name, Object.keys(m).sort()]).toEqual([name, FIELDS[name]]);
          });
          expect(list).toHaveLength(2);
        }
      });
    }
  }, 60_000);
});

describe("an app's sidebar and conversation view through Apollo Client's normalised cache", () => {
  // What a web app does: a sidebar asks only who wrote each message and what (the narrow read), a conversation view
  // asks for everything, through one InMemoryCache that adds __typename and merges Conversation objects by id.
  const SIDEBAR = parsed`query Sidebar($first: Int) { conversations(first: $first) { edges { node { id title messages { ...Line } } } } }
    fragment Line on Message { role content }`;
  const VIEW = parsed`query View($id: ID!) { conversation(id: $id) { id title messages { id role content createdAt } } }`;

  it("gets every field each query asked for, whichever came first", async () => {
    const me = await userWith(2);
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${server.url}/graphql`, headers: { authorization: `Bearer ${me.token}` } }),
      cache: new InMemoryCache(),
    });
    let sidebar: any;
    const sent = await server.queries.during(async () => (sidebar = await client.query<any>({ query: SIDEBAR, variables: { first: 2 } })));
    expect(messageColumns(sent)).toEqual([TEXT_COLUMNS]);
    const nodes = sidebar.data.conversations.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.messages.map((m: any) => [m.__typename, m.role, m.content]))).toEqual(
      nodes.map((n: any) => [["Message", "USER", `question ${n.title.slice(5)}`], ["Message", "ASSISTANT", `answer ${n.title.slice(5)}`]]),
    );
    const view = await client.query<any>({ query: VIEW, variables: { id: nodes[0].id } });
    expect(view.data.conversation.messages.map((m: any) => [typeof m.id, m.role, m.content, Number.isNaN(Date.parse(m.createdAt))])).toEqual([
      ["string", "USER", `question ${nodes[0].title.slice(5)}`, false],
      ["string", "ASSISTANT", `answer ${nodes[0].title.slice(5)}`, false],
    ]);
    // Asked again from the network after the full read, the sidebar still gets its own shape in full.
    const again = await client.query<any>({ query: SIDEBAR, variables: { first: 2 }, fetchPolicy: "network-only" });
    expect(again.data.conversations.edges.map((e: any) => e.node.messages.map((m: any) => m.content))).toEqual(nodes.map((n: any) => n.messages.map((m: any) => m.content)));
  }, 60_000);
});

describe("a sidebar written with codegen's client preset: masked fragments nested in fragments", () => {
  // How such an app is written: each component declares what it reads as a fragment, its parent spreads it, and the
  // preset's generated document carries every fragment's definition, as Apollo Client then sends it.
  const ROOT = path.join(__dirname, "..");
  const SIDEBAR = `import { graphql } from "./gql";
export const MessageBody = graphql(\`fragment MessageBody on Message { content }\`);
export const MessageLine = graphql(\`fragment MessageLine on Message { role ...MessageBody }\`);
export const SidebarItem = graphql(\`fragment SidebarItem on Conversation { id title messages { ...MessageLine } }\`);
export const Sidebar = graphql(\`query Sidebar($first: Int) { conversations(first: $first) { edges { node { ...SidebarItem } } } }\`);
`;
  // Each component unmasks only its own fragment; strict tsc refuses a field read through the wrong one.
  const COMPONENTS = `import { getFragmentData, type FragmentType } from "./gql";
import { MessageBody, MessageLine, SidebarItem } from "./sidebar";
import type { SidebarQuery } from "./gql/graphql";
const body = (message: FragmentType<typeof MessageBody>) => getFragmentData(MessageBody, message).content;
function line(message: FragmentType<typeof MessageLine>): string {
  const data = getFragmentData(MessageLine, message);
  return \`\${data.role}: \${body(data)}\`;
}
export const sidebar = (data: SidebarQuery) =>
  data.conversations.edges.map((edge) => getFragmentData(SidebarItem, edge.node).messages.map(line));
`;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-preset-"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "sidebar.ts"), SIDEBAR);
    fs.writeFileSync(path.join(dir, "components.ts"), COMPONENTS);
    // The project's own client-preset set-up (codegen.trusted.json), with fragment masking on as apps use it.
    const preset = JSON.parse(fs.readFileSync(path.join(ROOT, "codegen.trusted.json"), "utf8")).generates["generated/trusted/"];
    const config = {
      schema: path.join(ROOT, "schema.graphql"),
      documents: path.join(dir, "sidebar.ts"),
      generates: { [path.join(dir, "gql") + "/"]: { ...preset, presetConfig: { fragmentMasking: { unmaskFunctionName: "getFragmentData" } } } },
    };
    fs.writeFileSync(path.join(dir, "codegen.json"), JSON.stringify(config));
    const run = spawnSync(path.join(ROOT, "node_modules", ".bin", "graphql-codegen"), ["--config", path.join(dir, "codegen.json")], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`codegen failed: ${run.stderr}${run.stdout}`);
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The app's files as its bundler would ship them: each .ts file beside its CommonJS output. */
  function build(): { Sidebar: any; sidebar: (data: any) => string[][] } {
    const files = ["sidebar.ts", "components.ts", ...fs.readdirSync(path.join(dir, "gql")).map((f) => path.join("gql", f))].filter((f) => f.endsWith(".ts"));
    const program = ts.createProgram(files.map((f) => path.join(dir, f)), { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, types: [] });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
    for (const file of files) {
      const source = fs.readFileSync(path.join(dir, file), "utf8");
      const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      fs.writeFileSync(path.join(dir, file.replace(/\.ts$/, ".js")), js);
    }
    return { Sidebar: require(path.join(dir, "sidebar.js")).Sidebar, sidebar: require(path.join(dir, "components.js")).sidebar };
  }

  it("type-checks, sends every fragment's definition, gets each component's fields, and reads messages narrowly", async () => {
    const { Sidebar, sidebar } = build();
    expect(Sidebar.definitions.map((d: any) => d.name.value).sort()).toEqual(["MessageBody", "MessageLine", "Sidebar", "SidebarItem"]);
    const me = await userWith(2);
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${server.url}/graphql`, headers: { authorization: `Bearer ${me.token}` } }),
      cache: new InMemoryCache(),
    });
    let result: any;
    const sent = await server.queries.during(async () => (result = await client.query({ query: Sidebar, variables: { first: 2 } })));
    const titles: string[] = result.data.conversations.edges.map((e: any) => e.node.title);
    expect(sidebar(result.data)).toEqual(titles.map((t) => [`USER: question ${t.slice(5)}`, `ASSISTANT: answer ${t.slice(5)}`]));
    expect(messageColumns(sent)).toEqual([TEXT_COLUMNS]);
  }, 60_000);
});
