// Trusted documents: a manifest made by GraphQL Code Generator's client preset from examples/operations, used by a
// real Apollo Client and by plain fetch, with and without TRUSTED_DOCUMENTS_ONLY.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse, getOperationAST, type DocumentNode } from "graphql";
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { loadConfig } from "../src/config";
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, gql, ok, signUp } from "./helpers/client";

const ROOT = path.join(__dirname, "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-trusted-"));
const MANIFEST = path.join(dir, "persisted-documents.json");

/** Runs `graphql-codegen --config codegen.trusted.json` as the README says, writing into a temporary folder. */
function generateManifest(): Record<string, string> {
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, "codegen.trusted.json"), "utf8"));
  config.generates = { [`${dir}/`]: config.generates["generated/trusted/"] };
  config.schema = path.join(ROOT, config.schema);
  config.documents = path.join(ROOT, config.documents);
  fs.writeFileSync(path.join(dir, "codegen.json"), JSON.stringify(config));
  const run = spawnSync(path.join(ROOT, "node_modules", ".bin", "graphql-codegen"), ["--config", path.join(dir, "codegen.json")], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`codegen failed: ${run.stderr}${run.stdout}`);
  return JSON.parse(fs.readFileSync(MANIFEST, "utf8"));
}

let manifest: Record<string, string>;
/** The manifest's id and text of each operation, by operation name, as an app built with codegen knows them. */
const operations = new Map<string, { id: string; body: string; document: DocumentNode }>();

