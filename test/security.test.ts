// The hardening issue's attack suite: every attack is refused with a code from the closed set, leaks nothing and changes no data.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import jwt from "jsonwebtoken";
import { startTestServer, TEST_DIALECT, type TestServer } from "./helpers/server";
import {
  codes,
  createConversation,
  dbId,
  gql,
  missingId,
  MODERN_ACCEPT,
  ok,
  PASSWORD,
  revoke,
  shareConversation,
  signUp,
  uniqueEmail,
  VIEW,
  type Account,
  type GraphQLErrorBody,
  type GraphQLResult,
} from "./helpers/client";
import { NodeType, toGlobalId } from "../src/common/global-id";
import { newId } from "../src/common/ids";
import { setUserRole } from "../src/user/user-admin";
import { UserRole } from "../src/user/user.entity";

jest.setTimeout(60_000);

// ---------------------------------------------------------------------------------------------------------------
// The harness: an attack is a table entry; running it counts it, fingerprints the database around it, and checks
// that whatever came back is clean (a code from the closed set, no stack, no SQL).

type Answer = GraphQLResult;
type Diff = Record<string, { added?: number; changed?: number; removed?: number }>;
type Fingerprint = Map<string, Map<string, string>>;

interface Attack<R extends Answer | Answer[] = Answer> {
  name: string;
  /** The server attacked; the main one unless said otherwise. */
  on?: () => TestServer;
  attack: () => Promise<R>;
  /** Assertions that the attack got nothing. */
  refused: (result: R) => void | Promise<void>;
  /** The legitimate part of the attack, if any: exact row counts it may add, change or remove. Nothing by default. */
  writes?: Diff | ((result: R) => Diff);
}

const LEAK = /at .*\.(ts|js):\d+|SQLITE|SELECT |INSERT /;
const CLOSED_SET = ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "RATE_LIMITED"];
const tally = { tried: 0, refused: 0 };

let server: TestServer;

/**
 * Every row of every table, and the schema itself, hashed and keyed by row (SQLite's rowid, PostgreSQL's primary key),
 * on whichever database this Jest project runs. View counters are left out: views are legitimate.
 */
async function fingerprint(srv: TestServer): Promise<Fingerprint> {
  const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");
  const pg = TEST_DIALECT === "postgres";
  const schema: { kind: string; name: string; definition: string | null }[] = pg
    ? await srv.sql(
        `SELECT 'column' AS kind, table_name || '.' || column_name AS name, data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS definition
           FROM information_schema.columns WHERE table_schema = current_schema()
         UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
         ORDER BY 1, 2`,
      )
    : await srv.sql(`SELECT type AS kind, name, sql AS definition FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`);
  const tables: string[] = (
    pg
      ? await srv.sql<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)
      : await srv.sql<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
  ).map((t) => t.name);
  const result: Fingerprint = new Map([["(schema)", new Map(schema.map((o) => [`${o.kind} ${o.name}`, hash(o.definition)]))]]);
  for (const name of tables) {
    const keyColumns: string[] = pg
      ? (
          await srv.sql<{ name: string }>(
            `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
              WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY a.attname`,
            [`"${name}"`],
          )
        ).map((c) => c.name)
      : ["__rowid"];
    const rows: Record<string, unknown>[] = await srv.sql(pg ? `SELECT * FROM "${name}"` : `SELECT rowid AS "__rowid", * FROM "${name}"`);
    result.set(
      name,
      new Map(
        rows.map((row) => {
          const key = keyColumns.length > 0 ? JSON.stringify(keyColumns.map((c) => row[c])) : hash(row);
          const { __rowid, ...content } = row;
          if (name === "shares") {
            delete content.view_count;
            delete content.last_viewed_at;
          }
          return [key, hash(content)];
        }),
      ),
    );
  }
  return result;
}

function diff(before: Fingerprint, after: Fingerprint): Diff {
  const out: Diff = {};
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(table) ?? new Map<string, string>();
    const b = after.get(table) ?? new Map<string, string>();
    const counts = {
      added: [...b.keys()].filter((k) => !a.has(k)).length,
      changed: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)).length,
      removed: [...a.keys()].filter((k) => !b.has(k)).length,
    };
    const nonZero = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
    if (Object.keys(nonZero).length > 0) out[table] = nonZero;
  }
  return out;
}

/** Whatever the server answers, it answers cleanly; Apollo's persisted-query protocol code is the one addition clients rely on. */
function expectClean(answer: Answer): void {
  expect(answer.status).toBeLessThan(500);
  expect(answer.text).not.toMatch(LEAK);
  for (const code of codes(answer)) expect([...CLOSED_SET, "PERSISTED_QUERY_NOT_FOUND"]).toContain(code);
}

async function attempt<R extends Answer | Answer[]>(a: Attack<R>): Promise<void> {
  const srv = a.on?.() ?? server;
  tally.tried++;
  try {
    const before = await fingerprint(srv);
    const result = await a.attack();
    for (const answer of ([] as Answer[]).concat(result)) expectClean(answer);
    await a.refused(result);
    const writes = typeof a.writes === "function" ? a.writes(result) : (a.writes ?? {});
    expect(diff(before, await fingerprint(srv))).toEqual(writes);
  } catch (error) {
    if (error instanceof Error) error.message = `${a.name}\n${error.message}`;
    throw error;
  }
  tally.refused++;
}

/** One test per attack, named by the attack. */
function attacks<R extends Answer | Answer[]>(list: Attack<R>[]): void {
  for (const a of list) it(a.name, () => attempt(a));
}

async function request(
  srv: Pick<TestServer, "url">,
  init: { method?: string; path?: string; headers?: Record<string, string>; body?: RequestInit["body"]; stream?: boolean } = {},
): Promise<Answer> {
  const res = await fetch(`${srv.url}${init.path ?? "/graphql"}`, {
    method: init.method ?? "POST",
    headers: init.headers,
    body: init.body,
    ...(init.stream ? { duplex: "half" } : {}),
  } as RequestInit);
  const text = await res.text();
  type Body = { data?: unknown; errors?: GraphQLErrorBody[] } | null;
  let body: Body = null;
  try {
    body = JSON.parse(text) as Body;
  } catch {
    // Not JSON: expectClean still reads the text.
  }
  return { status: res.status, data: body?.data, errors: body?.errors, text };
}

