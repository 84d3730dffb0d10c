// The attack harness of the test/security-*.test.ts files: an attack is a table entry; running it counts it,
// fingerprints the database around it, and checks that whatever came back is clean (a code from the closed set, no
// stack, no SQL). The world under attack is an owner with secrets, an intruder with an account of their own, a moderator.
import { createHash } from "node:crypto";
import { startTestServer, TEST_DIALECT, type TestServer } from "./server";
import {
  codes,
  createConversation,
  dbId,
  gql,
  MODERN_ACCEPT,
  ok,
  PASSWORD,
  revoke,
  shareConversation,
  signUp,
  uniqueEmail,
  type Account,
  type GraphQLErrorBody,
  type GraphQLResult,
} from "./client";
import type { NodeType } from "../../src/common/global-id";
import { setUserRole } from "../../src/user/user-admin";
import { UserRole } from "../../src/user/user.entity";

export type Answer = GraphQLResult;
export type Diff = Record<string, { added?: number; changed?: number; removed?: number }>;
type Fingerprint = Map<string, Map<string, string>>;

export interface Attack<R extends Answer | Answer[] = Answer> {
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
export const tally = { tried: 0, refused: 0 };

/** The server under attack and the world on it, set by attackedServer() before the file's tests run. */
export let server: TestServer;

/**
 * Every row of every table, and the schema itself, hashed and keyed by row (SQLite's rowid, PostgreSQL's primary key),
 * on whichever database this Jest project runs. View totals (share_view_totals) are left out: views are legitimate.
 */
export async function fingerprint(srv: TestServer): Promise<Fingerprint> {
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
  for (const name of tables.filter((t) => t !== "share_view_totals")) {
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

export async function attempt<R extends Answer | Answer[]>(a: Attack<R>): Promise<void> {
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
export function attacks<R extends Answer | Answer[]>(list: Attack<R>[]): void {
  for (const a of list) it(a.name, () => attempt(a));
}

export async function request(
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

export function postJson(srv: Pick<TestServer, "url">, payload: unknown, token?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return request(srv, {
    // As a current client: request errors answer 4xx (a legacy application/json client gets 200, see client-developers).
    headers: { "content-type": "application/json", accept: MODERN_ACCEPT, ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

export function getQuery(srv: Pick<TestServer, "url">, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return request(srv, { method: "GET", path: `/graphql?${new URLSearchParams(params)}`, headers });
}

/** Refused as a whole: exactly these codes and no data at all. */
export function refusedWith(answer: Answer, ...expected: string[]): void {
  expect(codes(answer)).toEqual(expected);
  expectNoData(answer);
}

/** No field answered anything but null (or a list of nulls). */
export function expectNoData(answer: Answer): void {
  const data = answer.data as Record<string, unknown> | null | undefined;
  for (const value of Object.values(data ?? {})) {
    expect(value === null || (Array.isArray(value) && value.every((v) => v === null))).toBe(true);
  }
}

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
export let w: World;

const SECRET_NAME = "Olivia SECRETOWNERNAME";
export const SECRET_TITLE = "SECRETTITLE Trip to Lisbon";
const SECRET_MESSAGES = ["SECRETMESSAGE-1 Plan three days in Lisbon.", "SECRETMESSAGE-2 Day 1: Alfama. Day 2: Belém. Day 3: Sintra."];
export const BASE = "https://chat.example/share/";

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
export function expectNoSecrets(text: string, except: string[] = []): void {
  let scrubbed = text;
  for (const allowed of except) scrubbed = scrubbed.split(allowed).join("<sent>");
  for (const secret of w.secrets) expect(scrubbed).not.toContain(secret);
}

/** Starts the server under attack with its world before the file's tests, and closes it after them. */
export function attackedServer(subject: string): void {
  beforeAll(async () => {
    // View counts are flushed only at shutdown, so the fingerprints see no background writes; reports are unlimited
    // here so the injection table can file many (their limit has its own test file).
    server = await startTestServer({ VIEW_COUNT_FLUSH_MS: "3600000", REPORTS_PER_HOUR: "0" });
    w = await buildWorld(server);
  });
  afterAll(() => server?.close());
  reportAttacks(subject);
}

/** Prints `security (<subject>): N attacks tried, N refused` after the file's tests. */
export function reportAttacks(subject: string): void {
  afterAll(() => {
    process.stdout.write(`security (${subject}): ${tally.tried} attacks tried, ${tally.refused} refused\n`);
  });
}