beforeAll(() => {
  manifest = generateManifest();
  for (const [id, body] of Object.entries(manifest)) {
    const document = parse(body);
    operations.set(getOperationAST(document)!.name!.value, { id, body, document });
  }
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const op = (name: string) => operations.get(name)!;

/** Apollo Client with its persisted-queries link: hashes come from the manifest, queries go over GET. */
function apolloClient(server: TestServer, sent: string[], token?: string) {
  const persisted = new PersistedQueryLink({
    generateHash: (document) => op(getOperationAST(document)?.name?.value ?? "")?.id ?? "sha256:" + "0".repeat(64),
    useGETForHashedQueries: true,
  });
  const recordingFetch: typeof fetch = (input, init) => {
    sent.push(`${init?.method ?? "GET"} ${String(input)} ${init?.body ?? ""}`);
    return fetch(input, init);
  };
  const http = new HttpLink({
    uri: `${server.url}/graphql`,
    fetch: recordingFetch,
    headers: { "apollo-require-preflight": "true", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return new ApolloClient({
    link: ApolloLink.from([persisted, http]),
    cache: new InMemoryCache(),
    defaultOptions: { query: { fetchPolicy: "no-cache" }, mutate: { fetchPolicy: "no-cache" } },
  });
}

/** Signs up, writes a conversation and shares it, using only the app's own (trusted) operations. */
async function shareFromApp(server: TestServer, sent: string[] = []) {
  const anonymous = apolloClient(server, sent);
  const signedUp = await anonymous.mutate<any>({
    mutation: op("SignUp").document,
    variables: { input: { email: `trusted-${Date.now()}-${Math.random()}@example.com`, password: "correct horse battery staple", displayName: "Ada" } },
  });
  const app = apolloClient(server, sent, signedUp.data.signUp.token);
  const created = await app.mutate<any>({ mutation: op("CreateConversation").document, variables: { input: { title: "Trip to Lisbon" } } });
  const conversationId = created.data.createConversation.conversation.id;
  await app.mutate({ mutation: op("AppendMessage").document, variables: { input: { conversationId, role: "USER", content: "Plan three days." } } });
  const shared = await app.mutate<any>({ mutation: op("ShareConversation").document, variables: { input: { conversationId } } });
  return { app, url: shared.data.shareConversation.share.url as string };
}

function post(server: TestServer, body: object) {
  return fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

function get(server: TestServer, params: Record<string, unknown>, headers: Record<string, string> = { "apollo-require-preflight": "true" }) {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  return fetch(`${server.url}/graphql?${search}`, { headers });
}

const hashOf = (text: string) => createHash("sha256").update(text).digest("hex");

describe("with TRUSTED_DOCUMENTS_ONLY=true", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ TRUSTED_DOCUMENTS: MANIFEST, TRUSTED_DOCUMENTS_ONLY: "true" });
  });
  afterAll(() => server.close());

  it("an app built with Apollo Client's persisted-queries link shares and views by hash alone, views over GET", async () => {
    const sent: string[] = [];
    const { app, url } = await shareFromApp(server, sent);
    const viewed = await app.query<any>({ query: op("SharedConversation").document, variables: { link: url } });
    expect(viewed.data.sharedConversation).toMatchObject({ title: "Trip to Lisbon", messages: [{ role: "USER", content: "Plan three days." }] });
    // No request carried query text; the view went over GET, which a CDN can cache.
    expect(sent.some((line) => /sharedConversation|mutation /.test(decodeURIComponent(line)))).toBe(false);
    expect(sent.filter((line) => line.startsWith("GET ")).length).toBe(1);
  });

  it("plain fetch by documentId works over POST and GET, and the GET view is publicly cacheable", async () => {
    const { url } = await shareFromApp(server);
    const viaPost = (await (await post(server, { documentId: op("SharedConversation").id, variables: { link: url } })).json()) as any;
    expect(viaPost.data.sharedConversation.title).toBe("Trip to Lisbon");
    const viaGet = await get(server, { documentId: op("SharedConversation").id, variables: { link: url } });
    expect(viaGet.status).toBe(200);
    expect(viaGet.headers.get("cache-control")).toBe("max-age=30, public");
    expect(((await viaGet.json()) as any).data.sharedConversation.title).toBe("Trip to Lisbon");
  });

  it("the bare hex of an id and the APQ hash name the same document", async () => {
    const { url } = await shareFromApp(server);
    const hex = op("SharedConversation").id.slice("sha256:".length);
    for (const body of [{ documentId: hex }, { extensions: { persistedQuery: { version: 1, sha256Hash: hex } } }]) {
      const answer = (await (await post(server, { ...body, variables: { link: url } })).json()) as any;
      expect(answer.data.sharedConversation.title).toBe("Trip to Lisbon");
    }
  });

  it("a GET without the preflight header is refused by CSRF prevention", async () => {
    expect((await get(server, { documentId: op("Me").id }, {})).status).toBe(400);
  });

  it("an unknown id is refused with PERSISTED_QUERY_NOT_FOUND, by documentId or APQ hash, over POST or GET", async () => {
    const unknown = "sha256:" + "ab".repeat(32);
    const answers = [
      await post(server, { documentId: unknown }),
      await get(server, { documentId: unknown }),
      await post(server, { extensions: { persistedQuery: { version: 1, sha256Hash: "ab".repeat(32) } } }),
      await post(server, { documentId: "MyOwnName" }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, no-cache, must-revalidate");
      const body = (await res.json()) as any;
      expect(body.errors).toEqual([{ message: expect.stringMatching(/^PersistedQueryNotFound: no trusted document has this id/), extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } }]);
    }
  });

  it("query text is refused with a clear BAD_USER_INPUT: any query, introspection, and APQ registrations", async () => {
    const refusals = [
      await gql(server, "query { me { id } }"),
      await gql(server, "{ __schema { queryType { name } } }"),
    ];
    const text = "query Sneaky { me { id email } }";
    const registering = await post(server, { query: text, extensions: { persistedQuery: { version: 1, sha256Hash: hashOf(text) } } });
    expect(registering.status).toBe(400);
    refusals.push({ status: 400, ...((await registering.json()) as any) });
    for (const refusal of refusals) {
      expect(refusal.status).toBe(400);
      expect(codes(refusal as any)).toEqual(["BAD_USER_INPUT"]);
      expect(refusal.errors![0].message).toMatch(/only the operations registered in its trusted-documents manifest \(TRUSTED_DOCUMENTS_ONLY\)/);
    }
    // Nothing was registered: the hash alone is still unknown.
    const later = (await (await post(server, { extensions: { persistedQuery: { version: 1, sha256Hash: hashOf(text) } } })).json()) as any;
    expect(later.errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });

  it("an app whose operation is missing from the manifest gets the refusal, not a 500", async () => {
    const client = apolloClient(server, []);
    await expect(client.query({ query: parse("query NotInTheManifest { me { id } }") })).rejects.toThrow(/TRUSTED_DOCUMENTS_ONLY/);
  });

  it("the exact text of a trusted document is accepted as query, and a request may not name both", async () => {
    expect(ok(await gql(server, op("Me").body))).toEqual({ me: null });
    const both = (await (await post(server, { documentId: op("Me").id, query: op("Me").body })).json()) as any;
    expect(both.errors).toEqual([{ message: "Send either documentId or query, not both.", extensions: { code: "BAD_USER_INPUT" } }]);
  });
});

describe("with TRUSTED_DOCUMENTS alone", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ TRUSTED_DOCUMENTS: MANIFEST });
  });
  afterAll(() => server.close());

  it("trusted ids work, and any other query still runs, automatic persisted queries included", async () => {
    const { url } = await shareFromApp(server);
    expect(((await (await post(server, { documentId: op("SharedConversation").id, variables: { link: url } })).json()) as any).data.sharedConversation.title).toBe("Trip to Lisbon");
    const account = await signUp(server);
    expect(ok(await gql(server, "query { me { displayName } }", {}, account.token))).toEqual({ me: { displayName: account.displayName } });
    const text = "query Apq { me { id } }";
    const extensions = { persistedQuery: { version: 1, sha256Hash: hashOf(text) } };
    expect(((await (await post(server, { extensions })).json()) as any).errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect(((await (await post(server, { query: text, extensions })).json()) as any).data).toEqual({ me: null });
    expect(((await (await post(server, { extensions })).json()) as any).data).toEqual({ me: null });
  });

  it("an unknown documentId is refused with PERSISTED_QUERY_NOT_FOUND", async () => {
    const body = (await (await post(server, { documentId: "sha256:" + "cd".repeat(32) })).json()) as any;
    expect(body.errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });
});