function postJson(srv: Pick<TestServer, "url">, payload: unknown, token?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return request(srv, {
    // As a current client: request errors answer 4xx (a legacy application/json client gets 200, see client-developers).
    headers: { "content-type": "application/json", accept: MODERN_ACCEPT, ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

function getQuery(srv: Pick<TestServer, "url">, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return request(srv, { method: "GET", path: `/graphql?${new URLSearchParams(params)}`, headers });
}

/** Refused as a whole: exactly these codes and no data at all. */
function refusedWith(answer: Answer, ...expected: string[]): void {
  expect(codes(answer)).toEqual(expected);
  expectNoData(answer);
}

/** No field answered anything but null (or a list of nulls). */
function expectNoData(answer: Answer): void {
  const data = answer.data as Record<string, unknown> | null | undefined;
  for (const value of Object.values(data ?? {})) {
    expect(value === null || (Array.isArray(value) && value.every((v) => v === null))).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The world under attack: an owner with secrets, an intruder with an account of their own, a moderator.

interface World {
  owner: Account;
  intruder: Account;
  moderator: Account;
  /** The owner's objects, by type: global ids. */
  ownerIds: Record<NodeType, string>;
  ownerConversationId: string;
  shareUrl: string;
  shareToken: string;
  revokedShareUrl: string;
  intruderConversationId: string;
  intruderMessageId: string;
  intruderShareId: string;
  deactivatedToken: string;
  deactivatedUserId: string;
  loggedOutToken: string;
  loggedOutUserId: string;
  /** Strings that must never reach anyone but the owner. */
  secrets: string[];
}
let w: World;

const SECRET_NAME = "Olivia SECRETOWNERNAME";
const SECRET_TITLE = "SECRETTITLE Trip to Lisbon";
const SECRET_MESSAGES = ["SECRETMESSAGE-1 Plan three days in Lisbon.", "SECRETMESSAGE-2 Day 1: Alfama. Day 2: Belém. Day 3: Sintra."];
const BASE = "https://chat.example/share/";

function tokenOf(url: string): string {
  return url.slice(BASE.length);
}

async function messageIds(srv: TestServer, token: string, conversationId: string): Promise<string[]> {
  const data = ok(await gql(srv, `query($id: ID!) { conversation(id: $id) { messages { id } } }`, { id: conversationId }, token));
  return data.conversation.messages.map((m: { id: string }) => m.id);
}

async function buildWorld(srv: TestServer): Promise<World> {
  const owner = await signUp(srv, { displayName: SECRET_NAME, email: uniqueEmail("secretowner") });
  const ownerConversationId = await createConversation(srv, owner.token, SECRET_TITLE, [
    { role: "USER", content: SECRET_MESSAGES[0] },
    { role: "ASSISTANT", content: SECRET_MESSAGES[1] },
  ]);
  const [ownerMessageId] = await messageIds(srv, owner.token, ownerConversationId);
  const share = await shareConversation(srv, owner.token, ownerConversationId);
  const revoked = await shareConversation(srv, owner.token, ownerConversationId);
  ok(await revoke(srv, owner.token, revoked.id));
  // A message appended with an idempotency key, so that the key can be replayed by someone else.
  ok(
    await gql(
      srv,
      `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } } }`,
      { input: { conversationId: ownerConversationId, role: "USER", content: "SECRETMESSAGE-3 later", idempotencyKey: "owner-key-1" } },
      owner.token,
    ),
  );
  const reportId = ok(await gql(srv, `mutation($input: ReportShareInput!) { reportShare(input: $input) { reportId } }`, { input: { link: share.url, reason: "SPAM" } }))
    .reportShare.reportId;

  const intruder = await signUp(srv, { displayName: "Ivan Intruder" });
  const intruderConversationId = await createConversation(srv, intruder.token, "Intruder notes", [{ role: "USER", content: "my own words" }]);
  const [intruderMessageId] = await messageIds(srv, intruder.token, intruderConversationId);
  const intruderShare = await shareConversation(srv, intruder.token, intruderConversationId);

  const moderator = await signUp(srv, { displayName: "Mod" });
  await setUserRole(srv.dataSource, moderator.email, UserRole.ADMIN);

  const deactivated = await signUp(srv, { displayName: "Gone" });
  ok(await gql(srv, `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`, { input: { password: PASSWORD } }, deactivated.token));
  const loggedOut = await signUp(srv, { displayName: "Left" });
  ok(await gql(srv, `mutation { logOutEverywhere { userId } }`, {}, loggedOut.token));

  const ownerIds: Record<NodeType, string> = {
    User: owner.id,
    Conversation: ownerConversationId,
    Message: ownerMessageId,
    Share: share.id,
    ShareReport: reportId,
  };
  return {
    owner,
    intruder,
    moderator,
    ownerIds,
    ownerConversationId,
    shareUrl: share.url,
    shareToken: tokenOf(share.url),
    revokedShareUrl: revoked.url,
    intruderConversationId,
    intruderMessageId,
    intruderShareId: intruderShare.id,
    deactivatedToken: deactivated.token,
    deactivatedUserId: dbId(deactivated.id),
    loggedOutToken: loggedOut.token,
    loggedOutUserId: dbId(loggedOut.id),
    secrets: [
      owner.email,
      "SECRETOWNERNAME",
      "SECRETTITLE",
      "SECRETMESSAGE",
      tokenOf(share.url),
      tokenOf(revoked.url),
      ...Object.values(ownerIds),
      ...Object.values(ownerIds).map(dbId),
    ],
  };
}

/** None of the owner's data, nor anything that names it, is in this text. */
function expectNoSecrets(text: string, except: string[] = []): void {
  let scrubbed = text;
  for (const allowed of except) scrubbed = scrubbed.split(allowed).join("<sent>");
  for (const secret of w.secrets) expect(scrubbed).not.toContain(secret);
}

beforeAll(async () => {
  // View counts are flushed only at shutdown, so the fingerprints see no background writes; reports are unlimited
  // here so the injection table can file many (their limit has its own test file).
  server = await startTestServer({ VIEW_COUNT_FLUSH_MS: "3600000", REPORTS_PER_HOUR: "0" });
  w = await buildWorld(server);
});

afterAll(async () => {
  await server?.close();
  process.stdout.write(`security: ${tally.tried} attacks tried, ${tally.refused} refused\n`);
});

// ---------------------------------------------------------------------------------------------------------------
describe("IDOR and id enumeration: the intruder gets exactly what an id that does not exist gets", () => {
  interface OwnerOnly {
    what: string;
    query: string;
    vars: (id: string) => Record<string, unknown>;
    type: NodeType;
  }

  const NODE_SELECTION = `id ... on User { email displayName } ... on Conversation { title messages { content } } ... on Message { content } ... on Share { url title } ... on ShareReport { details shareId }`;

  const conversationOps: OwnerOnly[] = [
    { what: "conversation(id)", query: `query($id: ID!) { conversation(id: $id) { id title messages { id content } shares { id url } } }`, vars: (id) => ({ id }), type: NodeType.Conversation },
    {
      what: "sharePreview(conversationId)",
      query: `query($id: ID!) { sharePreview(conversationId: $id) { conversation { title sharedBy messages { content } } warnings { kind } } }`,
      vars: (id) => ({ id }),
      type: NodeType.Conversation,
    },
    {
      what: "appendMessage",
      query: `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id content } conversation { id title } } }`,
      vars: (id) => ({ input: { conversationId: id, role: "USER", content: "intruder was here" } }),
      type: NodeType.Conversation,
    },
    {
      what: "deleteConversation",
      query: `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`,
      vars: (id) => ({ input: { conversationId: id } }),
      type: NodeType.Conversation,
    },
    {
      what: "shareConversation",
      query: `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url title } warnings { kind } } }`,
      vars: (id) => ({ input: { conversationId: id, attribution: "NAMED" } }),
      type: NodeType.Conversation,
    },
    {
      what: "revokeAllShares(conversationId)",
      query: `mutation($input: RevokeAllSharesInput!) { revokeAllShares(input: $input) { revokedCount shares { id url } } }`,
      vars: (id) => ({ input: { conversationId: id } }),
      type: NodeType.Conversation,
    },
  ];
  const shareOps: OwnerOnly[] = [
    {
      what: "setShareAttribution",
      query: `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id url attribution } } }`,
      vars: (id) => ({ input: { shareId: id, attribution: "NAMED" } }),
      type: NodeType.Share,
    },
    { what: "revokeShare", query: `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { id url revokedAt } } }`, vars: (id) => ({ input: { shareId: id } }), type: NodeType.Share },
    {
      what: "refreshShare",
      query: `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id url title } warnings { kind } } }`,
      vars: (id) => ({ input: { shareId: id } }),
      type: NodeType.Share,
    },
    {
      what: "moderateShare",
      query: `mutation($input: ModerateShareInput!) { moderateShare(input: $input) { shareId disabledAt disabledReason } }`,
      vars: (id) => ({ input: { shareId: id, reason: "taken down by an intruder" } }),
      type: NodeType.Share,
    },
  ];
  // A message id of the owner's, aimed at the intruder's own conversation and share.
  const messageOps: OwnerOnly[] = [
    {
      what: "sharePreview(upToMessageId)",
      query: `query($c: ID!, $m: ID) { sharePreview(conversationId: $c, upToMessageId: $m) { conversation { title messages { content } } } }`,
      vars: (id) => ({ c: w.intruderConversationId, m: id }),
      type: NodeType.Message,
    },
    {
      what: "shareConversation(upToMessageId)",
      query: `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url title messageCount } } }`,
      vars: (id) => ({ input: { conversationId: w.intruderConversationId, upToMessageId: id } }),
      type: NodeType.Message,
    },
    {
      what: "refreshShare(upToMessageId)",
      query: `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id title messageCount } } }`,
      vars: (id) => ({ input: { shareId: w.intruderShareId, upToMessageId: id } }),
      type: NodeType.Message,
    },
  ];
  const nodeOps: OwnerOnly[] = Object.values(NodeType).flatMap((type) => [
    { what: `node(id) for a ${type}`, query: `query($id: ID!) { node(id: $id) { ${NODE_SELECTION} } }`, vars: (id: string) => ({ id }), type },
    { what: `nodes(ids) for a ${type}`, query: `query($ids: [ID!]!) { nodes(ids: $ids) { ${NODE_SELECTION} } }`, vars: (id: string) => ({ ids: [id, id] }), type },
  ]);

  interface Probe {
    label: string;
    owners: () => string;
    nothing: () => string;
  }
  function probesFor(type: NodeType): Probe[] {
    const other = type === NodeType.Conversation ? NodeType.Share : NodeType.Conversation;
    const real = () => w.ownerIds[type];
    return [
      { label: "the owner's id", owners: real, nothing: () => missingId(type) },
      { label: "a random well-formed id", owners: () => toGlobalId(type, newId()), nothing: () => missingId(type) },
      { label: `the owner's ${other} id relabelled as a ${type} id`, owners: () => toGlobalId(type, dbId(w.ownerIds[other])), nothing: () => missingId(type) },
      { label: `the owner's ${other} id as it is`, owners: () => w.ownerIds[other], nothing: () => missingId(other) },
      { label: "the owner's raw database id", owners: () => dbId(real()), nothing: () => newId() },
      {
        label: "the owner's id in padded standard base64",
        owners: () => Buffer.from(`${type}:${dbId(real())}`).toString("base64"),
        nothing: () => Buffer.from(`${type}:${newId()}`).toString("base64"),
      },
    ];
  }

  /** The answer with the id that was sent replaced, so that two answers can be compared. */
  function normalized(answer: Answer, sent: string): unknown {
    return { status: answer.status, body: JSON.parse(answer.text.split(sent).join("<id>")) };
  }

  function idorAttacks(ops: OwnerOnly[]): Attack<Answer[]>[] {
    return ops.flatMap((op) =>
      probesFor(op.type).map((probe): Attack<Answer[]> => {
        let sent: [string, string] = ["", ""];
        return {
          name: `${op.what} with ${probe.label} answers exactly as for an id that does not exist, shows nothing and changes nothing`,
          attack: async () => {
            sent = [probe.owners(), probe.nothing()];
            return [await gql(server, op.query, op.vars(sent[0]), w.intruder.token), await gql(server, op.query, op.vars(sent[1]), w.intruder.token)];
          },
          refused: ([theirs, none]) => {
            expect(normalized(theirs, sent[0])).toEqual(normalized(none, sent[1]));
            expectNoData(theirs);
            for (const code of codes(theirs)) expect(["NOT_FOUND", "BAD_USER_INPUT", "FORBIDDEN"]).toContain(code);
            expectNoSecrets(theirs.text, [sent[0]]);
          },
        };
      }),
    );
  }

  describe("owner-only operations on conversations", () => attacks(idorAttacks(conversationOps)));
  describe("owner-only operations on shares", () => attacks(idorAttacks(shareOps)));
  describe("owner-only arguments naming a message", () => attacks(idorAttacks(messageOps)));
  describe("node and nodes, for every type", () => attacks(idorAttacks(nodeOps)));

  const INTRUDER_LISTS = `{
    me { id email displayName role }
    conversations(first: 100) { edges { node { id title messages { content } shares { url } } } }
    myShares(first: 100) { edges { node { id url title conversation { id title } } } }
    secret: myShares(first: 100, search: "SECRETTITLE") { edges { node { id title } } }
    exportMyData { data }
  }`;
  attacks<Answer>([
    {
      name: "the intruder's me, lists, search and exportMyData contain none of the owner's data",
      attack: () => gql(server, INTRUDER_LISTS, {}, w.intruder.token),
      refused: (res) => {
        expect(res.errors).toBeUndefined();
        expect(res.data.secret.edges).toEqual([]);
        expect(res.data.exportMyData.data.conversations.map((c: { title: string }) => c.title)).toEqual(["Intruder notes"]);
        expectNoSecrets(res.text);
      },
    },
    {
      name: "shareReports is FORBIDDEN to an ordinary user and shows no report",
      attack: () => gql(server, `{ shareReports(first: 100) { edges { node { id details shareId sharedConversation { title } } } } }`, {}, w.intruder.token),
      refused: (answer) => {
        refusedWith(answer, "FORBIDDEN");
        expectNoSecrets(answer.text);
      },
    },
    {
      name: "nodes mixing the intruder's own ids with the owner's gives null in the owner's places only",
      attack: () =>
        gql(server, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [w.intruderConversationId, ...Object.values(w.ownerIds), w.intruderMessageId] }, w.intruder.token),
      refused: (res) => {
        expect(res.data.nodes).toEqual([{ id: w.intruderConversationId }, null, null, null, null, null, { id: w.intruderMessageId }]);
        expectNoSecrets(res.text);
      },
    },
    {
      name: "replaying the owner's idempotency key on the intruder's own conversation creates a new message and returns none of the owner's",
      attack: () =>
        gql(
          server,
          `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id content } } }`,
          { input: { conversationId: w.intruderConversationId, role: "USER", content: "replayed key", idempotencyKey: "owner-key-1" } },
          w.intruder.token,
        ),
      refused: (res) => {
        expect(res.data.appendMessage.message.content).toBe("replayed key");
        expectNoSecrets(res.text);
      },
      writes: { messages: { added: 1 }, idempotency_keys: { added: 1 } },
    },
    {
      name: "an imported copy of the owner's link leads back to no one: no owner id, name or email",
      attack: () =>
        gql(
          server,
          `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id title importedFrom { title sharedAt } messages { content } shares { id } } } }`,
          { input: { link: w.shareUrl } },
          w.intruder.token,
        ),
      refused: (res) => {
        expect(res.errors).toBeUndefined();
        // The snapshot's title and messages are what the link shows to anyone; nothing else of the owner's may come along.
        const shown = res.text.split("SECRETTITLE").join("").split("SECRETMESSAGE").join("");
        expectNoSecrets(shown);
      },
      writes: { conversations: { added: 1 }, messages: { added: 2 } },
    },
  ]);
});

// ---------------------------------------------------------------------------------------------------------------
describe("session tokens", () => {
  const ISSUER = "chat-share";
  const AUDIENCE = "chat-share-api";
  const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id content } } }`;
  const CREATE = `mutation { createConversation(input: { title: "written with a forged token" }) { conversation { id } } }`;

  const secret = () => fs.readFileSync(path.join(server.config.dataDir, "jwt-secret"), "utf8").trim();
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (sub: string, extra: Record<string, unknown> = {}) => ({ sub, ver: 0, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 3600, ...extra });
  /** A JWT put together by hand, HMAC-SHA256-signed with `key` unless told otherwise. */
  function handMade(header: object, payload: object, key: string | null, hmac = "sha256"): string {
    const unsigned = `${b64(header)}.${b64(payload)}`;
    return `${unsigned}.${key === null ? "" : createHmac(hmac, key).update(unsigned).digest("base64url")}`;
  }
  const ownerSub = () => dbId(w.owner.id);
  const tokenVersion = async (userId: string): Promise<number> => Number((await server.sql<{ v: number }>(`SELECT token_version AS v FROM users WHERE id = ?`, [userId]))[0].v);

  /** The forged token tries to write into the owner's conversation, and asks who it is. */
  function tokenAttack(name: string, token: () => string | Promise<string>, target: "owner" | "own" = "owner", authorization?: (t: string) => string): Attack<Answer[]> {
    return {
      name,
      attack: async () => {
        const t = await token();
        const headers = { "content-type": "application/json", authorization: authorization ? authorization(t) : `Bearer ${t}` };
        const write =
          target === "owner"
            ? { query: APPEND, variables: { input: { conversationId: w.ownerConversationId, role: "USER", content: "forged" } } }
            : { query: CREATE, variables: {} };
        return [
          await request(server, { headers, body: JSON.stringify(write) }),
          await request(server, { headers, body: JSON.stringify({ query: `{ me { id email } }` }) }),
        ];
      },
      refused: ([written, me]) => {
        refusedWith(written, "UNAUTHENTICATED");
        expect(me.errors).toBeUndefined();
        expect(me.data).toEqual({ me: null });
        expectNoSecrets(written.text + me.text);
      },
    };
  }

  it("a token forged with the server's own key and the right claims is accepted (so each forgery below breaks one thing only)", async () => {
    const token = jwt.sign({ ver: 0 }, secret(), { algorithm: "HS256", subject: ownerSub(), issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 });
    expect(ok(await gql(server, `{ me { id } }`, {}, token)).me.id).toBe(w.owner.id);
    expect(ok(await gql(server, `{ me { id } }`, {}, handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub()), secret()))).me.id).toBe(w.owner.id);
  });

  attacks([
    tokenAttack("a token signed with alg none is refused and changes nothing", () => handMade({ alg: "none", typ: "JWT" }, claims(ownerSub()), null)),
    tokenAttack("a token with alg None is refused and changes nothing", () => handMade({ alg: "None", typ: "JWT" }, claims(ownerSub()), null)),
    tokenAttack("a token with alg NONE and a leftover valid signature is refused and changes nothing", () => {
      const signed = handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub()), secret());
      return `${b64({ alg: "NONE", typ: "JWT" })}.${signed.split(".")[1]}.${signed.split(".")[2]}`;
    }),
    tokenAttack("a token signed with the wrong key is refused and changes nothing", () =>
      jwt.sign({ ver: 0 }, "not the server's key, but long enough to look real", { algorithm: "HS256", subject: ownerSub(), issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 }),
    ),
    tokenAttack("a token signed with the right key but HS512 is refused and changes nothing", () =>
      jwt.sign({ ver: 0 }, secret(), { algorithm: "HS512", subject: ownerSub(), issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 }),
    ),
    tokenAttack("a token signed with the right key but HS384 is refused and changes nothing", () =>
      jwt.sign({ ver: 0 }, secret(), { algorithm: "HS384", subject: ownerSub(), issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 }),
    ),
    tokenAttack("a token whose header claims RS256 but is HMAC-signed with the server key is refused and changes nothing", () =>
      handMade({ alg: "RS256", typ: "JWT" }, claims(ownerSub()), secret()),
    ),
    tokenAttack("an expired token is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { iat: now() - 7200, exp: now() - 60 }), secret())),
    tokenAttack("a token that is not valid yet is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { nbf: now() + 3600 }), secret())),
    tokenAttack("a token with the wrong issuer is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { iss: "someone-else" }), secret())),
    tokenAttack("a token with the wrong audience is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { aud: "another-api" }), secret())),
    tokenAttack("a token without issuer and audience is refused and changes nothing", () =>
      handMade({ alg: "HS256", typ: "JWT" }, { sub: ownerSub(), ver: 0, iat: now(), exp: now() + 600 }, secret()),
    ),
    tokenAttack("a token without a token version is refused and changes nothing", () =>
      handMade({ alg: "HS256", typ: "JWT" }, { sub: ownerSub(), iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 }, secret()),
    ),
    tokenAttack("a token whose version is a string is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { ver: "0" }), secret())),
    tokenAttack("a token with a version the user never had is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { ver: 7 }), secret())),
    tokenAttack("a token whose subject is the global id instead of the database id is refused and changes nothing", () =>
      handMade({ alg: "HS256", typ: "JWT" }, claims(w.owner.id), secret()),
    ),
    tokenAttack("a correctly signed token for a user who does not exist is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(newId()), secret()), "own"),
    tokenAttack("the intruder's token with its payload swapped for the owner's is refused and changes nothing", () => {
      const [header, , signature] = w.intruder.token.split(".");
      const payload = JSON.parse(Buffer.from(w.intruder.token.split(".")[1], "base64url").toString()) as Record<string, unknown>;
      return `${header}.${b64({ ...payload, sub: ownerSub() })}.${signature}`;
    }),
    tokenAttack("a token with a random signature is refused and changes nothing", () => {
      const [header, payload] = handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub()), secret()).split(".");
      return `${header}.${payload}.${Buffer.alloc(32, 7).toString("base64url")}`;
    }),
    tokenAttack("a deactivated user's token is refused and changes nothing", () => w.deactivatedToken, "own"),
    tokenAttack(
      "a freshly signed token of a deactivated user, with their current version, is refused and changes nothing",
      async () => handMade({ alg: "HS256", typ: "JWT" }, claims(w.deactivatedUserId, { ver: await tokenVersion(w.deactivatedUserId) }), secret()),
      "own",
    ),
    tokenAttack(
      "a freshly signed token of a logged-out user with their old version is refused and changes nothing",
      async () => handMade({ alg: "HS256", typ: "JWT" }, claims(w.loggedOutUserId, { ver: (await tokenVersion(w.loggedOutUserId)) - 1 }), secret()),
      "own",
    ),
    tokenAttack("a token from before logOutEverywhere is refused and changes nothing", () => w.loggedOutToken, "own"),
    tokenAttack("an 8 KB token is refused and changes nothing", () => `${"A".repeat(4000)}.${"B".repeat(4000)}.${"C".repeat(100)}`),
    tokenAttack("a valid token sent with the Basic scheme is not a session", () => w.owner.token, "owner", (t) => `Basic ${t}`),
    tokenAttack("two tokens in one Authorization header are not a session", () => w.owner.token, "owner", (t) => `Bearer ${w.intruder.token} ${t}`),
    tokenAttack("a token without the Bearer scheme is not a session", () => w.owner.token, "owner", (t) => t),
  ]);

  attacks([
    {
      name: "the intruder's valid token used on the owner's conversation is NOT_FOUND and changes nothing",
      attack: () => gql(server, APPEND, { input: { conversationId: w.ownerConversationId, role: "USER", content: "mine now" } }, w.intruder.token),
      refused: (answer) => {
        refusedWith(answer, "NOT_FOUND");
        expectNoSecrets(answer.text);
      },
    },
  ]);
});

// ---------------------------------------------------------------------------------------------------------------
describe("look-alike links", () => {
  const IMPORT = `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id title messages { content } } } }`;
  const T = "TOKEN";
  // Each is refused with BAD_USER_INPUT; TOKEN stands for the real, working token of the owner's link.
  const LOOK_ALIKES: [string, (token: string) => string][] = [
    ["http instead of https", () => `http://chat.example/share/${T}`],
    ["ftp://", () => `ftp://chat.example/share/${T}`],
    ["wss://", () => `wss://chat.example/share/${T}`],
    ["file:///", () => `file:///share/${T}`],
    ["a data: URL", () => `data:text/plain,${T}`],
    ["a javascript: URL", () => `javascript:alert(1)//${T}`],
    ["a scheme-relative URL", () => `//chat.example/share/${T}`],
    ["no scheme at all", () => `chat.example/share/${T}`],
    ["another host", () => `https://evil.example/share/${T}`],
    ["the real host as a subdomain of another", () => `https://chat.example.evil.com/share/${T}`],
    ["a host that ends like the real one", () => `https://evilchat.example/share/${T}`],
    ["the real host as user-info before another host", () => `https://chat.example@evil.example/share/${T}`],
    ["user and password before the real host", () => `https://user:pass@chat.example/share/${T}`],
    ["the real link inside another site's path", () => `https://evil.example/https://chat.example/share/${T}`],
    ["the real link in another site's query", () => `https://evil.example/?u=https://chat.example/share/${T}`],
    ["the default port written out", () => `https://chat.example:443/share/${T}`],
    ["another port", () => `https://chat.example:8443/share/${T}`],
    ["an empty port", () => `https://chat.example:/share/${T}`],
    ["a double slash before the path", () => `https://chat.example//share/${T}`],
    ["a double slash before the token", () => `https://chat.example/share//${T}`],
    ["three slashes after the scheme", () => `https:///chat.example/share/${T}`],
    ["one slash after the scheme", () => `https:/chat.example/share/${T}`],
    ["dot-dot segments", () => `https://chat.example/share/../share/${T}`],
    ["a dot segment", () => `https://chat.example/share/./${T}`],
    ["another path that normalises to the real one", () => `https://chat.example/x/../share/${T}`],
    ["another path", () => `https://chat.example/shares/${T}`],
    ["a trailing slash", () => `https://chat.example/share/${T}/`],
    ["an extra segment", () => `https://chat.example/share/${T}/extra`],
    ["a matrix parameter", () => `https://chat.example/share/${T};x=1`],
    ["a trailing dot after the token", () => `https://chat.example/share/${T}.`],
    ["an encoded space after the token", () => `https://chat.example/share/${T}%20`],
    ["an encoded slash in the path", () => `https://chat.example/share%2F${T}`],
    ["an encoded slash before the token", () => `https://chat.example/share/%2F${T}`],
    ["a whole URL with encoded slashes", () => `https://chat.example%2Fshare%2F${T}`],
    ["a double-encoded slash", () => `https://chat.example/share%252F${T}`],
    ["a fully percent-encoded URL", () => `https%3A%2F%2Fchat.example%2Fshare%2F${T}`],
    ["a percent-encoded first character of the token", (t) => `https://chat.example/share/%${t.charCodeAt(0).toString(16)}${t.slice(1)}`],
    ["backslashes instead of slashes", () => `https:\\\\chat.example\\share\\${T}`],
    ["a backslash before the path", () => `https://chat.example\\share/${T}`],
    ["a backslash before the token", () => `https://chat.example/share\\${T}`],
    ["a tab before the token", () => `https://chat.example/share/\t${T}`],
    ["a newline inside the path", () => `https://chat.example/sh\nare/${T}`],
    ["a carriage return inside the host", () => `https://chat.\rexample/share/${T}`],
    ["a tab inside the token", (t) => `https://chat.example/share/${t.slice(0, 20)}\t${t.slice(20)}`],
    ["a zero-width space before the token", () => `https://chat.example/share/\u200b${T}`],
    ["a zero-width space inside the host", () => `https://chat\u200b.example/share/${T}`],
    ["a leading zero-width space", () => `\u200bhttps://chat.example/share/${T}`],
    ["a trailing zero-width joiner", () => `https://chat.example/share/${T}\u200d`],
    ["a word joiner after a bare token", () => `${T}\u2060`],
    ["a soft hyphen before a bare token", () => `\u00ad${T}`],
    ["a right-to-left override", () => `https://chat.example/share/\u202e${T}`],
    ["a Cyrillic а in the host", () => `https://chаt.example/share/${T}`],
    ["a Cyrillic е in the host", () => `https://chat.\u0435xample/share/${T}`],
    ["a Greek α in the host", () => `https://chat.ex\u03b1mple/share/${T}`],
    ["a Cyrillic ѕ in the path", () => `https://chat.example/\u0455hare/${T}`],
    ["a Cyrillic letter inside the token", (t) => `${BASE}${t.slice(0, 10)}\u0430${t.slice(11)}`],
    ["a full-width slash", () => `https://chat.example／share/${T}`],
    ["a full-width colon", () => `https：//chat.example/share/${T}`],
    ["a fraction slash", () => `https://chat.example\u2044share/${T}`],
    ["a division slash", () => `https://chat.example/share\u2215${T}`],
    ["a trailing dot on the host", () => `https://chat.example./share/${T}`],
    ["an uppercase host", () => `https://CHAT.EXAMPLE/share/${T}`],
    ["an uppercase scheme", () => `HTTPS://chat.example/share/${T}`],
    ["an uppercase path", () => `https://chat.example/SHARE/${T}`],
    ["a punycode host", () => `https://xn--cht-8cd.example/share/${T}`],
    ["an IP address for a host", () => `https://127.0.0.1/share/${T}`],
    ["a # suffix", () => `https://chat.example/share/${T}#x`],
    ["an empty # suffix", () => `https://chat.example/share/${T}#`],
    ["a ? suffix", () => `https://chat.example/share/${T}?ref=x`],
    ["an empty ? suffix", () => `https://chat.example/share/${T}?`],
    ["a bare token with a # suffix", () => `${T}#`],
    ["a bare token with a ? suffix", () => `${T}?x=1`],
    ["the token in the fragment", () => `https://chat.example/share/#${T}`],
    ["the token in the query", () => `https://chat.example/share/?t=${T}`],
    ["a NUL after the token", () => `https://chat.example/share/${T}\u0000`],
    ["a NUL inside the host", () => `https://chat.example\u0000.evil/share/${T}`],
    ["a token one character short", (t) => `${BASE}${t.slice(0, 42)}`],
    ["a token one character long", (t) => `${BASE}${t}A`],
    ["a bare token one character short", (t) => t.slice(0, 42)],
    ["a bare token one character long", (t) => `${t}A`],
    ["a token in standard base64 with padding", (t) => `${t.slice(0, 42)}=`],
    ["a token with a plus sign", (t) => `${BASE}${t.slice(0, 42)}+`],
    ["a token with a dot", (t) => `${t.slice(0, 42)}.`],
    ["an empty string", () => ""],
    ["white space only", () => " \t\n "],
    ["the prefix alone", () => BASE],
    ["a link over 2,048 characters", (t) => `${BASE}${t}${"A".repeat(3000)}`],
  ];
  // Well-formed, so the server looks them up: null for a view, NOT_FOUND for an import.
  const UNKNOWN_TOKENS: [string, (token: string) => string][] = [
    ["a token that was never issued", () => "A".repeat(43)],
    ["the real token in upper case", (t) => `${BASE}${t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase()}`],
    ["the real token reversed", (t) => [...t].reverse().join("")],
    ["the real token with its last character changed", (t) => `${BASE}${t.slice(0, 42)}${t.endsWith("A") ? "B" : "A"}`],
    ["a token of dashes", () => `${BASE}${"-".repeat(43)}`],
    ["a token of underscores", () => "_".repeat(43)],
    ["the revoked link", () => w.revokedShareUrl],
  ];

  it("the real link, bare token and URL, works (so each look-alike differs only in its trick)", async () => {
    expect(ok(await gql(server, VIEW, { link: w.shareUrl })).sharedConversation.title).toBe(SECRET_TITLE);
    expect(ok(await gql(server, VIEW, { link: ` ${w.shareToken}\n` })).sharedConversation.title).toBe(SECRET_TITLE);
  });

  const viewAttacks = LOOK_ALIKES.map(
    ([label, make]): Attack => ({
      name: `sharedConversation refuses ${label} with BAD_USER_INPUT and shows nothing`,
      attack: () => gql(server, VIEW, { link: make(w.shareToken).split(T).join(w.shareToken) }),
      refused: (answer) => {
        refusedWith(answer, "BAD_USER_INPUT");
        expectNoSecrets(answer.text.split(w.shareToken).join(""));
      },
    }),
  );
  const importAttacks = LOOK_ALIKES.map(
    ([label, make]): Attack => ({
      name: `importShare refuses ${label} with BAD_USER_INPUT and copies nothing`,
      attack: () => gql(server, IMPORT, { input: { link: make(w.shareToken).split(T).join(w.shareToken) } }, w.intruder.token),
      refused: (answer) => {
        refusedWith(answer, "BAD_USER_INPUT");
        expectNoSecrets(answer.text.split(w.shareToken).join(""));
      },
    }),
  );
  const unknownAttacks = UNKNOWN_TOKENS.flatMap(([label, make]): Attack[] => [
    {
      name: `sharedConversation answers null for ${label} and shows nothing`,
      attack: () => gql(server, VIEW, { link: make(w.shareToken) }),
      refused: (answer) => {
        expect(answer.errors).toBeUndefined();
        expect(answer.data).toEqual({ sharedConversation: null });
      },
    },
    {
      name: `importShare answers NOT_FOUND for ${label} and copies nothing`,
      attack: () => gql(server, IMPORT, { input: { link: make(w.shareToken) } }, w.intruder.token),
      refused: (answer) => {
        refusedWith(answer, "NOT_FOUND");
        expectNoSecrets(answer.text);
      },
    },
  ]);
  describe("viewing", () => attacks(viewAttacks));
  describe("importing", () => attacks(importAttacks));
  describe("well-formed tokens that do not work", () => attacks(unknownAttacks));
});

// ---------------------------------------------------------------------------------------------------------------
describe("SQL-injection-shaped strings in every string argument", () => {
  const INJECTIONS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    "'); DELETE FROM conversations; --",
    "1; update users set role = 'ADMIN' --",
    "' union select password_hash from users --",
    "%",
    "_",
    "%%",
    "\\",
    "\\'",
    "\u0000",
    "a\u0000b",
    "'".repeat(1000),
    "' OR '1'='1' -- ".repeat(4000),
    "\u0000".repeat(20_000),
  ];
  const label = (s: string) => (s.length > 40 ? `${JSON.stringify(s.slice(0, 16))}… (${s.length} characters)` : JSON.stringify(s));

  interface Target {
    op: string;
    field: string;
    query: string;
    vars: (s: string) => Record<string, unknown>;
    token?: () => string | undefined;
    /** Runs before the fingerprint: what this payload needs to exist. */
    prepare?: () => Promise<void>;
    /** What a success writes; a success must write nothing when absent. */
    writes?: (s: string) => Diff;
    /** Checks on a success; "never" when a success would itself be the breach. */
    onSuccess?: ((s: string, answer: Answer) => void | Promise<void>) | "never";
  }

  // A separate attacker with their own data, so the owner's world stays as it is for the other attacks.
  let attacker: Account;
  let profileUser: Account;
  let victimEmail: string;
  let keeper: Account;
  let attackerConversationId: string;
  let attackerShareUrl: string;
  let freshShareId = "";
  beforeAll(async () => {
    attacker = await signUp(server, { displayName: "Mallory" });
    profileUser = await signUp(server, { displayName: "Profile" });
    keeper = await signUp(server, { displayName: "Keeper" });
    victimEmail = (await signUp(server, { displayName: "Victim" })).email;
    attackerConversationId = await createConversation(server, attacker.token, "Mallory's tests", [{ role: "USER", content: "first" }]);
    attackerShareUrl = (await shareConversation(server, attacker.token, attackerConversationId)).url;
  });

  const mine = () => attacker.token;
  const never: Target["onSuccess"] = "never";
  const targets: Target[] = [
    {
      op: "signUp",
      field: "email",
      query: `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`,
      vars: (s) => ({ input: { email: s, password: PASSWORD, displayName: "x" } }),
      token: () => undefined,
      writes: () => ({ users: { added: 1 } }),
    },
    {
      op: "signUp",
      field: "password",
      query: `mutation($input: SignUpInput!) { signUp(input: $input) { user { email } } }`,
      vars: (s) => ({ input: { email: uniqueEmail("sqli"), password: s, displayName: "x" } }),
      token: () => undefined,
      writes: () => ({ users: { added: 1 } }),
    },
    {
      op: "signUp",
      field: "displayName",
      query: `mutation($input: SignUpInput!) { signUp(input: $input) { user { displayName } } }`,
      vars: (s) => ({ input: { email: uniqueEmail("sqli"), password: PASSWORD, displayName: s } }),
      token: () => undefined,
      writes: () => ({ users: { added: 1 } }),
      onSuccess: (s, a) => expect(a.data.signUp.user.displayName).toBe(s.trim()),
    },
    {
      op: "logIn",
      field: "email",
      query: `mutation($input: LogInInput!) { logIn(input: $input) { token } }`,
      vars: (s) => ({ input: { email: s, password: PASSWORD } }),
      token: () => undefined,
      onSuccess: never,
    },
    {
      op: "logIn",
      field: "password",
      query: `mutation($input: LogInInput!) { logIn(input: $input) { token } }`,
      vars: (s) => ({ input: { email: victimEmail, password: s } }),
      token: () => undefined,
      onSuccess: never,
    },
    {
      op: "deactivateAccount",
      field: "password",
      query: `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`,
      vars: (s) => ({ input: { password: s } }),
      token: () => keeper.token,
      onSuccess: never,
    },
    {
      op: "updateProfile",
      field: "displayName",
      query: `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { displayName } } }`,
      vars: (s) => ({ input: { displayName: s } }),
      token: () => profileUser.token,
      writes: () => ({ users: { changed: 1 } }),
      onSuccess: (s, a) => expect(a.data.updateProfile.user.displayName).toBe(s.trim()),
    },
    {
      op: "createConversation",
      field: "title",
      query: `mutation($input: CreateConversationInput!) { createConversation(input: $input) { conversation { title } } }`,
      vars: (s) => ({ input: { title: s } }),
      writes: () => ({ conversations: { added: 1 } }),
      onSuccess: (s, a) => expect(a.data.createConversation.conversation.title).toBe(s.trim()),
    },
    {
      op: "appendMessage",
      field: "content",
      query: `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { content } } }`,
      vars: (s) => ({ input: { conversationId: attackerConversationId, role: "USER", content: s } }),
      writes: () => ({ messages: { added: 1 } }),
      onSuccess: (s, a) => expect(a.data.appendMessage.message.content).toBe(s),
    },
    {
      op: "appendMessage",
      field: "idempotencyKey",
      query: `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { content } } }`,
      vars: (s) => ({ input: { conversationId: attackerConversationId, role: "USER", content: "keyed", idempotencyKey: s } }),
      writes: () => ({ messages: { added: 1 }, idempotency_keys: { added: 1 } }),
    },
    {
      op: "appendMessage",
      field: "conversationId",
      query: `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { content } } }`,
      vars: (s) => ({ input: { conversationId: s, role: "USER", content: "x" } }),
      onSuccess: never,
    },
    { op: "deleteConversation", field: "conversationId", query: `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`, vars: (s) => ({ input: { conversationId: s } }), onSuccess: never },
    { op: "shareConversation", field: "conversationId", query: `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id } } }`, vars: (s) => ({ input: { conversationId: s } }), onSuccess: never },
    {
      op: "shareConversation",
      field: "upToMessageId",
      query: `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id } } }`,
      vars: (s) => ({ input: { conversationId: attackerConversationId, upToMessageId: s } }),
      onSuccess: never,
    },
    {
      op: "shareConversation",
      field: "expiresAt",
      query: `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id } } }`,
      vars: (s) => ({ input: { conversationId: attackerConversationId, expiresAt: s } }),
      onSuccess: never,
    },
    {
      op: "shareConversation",
      field: "idempotencyKey",
      query: `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id } } }`,
      vars: (s) => ({ input: { conversationId: attackerConversationId, idempotencyKey: s } }),
      writes: () => ({ shares: { added: 1 }, idempotency_keys: { added: 1 } }),
    },
    { op: "setShareAttribution", field: "shareId", query: `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, vars: (s) => ({ input: { shareId: s, attribution: "NAMED" } }), onSuccess: never },
    { op: "revokeShare", field: "shareId", query: `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { id } } }`, vars: (s) => ({ input: { shareId: s } }), onSuccess: never },
    { op: "refreshShare", field: "shareId", query: `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`, vars: (s) => ({ input: { shareId: s } }), onSuccess: never },
    {
      op: "refreshShare",
      field: "upToMessageId",
      query: `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`,
      vars: (s) => ({ input: { shareId: w.intruderShareId, upToMessageId: s } }),
      token: () => w.intruder.token,
      onSuccess: never,
    },
    { op: "revokeAllShares", field: "conversationId", query: `mutation($input: RevokeAllSharesInput!) { revokeAllShares(input: $input) { revokedCount } }`, vars: (s) => ({ input: { conversationId: s } }), onSuccess: never },
    { op: "importShare", field: "link", query: `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id } } }`, vars: (s) => ({ input: { link: s } }), onSuccess: never },
    {
      op: "importShare",
      field: "idempotencyKey",
      query: `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id } } }`,
      vars: (s) => ({ input: { link: attackerShareUrl, idempotencyKey: s } }),
      writes: () => ({ conversations: { added: 1 }, messages: { added: 1 }, idempotency_keys: { added: 1 } }),
    },
    { op: "reportShare", field: "link", query: `mutation($input: ReportShareInput!) { reportShare(input: $input) { reportId } }`, vars: (s) => ({ input: { link: s, reason: "SPAM" } }), onSuccess: never },
    {
      op: "reportShare",
      field: "details",
      query: `mutation($input: ReportShareInput!) { reportShare(input: $input) { reportId } }`,
      vars: (s) => ({ input: { link: attackerShareUrl, reason: "OTHER", details: s } }),
      writes: () => ({ share_reports: { added: 1 } }),
    },
    {
      op: "moderateShare",
      field: "shareId",
      query: `mutation($input: ModerateShareInput!) { moderateShare(input: $input) { shareId } }`,
      vars: (s) => ({ input: { shareId: s, reason: "spam" } }),
      token: () => w.moderator.token,
      onSuccess: never,
    },
    {
      op: "moderateShare",
      field: "reason",
      query: `mutation($input: ModerateShareInput!) { moderateShare(input: $input) { disabledReason } }`,
      vars: (s) => ({ input: { shareId: freshShareId, reason: s } }),
      token: () => w.moderator.token,
      prepare: async () => {
        freshShareId = (await shareConversation(server, attacker.token, attackerConversationId)).id;
      },
      writes: () => ({ shares: { changed: 1 } }),
      onSuccess: (s, a) => expect(a.data.moderateShare.disabledReason).toBe(s.trim()),
    },
    // Enum values travel as strings in variables too.
    {
      op: "appendMessage",
      field: "role",
      query: `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { role } } }`,
      vars: (s) => ({ input: { conversationId: attackerConversationId, role: s, content: "x" } }),
      onSuccess: never,
    },
    {
      op: "setShareAttribution",
      field: "attribution",
      query: `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { attribution } } }`,
      vars: (s) => ({ input: { shareId: w.intruderShareId, attribution: s } }),
      token: () => w.intruder.token,
      onSuccess: never,
    },
    { op: "reportShare", field: "reason", query: `mutation($input: ReportShareInput!) { reportShare(input: $input) { reportId } }`, vars: (s) => ({ input: { link: attackerShareUrl, reason: s } }), onSuccess: never },
    { op: "myShares", field: "status", query: `query($s: ShareStatus) { myShares(status: $s) { edges { node { title } } } }`, vars: (s) => ({ s }), onSuccess: never },
    {
      op: "sharePreview",
      field: "attribution",
      query: `query($id: ID!, $s: ShareAttribution!) { sharePreview(conversationId: $id, attribution: $s) { conversation { title } } }`,
      vars: (s) => ({ id: attackerConversationId, s }),
      onSuccess: never,
    },
    { op: "conversation", field: "id", query: `query($s: ID!) { conversation(id: $s) { title } }`, vars: (s) => ({ s }), onSuccess: never },
    { op: "conversations", field: "after", query: `query($s: String) { conversations(after: $s) { edges { node { title } } } }`, vars: (s) => ({ s }), onSuccess: never },
    {
      op: "Conversation.messagesConnection",
      field: "after",
      query: `query($id: ID!, $s: String) { conversation(id: $id) { messagesConnection(after: $s) { edges { node { content } } } } }`,
      vars: (s) => ({ id: attackerConversationId, s }),
      onSuccess: never,
    },
    { op: "myShares", field: "after", query: `query($s: String) { myShares(after: $s) { edges { node { title } } } }`, vars: (s) => ({ s }), onSuccess: never },
    {
      op: "myShares",
      field: "search",
      query: `query($s: String) { myShares(first: 100, search: $s) { edges { node { title } } } }`,
      vars: (s) => ({ s }),
      token: () => w.intruder.token,
      // Only the intruder's own links whose title really contains the text: "%" and "_" are not wildcards.
      onSuccess: (s, a) => {
        const titles: string[] = a.data.myShares.edges.map((e: { node: { title: string } }) => e.node.title);
        const wanted = s.trim().toLowerCase();
        for (const title of titles) expect(title.toLowerCase()).toContain(wanted);
        if (!"intruder notes".includes(wanted)) expect(titles).toEqual([]);
      },
    },
    { op: "shareReports", field: "after", query: `query($s: String) { shareReports(after: $s) { edges { node { id } } } }`, vars: (s) => ({ s }), token: () => w.moderator.token, onSuccess: never },
    {
      op: "sharePreview",
      field: "conversationId",
      query: `query($s: ID!) { sharePreview(conversationId: $s) { conversation { title } } }`,
      vars: (s) => ({ s }),
      onSuccess: never,
    },
    {
      op: "sharePreview",
      field: "upToMessageId",
      query: `query($id: ID!, $s: ID) { sharePreview(conversationId: $id, upToMessageId: $s) { conversation { title } } }`,
      vars: (s) => ({ id: attackerConversationId, s }),
      onSuccess: never,
    },
    { op: "sharedConversation", field: "link", query: `query($s: String!) { sharedConversation(link: $s) { title } }`, vars: (s) => ({ s }), token: () => undefined, onSuccess: never },
    {
      op: "node",
      field: "id",
      query: `query($s: ID!) { node(id: $s) { id } }`,
      vars: (s) => ({ s }),
      onSuccess: (_s, a) => expect(a.data).toEqual({ node: null }),
    },
    {
      op: "nodes",
      field: "ids",
      query: `query($s: [ID!]!) { nodes(ids: $s) { id } }`,
      vars: (s) => ({ s: [s, s] }),
      onSuccess: (_s, a) => expect(a.data).toEqual({ nodes: [null, null] }),
    },
  ];

  for (const target of targets) {
    it(`${target.op}'s ${target.field}: injection-shaped strings are taken as plain text or refused cleanly, and nothing else changes`, async () => {
      for (const payload of INJECTIONS) {
        if (target.prepare) await target.prepare();
        await attempt({
          name: `${target.op}(${target.field}: ${label(payload)})`,
          attack: () => gql(server, target.query, target.vars(payload), target.token ? target.token() : mine()),
          refused: async (a) => {
            if (a.errors?.length) {
              for (const code of codes(a)) expect(["BAD_USER_INPUT", "NOT_FOUND", "UNAUTHENTICATED"]).toContain(code);
              expectNoData(a);
            } else if (target.onSuccess === "never") {
              throw new Error(`succeeded, which it must not: ${a.text.slice(0, 300)}`);
            } else {
              await target.onSuccess?.(payload, a);
            }
          },
          writes: (a) => (a.errors?.length ? {} : (target.writes?.(payload) ?? {})),
        });
      }
    });
  }

  it("afterwards every table is still there and the roles are as they were", async () => {
    expect([...(await fingerprint(server)).keys()]).toEqual(expect.arrayContaining(["users", "conversations", "messages", "shares", "share_reports", "idempotency_keys"]));
    const admins = await server.sql<{ n: number | string }>(`SELECT COUNT(*) AS n FROM users WHERE role = 'ADMIN'`);
    expect(Number(admins[0].n)).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe("bodies and strings", () => {
  const CREATE = `mutation($input: CreateConversationInput!) { createConversation(input: $input) { conversation { id } } }`;
  const mutationBody = (pad: number) => JSON.stringify({ query: CREATE, variables: { input: { title: "padded" }, pad: "x".repeat(pad) } });

  attacks([
    {
      name: "a body one byte over MAX_BODY_BYTES gets 413 and creates nothing",
      attack: () => {
        const overhead = Buffer.byteLength(mutationBody(0));
        const body = mutationBody(1024 * 1024 + 1 - overhead);
        expect(Buffer.byteLength(body)).toBe(1024 * 1024 + 1);
        return postJson(server, body, w.intruder.token);
      },
      refused: (answer) => {
        expect(answer.status).toBe(413);
        expect(codes(answer)).toEqual(["BAD_USER_INPUT"]);
      },
    },
    {
      name: "a 10 MB string in a variable gets 413 and creates nothing",
      attack: () => postJson(server, mutationBody(10_000_000), w.intruder.token),
      refused: (answer) => expect(answer.status).toBe(413),
    },
    {
      name: "an oversized body streamed without a length gets 413 and creates nothing",
      attack: () =>
        request(server, {
          headers: { "content-type": "application/json", authorization: `Bearer ${w.intruder.token}` },
          body: new Blob([mutationBody(3_000_000)]).stream(),
          stream: true,
        }),
      refused: (answer) => expect(answer.status).toBe(413),
    },
    {
      name: "a message of 100,001 characters is BAD_USER_INPUT and stores nothing",
      attack: () =>
        gql(
          server,
          `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } } }`,
          { input: { conversationId: w.intruderConversationId, role: "USER", content: "y".repeat(100_001) } },
          w.intruder.token,
        ),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
    {
      name: "a lone surrogate in signUp's email is BAD_USER_INPUT and creates no account",
      attack: () => gql(server, `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, { input: { email: "a\ud800@example.com", password: PASSWORD, displayName: "x" } }),
      refused: (answer) => {
        expect(answer.status).toBe(400);
        refusedWith(answer, "BAD_USER_INPUT");
      },
    },
    {
      name: "a title of 201 characters is BAD_USER_INPUT and stores nothing",
      attack: () => gql(server, CREATE, { input: { title: "t".repeat(201) } }, w.intruder.token),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
    {
      name: "200,000 levels of nested arrays in a variable are refused and create nothing",
      attack: () =>
        postJson(server, `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"title":"x","deep":${"[".repeat(200_000)}${"]".repeat(200_000)}}}}`, w.intruder.token),
      refused: (answer) => {
        expect(answer.status).toBe(400);
        expect(codes(answer)).toEqual(["BAD_USER_INPUT"]);
      },
    },
    {
      name: "100,000 levels of nested objects as the input are refused and create nothing",
      attack: () => postJson(server, `{"query":${JSON.stringify(CREATE)},"variables":{"input":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}}`, w.intruder.token),
      refused: (answer) => {
        expect(answer.status).toBe(400);
        for (const code of codes(answer)) expect(code).toBe("BAD_USER_INPUT");
      },
    },
    {
      name: "deeply nested arrays where a string is expected are refused and create nothing",
      attack: () => postJson(server, `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"title":${"[".repeat(50_000)}${"]".repeat(50_000)}}}}`, w.intruder.token),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
    {
      name: "deeply nested extensions do not crash the server",
      attack: () => postJson(server, `{"query":"{ me { id } }","extensions":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`, w.intruder.token),
      refused: (answer) => expect([200, 400]).toContain(answer.status),
    },
    {
      name: "a batched array of mutations is refused and runs none of them",
      attack: () =>
        postJson(server, [1, 2, 3].map((n) => ({ query: CREATE, variables: { input: { title: `batched ${n}` } } })), w.intruder.token),
      refused: (answer) => {
        expect(answer.status).toBe(400);
        refusedWith(answer, "BAD_USER_INPUT");
      },
    },
    {
      name: "a JSON body that is not an object is refused and runs nothing",
      attack: () => postJson(server, JSON.stringify("mutation { logOutEverywhere { userId } }"), w.intruder.token),
      refused: (answer) => expect(answer.status).toBe(400),
    },
    {
      name: "a query of 3,000 tokens is refused before it is parsed in full",
      attack: () => gql(server, `{ me { ${"id ".repeat(3000)} } }`, {}, w.intruder.token),
      refused: (answer) => {
        expect(answer.status).toBe(400);
        refusedWith(answer, "BAD_USER_INPUT");
      },
    },
    {
      name: "a mutation of 3,000 tokens is refused and creates nothing",
      attack: () => gql(server, `mutation { createConversation(input: { title: "x" }) { conversation { ${"id ".repeat(3000)} } } }`, {}, w.intruder.token),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
  ]);

  // Automatic persisted queries: a hash must name its query, and a bad one is the client's mistake, not the server's.
  const apq = (extensions: Record<string, unknown>, query?: string) => postJson(server, { ...(query ? { query } : {}), extensions }, w.intruder.token);
  attacks([
    {
      name: "registering a mutation under a hash that is not its own is refused as the client's error and runs nothing",
      attack: () => apq({ persistedQuery: { version: 1, sha256Hash: createHash("sha256").update("{ me { id } }").digest("hex") } }, `mutation { logOutEverywhere { userId } }`),
      refused: (answer) => {
        expect(answer.status).toBe(400);
        refusedWith(answer, "BAD_USER_INPUT");
      },
    },
    {
      name: "a persisted query of an unsupported version is refused as the client's error and runs nothing",
      attack: () => apq({ persistedQuery: { version: 2, sha256Hash: "0".repeat(64) } }, `mutation { logOutEverywhere { userId } }`),
      refused: (answer) => {
        expect(answer.status).toBe(400);
        refusedWith(answer, "BAD_USER_INPUT");
      },
    },
    {
      name: "an unknown persisted-query hash alone runs nothing and asks for the query",
      attack: () => apq({ persistedQuery: { version: 1, sha256Hash: "f".repeat(64) } }),
      refused: (answer) => {
        // PERSISTED_QUERY_NOT_FOUND is Apollo's protocol code, which clients act on by name (README: persisted queries).
        expect(codes(answer)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);
      },
    },
  ]);

  const FIFTY = Array.from({ length: 50 }, (_, i) => `mutation M${i} { createConversation(input: { title: "op ${i}" }) { conversation { id title } } }`).join("\n");
  const send = (payload: Record<string, unknown>) => postJson(server, { query: FIFTY, ...payload }, w.intruder.token);
  attacks([
    {
      name: "fifty operations without an operationName are refused and none runs",
      attack: () => send({}),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
    {
      name: "fifty operations with an operationName that names none of them are refused and none runs",
      attack: () => send({ operationName: "M50" }),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
    {
      name: "fifty operations with a list of operationNames are refused and none runs",
      attack: () => send({ operationName: ["M1", "M2"] }),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
    {
      name: "fifty operations with an object for operationName are refused and none runs",
      attack: () => send({ operationName: { M1: true } }),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
    {
      name: "fifty operations with an empty operationName are refused and none runs",
      attack: () => send({ operationName: "" }),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
    {
      name: "fifty operations with one chosen by operationName run that one only",
      attack: () => send({ operationName: "M7" }),
      refused: (answer) => {
        expect(answer.errors).toBeUndefined();
        expect(answer.data.createConversation.conversation.title).toBe("op 7");
      },
      writes: { conversations: { added: 1 } },
    },
    {
      name: "fifty operations that share one name are refused and none runs",
      attack: () => postJson(server, { query: FIFTY.replace(/mutation M\d+/g, "mutation M"), operationName: "M" }, w.intruder.token),
      refused: (answer) => {
        expect(answer.status).toBe(400);
        expect(new Set(codes(answer))).toEqual(new Set(["BAD_USER_INPUT"]));
        expectNoData(answer);
      },
    },
    {
      name: "an anonymous operation beside named ones is refused and none runs",
      attack: () => postJson(server, { query: `${FIFTY}\nmutation { logOutEverywhere { userId } }` }, w.intruder.token),
      refused: (answer) => refusedWith(answer, "BAD_USER_INPUT"),
    },
  ]);
});

// ---------------------------------------------------------------------------------------------------------------
describe("GraphQL bombs", () => {
  /** conversations → edges → node → shares → conversation → shares … until `depth` fields deep. */
  function chain(depth: number): string {
    const fields = ["conversations", "edges", "node"];
    while (fields.length < depth - 1) fields.push(fields.length % 2 === 1 ? "shares" : "conversation");
    fields.push("id");
    return fields.reduceRight((inner, field) => (inner ? `${field} { ${inner} }` : field), "");
  }
  const asIntruder = (query: string, variables: Record<string, unknown> = {}) => gql(server, query, variables, w.intruder.token);
  const refusedBadInput = (answer: Answer) => {
    expect(answer.status).toBe(400);
    refusedWith(answer, "BAD_USER_INPUT");
  };
  const aliases = (n: number, field = "me { id }") => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ");
  const BOMB = `{ conversations(first: 100) { edges { node { messagesConnection(first: 100) { edges { node { id content role createdAt } } } } } } }`;
  const COSTLY_CREATE = (i: number) =>
    `c${i}: createConversation(input: { title: "costly ${i}" }) { conversation { messagesConnection(first: 100) { edges { node { id content role createdAt } } } } }`;

  it("a query exactly 12 levels deep, 30 aliases and 20 directives is accepted (so each bomb below is one step over)", async () => {
    expect(ok(await asIntruder(`{ ${chain(12)} }`)).conversations.edges.length).toBeGreaterThan(0);
    ok(await asIntruder(`{ ${aliases(30)} }`));
    ok(await asIntruder(`{ me { ${Array.from({ length: 20 }, () => "id @include(if: true)").join(" ")} } }`));
  });

  attacks([
    { name: "a query 13 levels deep is refused before anything runs", attack: () => asIntruder(`{ ${chain(13)} }`), refused: refusedBadInput },
    { name: "a query 100 levels deep is refused before anything runs", attack: () => asIntruder(`{ ${chain(100)} }`), refused: refusedBadInput },
    {
      name: "a query 13 levels deep through named fragments is refused",
      attack: () =>
        asIntruder(
          `{ conversations { edges { node { ...A } } } } fragment A on Conversation { shares { ...B } } fragment B on Share { conversation { shares { conversation { shares { conversation { shares { conversation { shares { id } } } } } } } } }`,
        ),
      refused: refusedBadInput,
    },
    {
      name: "a query 13 levels deep through inline fragments is refused",
      attack: () =>
        asIntruder(
          `{ conversations { edges { node { ... on Conversation { shares { ... { conversation { shares { conversation { shares { conversation { shares { conversation { ... on Conversation { shares { id } } } } } } } } } } } } } } } }`,
        ),
      refused: refusedBadInput,
    },
    {
      name: "a mutation whose selection is 13 levels deep is refused and creates nothing",
      attack: () =>
        asIntruder(
          `mutation { createConversation(input: { title: "deep" }) { conversation { shares { conversation { shares { conversation { shares { conversation { shares { conversation { shares { conversation { id } } } } } } } } } } } } }`,
        ),
      refused: refusedBadInput,
    },
    { name: "31 aliases are refused", attack: () => asIntruder(`{ ${aliases(31)} }`), refused: refusedBadInput },
    {
      name: "31 aliases spread over fragments are refused",
      attack: () => asIntruder(`{ ...A ...B } fragment A on Query { ${aliases(16)} } fragment B on Query { ${aliases(15).replace(/a(\d+):/g, "b$1:")} }`),
      refused: refusedBadInput,
    },
    {
      name: "31 aliased createConversation calls are refused and create nothing",
      attack: () => asIntruder(`mutation { ${Array.from({ length: 31 }, (_, i) => `c${i}: createConversation(input: { title: "alias ${i}" }) { conversation { id } }`).join(" ")} }`),
      refused: refusedBadInput,
    },
    {
      name: "21 directives are refused",
      attack: () => asIntruder(`{ me { ${Array.from({ length: 21 }, () => "id @include(if: true)").join(" ")} } }`),
      refused: refusedBadInput,
    },
    {
      name: "21 directives spread over fragments are refused",
      attack: () =>
        asIntruder(
          `{ me { ...A ...B } } fragment A on User { ${Array.from({ length: 11 }, () => "id @skip(if: false)").join(" ")} } fragment B on User { ${Array.from({ length: 10 }, () => "displayName @include(if: true)").join(" ")} }`,
        ),
      refused: refusedBadInput,
    },
    {
      name: "a mutation carrying 21 directives is refused and creates nothing",
      attack: () => asIntruder(`mutation { createConversation(input: { title: "d" }) { conversation { ${Array.from({ length: 21 }, () => "id @include(if: true)").join(" ")} } } }`),
      refused: refusedBadInput,
    },
    { name: "a query costing over 10,000 (100 conversations × 100 messages) is refused", attack: () => asIntruder(BOMB), refused: refusedBadInput },
    {
      name: "the same cost bomb with its page sizes in variables is refused",
      attack: () =>
        asIntruder(`query($a: Int!, $b: Int!) { conversations(first: $a) { edges { node { messagesConnection(first: $b) { edges { node { id content role createdAt } } } } } } }`, { a: 100, b: 100 }),
      refused: refusedBadInput,
    },
    {
      name: "thirty aliased pages of 100 conversations, costing over 10,000 together, are refused",
      attack: () => asIntruder(`{ ${aliases(30, "conversations(first: 100) { edges { node { id title createdAt } } }")} }`),
      refused: refusedBadInput,
    },
    {
      name: "twenty aliased createConversation calls with costly selections are refused and create nothing",
      attack: () => asIntruder(`mutation { ${Array.from({ length: 20 }, (_, i) => COSTLY_CREATE(i)).join(" ")} }`),
      refused: refusedBadInput,
    },
    {
      name: "a cost bomb padded with fragment spreads past the cost estimator's node budget is still refused",
      attack: () => {
        const fragments = Array.from({ length: 10 }, (_, i) => `fragment F${i} on Conversation { ...F${i + 1} ...F${i + 1} }`);
        fragments.push(`fragment F10 on Conversation { id messagesConnection(first: 100) { edges { node { id content role createdAt } } } }`);
        return asIntruder(`{ conversations(first: 100) { edges { node { ...F0 } } } } ${fragments.join(" ")}`);
      },
      refused: refusedBadInput,
    },
    { name: "a fragment that spreads itself is refused", attack: () => asIntruder(`{ me { ...A } } fragment A on User { id ...A }`), refused: refusedBadInput },
    { name: "two fragments that spread each other are refused", attack: () => asIntruder(`{ me { ...A } } fragment A on User { id ...B } fragment B on User { displayName ...A }`), refused: refusedBadInput },
    {
      name: "a cycle of three fragments through an inline fragment is refused",
      attack: () => asIntruder(`{ me { ...A } } fragment A on User { ... on User { ...B } } fragment B on User { ...C } fragment C on User { id ...A }`),
      refused: refusedBadInput,
    },
    {
      name: "a mutation selecting through circular fragments is refused and creates nothing",
      attack: () =>
        asIntruder(`mutation { createConversation(input: { title: "cyclic" }) { conversation { ...A } } } fragment A on Conversation { id shares { conversation { ...B } } } fragment B on Conversation { ...A }`),
      refused: refusedBadInput,
    },
  ]);

  describe("in production", () => {
    let prod: TestServer;
    let token: string;
    beforeAll(async () => {
      prod = await startTestServer({ NODE_ENV: "production" });
      token = (await signUp(prod)).token;
    });
    afterAll(() => prod.close());

    const noSuggestion = (answer: Answer) => {
      expect(codes(answer).length).toBeGreaterThan(0);
      for (const code of codes(answer)) expect(code).toBe("BAD_USER_INPUT");
      expect(answer.text).not.toMatch(/Did you mean/i);
    };
    const introspectionRefused = (answer: Answer) => {
      refusedWith(answer, "BAD_USER_INPUT");
      expect(answer.text).not.toMatch(/"(types|fields|queryType)"/);
    };
    const onProd = () => prod;
    attacks(
      [
        { name: "__schema is refused", attack: () => gql(prod, `{ __schema { types { name } } }`, {}, token), refused: introspectionRefused },
        { name: "__type is refused", attack: () => gql(prod, `{ __type(name: "User") { fields { name } } }`, {}, token), refused: introspectionRefused },
        { name: "__schema beside a real field is refused as a whole", attack: () => gql(prod, `{ me { id } __schema { queryType { name } } }`, {}, token), refused: introspectionRefused },
        {
          name: "__schema inside a fragment is refused",
          attack: () => gql(prod, `{ ...F } fragment F on Query { __schema { types { name } } }`, {}, token),
          refused: introspectionRefused,
        },
        { name: "a misspelt root field gets no suggestion", attack: () => gql(prod, `{ mee { id } }`, {}, token), refused: noSuggestion },
        { name: "a misspelt field gets no suggestion", attack: () => gql(prod, `{ me { emial } }`, {}, token), refused: noSuggestion },
        { name: "a misspelt argument gets no suggestion", attack: () => gql(prod, `{ conversations(frist: 1) { edges { cursor } } }`, {}, token), refused: noSuggestion },
        { name: "a misspelt type in a variable definition gets no suggestion", attack: () => gql(prod, `query($s: ShareStatu) { myShares(status: $s) { edges { cursor } } }`, {}, token), refused: noSuggestion },
        { name: "a misspelt enum value in the document gets no suggestion", attack: () => gql(prod, `{ myShares(status: ACTIV) { edges { cursor } } }`, {}, token), refused: noSuggestion },
        {
          name: "a misspelt enum value in a variable gets no suggestion",
          attack: () => gql(prod, `query($s: ShareStatus) { myShares(status: $s) { edges { cursor } } }`, { s: "ACTIV" }, token),
          refused: noSuggestion,
        },
        {
          name: "a misspelt input field in a variable gets no suggestion and creates nothing",
          attack: () => gql(prod, `mutation($i: CreateConversationInput!) { createConversation(input: $i) { conversation { id } } }`, { i: { titel: "x" } }, token),
          refused: noSuggestion,
        },
      ].map((a) => ({ ...a, on: onProd })),
    );
  });

  it(
    "a fragment fan-out of 2^40 spreads in under 1 KB is refused, and the server keeps answering",
    async () => {
      // Its own process: a validator that walked every spread would freeze the server, and with it this test.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-fanout-"));
      const child: ChildProcess = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "src/index.ts"], {
        cwd: path.join(__dirname, ".."),
        env: { PATH: process.env.PATH, PORT: "0", SCRYPT_LOG_N: "12", LOG_LEVEL: "info", DATABASE_URL: `sqlite:${path.join(dir, "db.sqlite")}` },
        stdio: ["ignore", "pipe", "pipe"],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let output = "";
          const onData = (chunk: Buffer) => {
            output += chunk.toString();
            const match = /listening on (http:\/\/[^/\s]+)\/graphql/.exec(output);
            if (match) resolve(match[1]);
          };
          child.stdout!.on("data", onData);
          child.stderr!.on("data", onData);
          child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
        });
        const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`);
        const query = `{ me { ...F0 } } ${fragments.join(" ")} fragment F40 on User { id }`;
        expect(Buffer.byteLength(query)).toBeLessThan(2048);
        tally.tried++;
        // A bound on waiting, not a speed requirement: a server stuck in validation never answers at all.
        const answer = await fetch(`${url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: MODERN_ACCEPT },
          body: JSON.stringify({ query }),
          signal: AbortSignal.timeout(10_000),
        }).then(
          async (res) => ({ status: res.status, text: await res.text() }),
          (error: unknown) => ({ status: 0, text: `no answer: ${String(error)}` }),
        );
        expect(answer.text).not.toMatch(/^no answer/);
        const body = JSON.parse(answer.text) as { errors?: GraphQLErrorBody[] };
        expect(answer.status).toBe(400);
        expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
        expect((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
        tally.refused++;
      } finally {
        child.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    90_000,
  );
});

// ---------------------------------------------------------------------------------------------------------------
describe("CSRF-style simple requests", () => {
  const MUTATION = `mutation { createConversation(input: { title: "forged by another site" }) { conversation { id } } }`;
  const bearer = () => ({ authorization: `Bearer ${w.owner.token}` });
  // Refused by Apollo's CSRF prevention itself, before the operation is even parsed.
  const refused400 = (answer: Answer) => {
    expect(answer.status).toBe(400);
    refusedWith(answer, "BAD_USER_INPUT");
    expect(answer.errors![0].message).toMatch(/Cross-Site Request Forgery/);
  };
  attacks([
    {
      name: "a urlencoded form POST of a mutation is refused and runs nothing",
      attack: () => request(server, { headers: { "content-type": "application/x-www-form-urlencoded", ...bearer() }, body: new URLSearchParams({ query: MUTATION }).toString() }),
      refused: refused400,
    },
    {
      name: "a urlencoded form POST whose body is JSON is refused and runs nothing",
      attack: () => request(server, { headers: { "content-type": "application/x-www-form-urlencoded", ...bearer() }, body: JSON.stringify({ query: MUTATION }) }),
      refused: refused400,
    },
    {
      name: "a text/plain POST of a JSON mutation is refused and runs nothing",
      attack: () => request(server, { headers: { "content-type": "text/plain", ...bearer() }, body: JSON.stringify({ query: MUTATION }) }),
      refused: refused400,
    },
    {
      name: "a text/plain POST with a charset is refused and runs nothing",
      attack: () => request(server, { headers: { "content-type": "text/plain; charset=utf-8", ...bearer() }, body: JSON.stringify({ query: MUTATION }) }),
      refused: refused400,
    },
    {
      name: "a multipart form POST is refused and runs nothing",
      attack: () => {
        const form = new FormData();
        form.set("query", MUTATION);
        return request(server, { headers: bearer(), body: form });
      },
      refused: refused400,
    },
    {
      name: "a POST without a content type is refused and runs nothing",
      attack: () => request(server, { headers: bearer(), body: new TextEncoder().encode(JSON.stringify({ query: MUTATION })) }),
      refused: refused400,
    },
    {
      name: "a GET without a preflight header is refused and reads nothing",
      attack: () => getQuery(server, { query: `{ me { email } conversations { edges { node { title } } } }` }, bearer()),
      refused: (answer) => {
        refused400(answer);
        expectNoSecrets(answer.text);
      },
    },
    {
      name: "a GET with an empty preflight header is refused and reads nothing",
      attack: () => getQuery(server, { query: `{ me { email } }` }, { ...bearer(), "apollo-require-preflight": "" }),
      refused: (answer) => {
        refused400(answer);
        expectNoSecrets(answer.text);
      },
    },
    {
      name: "a GET mutation without a preflight header is refused and runs nothing",
      attack: () => getQuery(server, { query: MUTATION }, bearer()),
      refused: refused400,
    },
    {
      name: "a GET mutation with a preflight header is refused with 405 and runs nothing",
      attack: () => getQuery(server, { query: MUTATION }, { ...bearer(), "apollo-require-preflight": "true" }),
      refused: (answer) => {
        expect(answer.status).toBe(405);
        expectNoData(answer);
      },
    },
    {
      name: "a GET choosing a mutation by operationName from a document with a query is refused with 405 and runs nothing",
      attack: () => getQuery(server, { query: `query Q { me { id } } ${MUTATION.replace("mutation", "mutation M")}`, operationName: "M" }, { ...bearer(), "apollo-require-preflight": "true" }),
      refused: (answer) => {
        expect(answer.status).toBe(405);
        expectNoData(answer);
      },
    },
  ]);
});

// ---------------------------------------------------------------------------------------------------------------
describe("login brute force", () => {
  const LOGIN = `mutation($input: LogInInput!) { logIn(input: $input) { token user { id } } }`;
  const logIn = (srv: TestServer, email: string, password: string, headers: Record<string, string> = {}) =>
    postJson(srv, { query: LOGIN, variables: { input: { email, password } } }, undefined, headers);
  const rateLimited = (answer: Answer) => {
    refusedWith(answer, "RATE_LIMITED");
    expect(answer.errors![0].extensions?.retryAfterSeconds).toEqual(expect.any(Number));
    expect(answer.errors![0].extensions?.retryAfterSeconds as number).toBeGreaterThan(0);
    expect(answer.text).not.toMatch(/eyJ/); // no token
  };

  describe("per account (LOGINS_PER_ACCOUNT_PER_HOUR=5)", () => {
    let srv: TestServer;
    let victim: Account;
    beforeAll(async () => {
      srv = await startTestServer({ LOGINS_PER_ACCOUNT_PER_HOUR: "5", LOGINS_PER_IP_PER_HOUR: "0", VIEW_COUNT_FLUSH_MS: "3600000" });
      victim = await signUp(srv);
    });
    afterAll(() => srv.close());
    const on = () => srv;

    attacks<Answer[]>([
      {
        name: "guessing one account's password is stopped after 5 attempts, even when the sixth guess is right",
        on,
        attack: async () => {
          const answers: Answer[] = [];
          for (let i = 0; i < 5; i++) answers.push(await logIn(srv, victim.email, `wrong guess number ${i}`));
          answers.push(await logIn(srv, victim.email, PASSWORD));
          return answers;
        },
        refused: (answers) => {
          for (const wrong of answers.slice(0, 5)) refusedWith(wrong, "UNAUTHENTICATED");
          rateLimited(answers[5]);
        },
      },
      {
        name: "changing the email's letter case and padding does not reset the account's wall",
        on,
        attack: async () => [await logIn(srv, `  ${victim.email.toUpperCase()} `, PASSWORD), await logIn(srv, victim.email.replace(/^./, (c) => c.toUpperCase()), PASSWORD)],
        refused: (answers) => answers.forEach(rateLimited),
      },
      {
        name: "a spoofed X-Forwarded-For does not reset the account's wall",
        on,
        attack: async () => [await logIn(srv, victim.email, PASSWORD, { "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9" })],
        refused: (answers) => answers.forEach(rateLimited),
      },
      {
        name: "an unknown email meets the same answers and the same wall, so accounts cannot be enumerated",
        on,
        attack: async () => {
          const ghost = uniqueEmail("ghost");
          const answers: Answer[] = [];
          for (let i = 0; i < 6; i++) answers.push(await logIn(srv, ghost, `guess ${i} for nobody`));
          return answers;
        },
        refused: (answers) => {
          for (const wrong of answers.slice(0, 5)) {
            refusedWith(wrong, "UNAUTHENTICATED");
            expect(wrong.errors![0].message).toBe("The email or password is incorrect.");
          }
          rateLimited(answers[5]);
        },
      },
    ]);
  });

  describe("per address (LOGINS_PER_IP_PER_HOUR=8, SIGNUPS_PER_IP_PER_HOUR=3)", () => {
    let srv: TestServer;
    let account: Account;
    beforeAll(async () => {
      srv = await startTestServer({ LOGINS_PER_IP_PER_HOUR: "8", LOGINS_PER_ACCOUNT_PER_HOUR: "0", SIGNUPS_PER_IP_PER_HOUR: "3", VIEW_COUNT_FLUSH_MS: "3600000" });
      account = await signUp(srv);
    });
    afterAll(() => srv.close());
    const on = () => srv;

    attacks<Answer[]>([
      {
        name: "spraying one password over many accounts from one address is stopped after 8 attempts, even with right credentials",
        on,
        attack: async () => {
          const answers: Answer[] = [];
          for (let i = 0; i < 8; i++) answers.push(await logIn(srv, uniqueEmail("spray"), PASSWORD));
          answers.push(await logIn(srv, account.email, PASSWORD));
          return answers;
        },
        refused: (answers) => {
          for (const wrong of answers.slice(0, 8)) refusedWith(wrong, "UNAUTHENTICATED");
          rateLimited(answers[8]);
        },
      },
      {
        name: "spoofed forwarding headers do not open a new address",
        on,
        attack: async () => [
          await logIn(srv, account.email, PASSWORD, { "x-forwarded-for": "198.51.100.7" }),
          await logIn(srv, account.email, PASSWORD, { forwarded: "for=198.51.100.8", "x-real-ip": "198.51.100.8" }),
        ],
        refused: (answers) => answers.forEach(rateLimited),
      },
      {
        name: "mass sign-up from one address is stopped at the limit and the refused one creates no account",
        on,
        attack: async () => {
          const answers: Answer[] = [];
          for (let i = 0; i < 4; i++) {
            answers.push(await postJson(srv, { query: `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, variables: { input: { email: uniqueEmail("mass"), password: PASSWORD, displayName: "Bot" } } }));
          }
          return answers;
        },
        refused: (answers) => {
          // One of the three was spent in beforeAll; two more are legitimate, the next is refused.
          expect(answers.slice(0, 2).map((a) => a.errors)).toEqual([undefined, undefined]);
          for (const refused of answers.slice(2)) rateLimited(refused);
        },
        writes: { users: { added: 2 } },
      },
    ]);
  });
});