it("an Apollo persisted query list manifest works the same way", async () => {
  const apolloManifest = {
    format: "apollo-persisted-query-manifest",
    version: 1,
    operations: [...operations].map(([name, { body, document }]) => ({ id: hashOf(body), name, type: getOperationAST(document)!.operation, body })),
  };
  const file = path.join(dir, "persisted-query-manifest.json");
  fs.writeFileSync(file, JSON.stringify(apolloManifest));
  const server = await startTestServer({ TRUSTED_DOCUMENTS: file, TRUSTED_DOCUMENTS_ONLY: "true" });
  try {
    const { app, url } = await shareFromApp(server);
    const viewed = await app.query<any>({ query: op("SharedConversation").document, variables: { link: url } });
    expect(viewed.data.sharedConversation.title).toBe("Trip to Lisbon");
    expect(codes(await gql(server, "query { me { id } }"))).toEqual(["BAD_USER_INPUT"]);
  } finally {
    await server.close();
  }
});

describe("refused configuration names the variable", () => {
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  it.each([
    [() => ({ TRUSTED_DOCUMENTS_ONLY: "true" }), /TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS/],
    [() => ({ TRUSTED_DOCUMENTS: MANIFEST, TRUSTED_DOCUMENTS_ONLY: "yes" }), /TRUSTED_DOCUMENTS_ONLY must be true or false/],
    [() => ({ TRUSTED_DOCUMENTS: path.join(dir, "missing.json") }), /TRUSTED_DOCUMENTS: ".*missing\.json" cannot be read \(ENOENT\)/],
    [() => ({ TRUSTED_DOCUMENTS: write("bad.json", "{") }), /TRUSTED_DOCUMENTS: ".*" is not valid JSON/],
    [() => ({ TRUSTED_DOCUMENTS: write("list.json", "[]") }), /TRUSTED_DOCUMENTS: ".*" must be a JSON object/],
    [() => ({ TRUSTED_DOCUMENTS: write("empty.json", "{}") }), /TRUSTED_DOCUMENTS: ".*" holds no documents/],
    [() => ({ TRUSTED_DOCUMENTS: write("number.json", `{"a": 1}`) }), /the document of "a" must be non-empty text/],
    [() => ({ TRUSTED_DOCUMENTS: write("v2.json", `{"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}`) }), /unsupported apollo-persisted-query-manifest version 2/],
    [() => ({ TRUSTED_DOCUMENTS: write("op.json", `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x"}]}`) }), /operations\[0\] needs a non-empty string id and body/],
  ])("%#", (env, message) => {
    expect(() => loadConfig(env() as NodeJS.ProcessEnv)).toThrow(message);
  });
});
