// Property-based tests (fast-check) over every mutation's input and every query's arguments: whatever arrives, the answer is clean and the server stays healthy.
import net from "node:net";
import fc from "fast-check";
import { startTestServer, type TestServer } from "./helpers/server";
import { createConversation, gql, missingId, ok, PASSWORD, shareConversation, signUp, type Account, type GraphQLErrorBody } from "./helpers/client";
import { NodeType } from "../src/common/global-id";
import { setUserRole } from "../src/user/user-admin";
import { UserRole } from "../src/user/user.entity";
import { REPORT_FORM_MAX_BYTES } from "../src/share-page/share-page";

const LEAK = /at .*\.(ts|js):\d+|SQLITE|SELECT |INSERT /;
const CLOSED_SET = ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "RATE_LIMITED"];
/** Runs per property: enough to meet every kind of value, few enough to keep the file well under a minute. */
const RUNS = 120;

jest.setTimeout(60_000);

let server: TestServer;

// ---------------------------------------------------------------------------------------------------------------
// Sending, and what every answer must look like.

interface Reply {
  status: number;
  text: string;
  /** Size of the request body, to tell a legitimate 413 from a wrong one. */
  sentBytes: number;
}

async function post(body: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: res.status, text: await res.text(), sentBytes: Buffer.byteLength(body) };
}

function send(query: string, variables: unknown, token?: string): Promise<Reply> {
  return post(JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {});
}

/** Every string inside a value, so that echoes of what was sent are not mistaken for leaks. */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return [];
}

/** Apollo's persisted-query protocol codes, which clients act on by name; only a request that asked for APQ may get them. */
const APQ_CODES = ["PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED"];

function asksForPersistedQuery(sent: unknown): boolean {
  const extensions = sent && typeof sent === "object" ? (sent as { extensions?: unknown }).extensions : undefined;
  return !!extensions && typeof extensions === "object" && "persistedQuery" in extensions;
}

function expectClean(reply: Reply, sent: unknown): void {
  expect([200, 400, 413]).toContain(reply.status);
  expect(reply.status === 413).toBe(reply.sentBytes > server.config.maxBodyBytes);
  const body = JSON.parse(reply.text) as { data?: unknown; errors?: GraphQLErrorBody[] };
  expect(body).toEqual(expect.any(Object));
  const allowed = asksForPersistedQuery(sent) ? [...CLOSED_SET, ...APQ_CODES] : CLOSED_SET;
  for (const error of body.errors ?? []) {
    expect(allowed).toContain(error.extensions?.code);
    expect(typeof error.message).toBe("string");
  }
  let scrubbed = reply.text;
  for (const s of stringsIn(sent)) {
    const once = JSON.stringify(s).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    if (LEAK.test(once) || LEAK.test(twice)) scrubbed = scrubbed.split(twice).join("").split(once).join("");
  }
  expect(scrubbed).not.toMatch(LEAK);
}

/** FNV-1a of the property's name: a fixed seed per property that does not move when others are added. */
function seedOf(name: string): number {
  let hash = 0x811c9dc5;
  for (const c of name) hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return hash | 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries: text of every kind, and wrong types, in place of any field.

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const awkward = fc.constantFrom("\u0000", "\u200b", "\u202e", "\ufeff", "\u2028", "\u0085", "\r\n", "\t", "'", '"', "\\", "%", "_", "$", "{", "}", "../", "<script>", "🏳️‍🌈", "e\u0301");
const unit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: loneSurrogate },
  { weight: 2, arbitrary: awkward },
);
/** Up to about 200,000 characters: a short piece repeated, since generating that much character by character is slow. */
const huge = fc
  .tuple(fc.string({ unit, minLength: 1, maxLength: 6 }), fc.integer({ min: 1_000, max: 200_000 }))
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));
/** Ordinary text with one NUL or lone surrogate somewhere in it. */
const withOddCodeUnit = fc
  .tuple(fc.string({ maxLength: 20 }), fc.oneof(fc.constant("\u0000"), loneSurrogate), fc.string({ maxLength: 20 }))
  .map(([before, odd, after]) => before + odd + after);
const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 3, arbitrary: withOddCodeUnit },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme" }) },
  { weight: 3, arbitrary: fc.string({ unit }) },
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: huge },
);
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
);
/** A field: sometimes a value that gets far into the server, mostly anything at all, sometimes left out. */
function field(good: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: good },
    { weight: 4, arbitrary: anyText },
    { weight: 2, arbitrary: wrongType },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}
/** An input object of such fields, now and then with an unknown key or replaced by a wrong type altogether. */
function input(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const record = fc.record(Object.fromEntries(Object.entries(fields).map(([k, good]) => [k, field(good)])));
  return fc.oneof(
    { weight: 8, arbitrary: record },
    { weight: 1, arbitrary: fc.tuple(record, fc.string(), fc.jsonValue({ maxDepth: 1 })).map(([r, k, v]) => ({ ...(r as object), [k || "extra"]: v })) },
    { weight: 1, arbitrary: wrongType },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The world: a user whose objects the properties aim at, others for what must never succeed, a moderator.

interface World {
  user: Account;
  other: Account;
  moderator: Account;
  keeper: Account;
  quitter: Account;
  leaver: Account;
  conversationId: string;
  doomedConversationId: string;
  keptConversationId: string;
  messageId: string;
  shareId: string;
  shareUrl: string;
  otherConversationId: string;
  otherMessageId: string;
  otherShareId: string;
  conversationCursor: string;
  messageCursor: string;
}
let w: World;

async function firstMessageId(token: string, conversationId: string): Promise<string> {
  return ok(await gql(server, `query($id: ID!) { conversation(id: $id) { messages { id } } }`, { id: conversationId }, token)).conversation.messages[0].id;
}

beforeAll(async () => {
  server = await startTestServer({
    SHARES_PER_USER_PER_HOUR: "0",
    IMPORTS_PER_USER_PER_HOUR: "0",
    REPORTS_PER_HOUR: "0",
    LOGINS_PER_ACCOUNT_PER_HOUR: "0",
  });
  const user = await signUp(server, { displayName: "Pat" });
  const other = await signUp(server, { displayName: "Other" });
  const moderator = await signUp(server, { displayName: "Mod" });
  await setUserRole(server.dataSource, moderator.email, UserRole.ADMIN);
  const keeper = await signUp(server, { displayName: "Keeper" });
  const quitter = await signUp(server, { displayName: "Quitter" });
  const leaver = await signUp(server, { displayName: "Leaver" });

  const conversationId = await createConversation(server, user.token, "Trip to Lisbon", [
    { role: "USER", content: "Plan three days in Lisbon. Mail me at pat@example.com." },
    { role: "ASSISTANT", content: "Day 1: Alfama. Day 2: Belém. Day 3: Sintra." },
  ]);
  const doomedConversationId = await createConversation(server, user.token, "Soon gone", [{ role: "USER", content: "bye" }]);
  const share = await shareConversation(server, user.token, conversationId);
  const otherConversationId = await createConversation(server, other.token, "Not yours", [{ role: "USER", content: "private" }]);
  const otherShare = await shareConversation(server, other.token, otherConversationId);
  const keptConversationId = await createConversation(server, keeper.token, "Kept safe", [{ role: "USER", content: "still here" }]);
  const conversationCursor = ok(await gql(server, `{ conversations(first: 1) { pageInfo { endCursor } } }`, {}, user.token)).conversations.pageInfo.endCursor;
  const messageCursor = ok(
    await gql(server, `query($id: ID!) { conversation(id: $id) { messagesConnection(first: 1) { pageInfo { endCursor } } } }`, { id: conversationId }, user.token),
  ).conversation.messagesConnection.pageInfo.endCursor;

  w = {
    user,
    other,
    moderator,
    keeper,
    quitter,
    leaver,
    conversationId,
    doomedConversationId,
    keptConversationId,
    messageId: await firstMessageId(user.token, conversationId),
    shareId: share.id,
    shareUrl: share.url,
    otherConversationId,
    otherMessageId: await firstMessageId(other.token, otherConversationId),
    otherShareId: otherShare.id,
    conversationCursor,
    messageCursor,
  };
});

afterAll(() => server?.close());

// After every property, whether it held or not.
afterEach(() => expectHealthy());

/** The server is up, its database answers, and a known-good query of someone untouched still works. */
async function expectHealthy(): Promise<void> {
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  const data = ok(await gql(server, `query($id: ID!) { me { id } conversation(id: $id) { title messages { content } } }`, { id: w.keptConversationId }, w.keeper.token));
  expect(data).toEqual({ me: { id: w.keeper.id }, conversation: { title: "Kept safe", messages: [{ content: "still here" }] } });
}

/** Sends whatever `arbitrary` generates and checks each answer (afterEach then checks the server is healthy). */
async function holds<T>(name: string, arbitrary: fc.Arbitrary<T>, exchange: (value: T) => Promise<Reply>, sent: (value: T) => unknown = (v) => v): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => expectClean(await exchange(value), sent(value))),
    { seed: seedOf(name), numRuns: RUNS },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Good values, so that generated inputs also get past validation into the services.

const g = {
  conversationId: () => fc.constantFrom(w.conversationId, w.otherConversationId, missingId(NodeType.Conversation), w.messageId),
  messageId: () => fc.constantFrom(w.messageId, w.otherMessageId, missingId(NodeType.Message), w.conversationId),
  shareId: () => fc.constantFrom(w.shareId, w.otherShareId, missingId(NodeType.Share), w.conversationId),
  anyId: () => fc.constantFrom(w.conversationId, w.messageId, w.shareId, w.user.id, w.otherConversationId, w.otherShareId, missingId(NodeType.ShareReport)),
  role: () => fc.constantFrom("USER", "ASSISTANT", "SYSTEM", "user", "ADMIN"),
  attribution: () => fc.constantFrom("ANONYMOUS", "NAMED", "named"),
  reportReason: () => fc.constantFrom("SPAM", "HARASSMENT", "OTHER", "PERSONAL_INFORMATION", "spam"),
  status: () => fc.constantFrom("ACTIVE", "REVOKED", "EXPIRED", "DISABLED", "active"),
  link: () => fc.constantFrom(w.shareUrl, w.shareUrl.split("/").pop()!, `https://chat.example/share/${"A".repeat(43)}`, w.shareUrl.replace("https:", "http:"), `${w.shareUrl}/`),
  title: () => fc.string({ unit: "grapheme", minLength: 1, maxLength: 200 }),
  content: () => fc.string({ unit, minLength: 1, maxLength: 500 }),
  displayName: () => fc.string({ unit: "grapheme", minLength: 1, maxLength: 80 }),
  email: () => fc.oneof(fc.emailAddress(), fc.constant(w.user.email), fc.constant(w.user.email.toUpperCase())),
  password: () => fc.oneof(fc.string({ minLength: 10, maxLength: 40 }), fc.constant(PASSWORD)),
  idempotencyKey: () => fc.stringMatching(/^[A-Za-z0-9._:-]{1,100}$/),
  expiresAt: () =>
    fc.date({ min: new Date(Date.now() - 10 * 86_400_000), max: new Date(Date.now() + 800 * 86_400_000), noInvalidDate: true }).map((d) => d.toISOString()),
  first: () => fc.oneof(fc.integer({ min: -3, max: 110 }), fc.constantFrom(0, 1, 100, 101, 2 ** 31, -(2 ** 31) - 1, 1.5)),
  cursor: (c: () => string) => fc.constantFrom(c(), c().slice(1), "", Buffer.from("p:-1").toString("base64url"), Buffer.from("p:99999999999").toString("base64url")),
};

const SHARE_FIELDS = `share { id url title status attribution messageCount expiresAt viewCount conversation { id title } } warnings { kind messageIndex start end }`;

interface Operation {
  name: string;
  query: string;
  variables: () => fc.Arbitrary<unknown>;
  token?: () => string | undefined;
}

const mutations: Operation[] = [
  {
    name: "signUp",
    query: `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id email displayName role } } }`,
    variables: () => fc.record({ input: input({ email: g.email(), password: g.password(), displayName: g.displayName() }) }),
    token: () => undefined,
  },
  {
    name: "logIn",
    query: `mutation($input: LogInInput!) { logIn(input: $input) { token user { id } } }`,
    variables: () => fc.record({ input: input({ email: g.email(), password: g.password() }) }),
    token: () => undefined,
  },
  {
    name: "createConversation",
    query: `mutation($input: CreateConversationInput!) { createConversation(input: $input) { conversation { id title createdAt messages { id } } } }`,
    variables: () => fc.record({ input: input({ title: g.title() }) }),
  },
  {
    name: "appendMessage",
    query: `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id role content createdAt } conversation { id } } }`,
    variables: () => fc.record({ input: input({ conversationId: g.conversationId(), role: g.role(), content: g.content(), idempotencyKey: g.idempotencyKey() }) }),
  },
  {
    name: "deleteConversation",
    query: `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`,
    variables: () =>
      fc.record({ input: input({ conversationId: fc.constantFrom(w.doomedConversationId, w.otherConversationId, missingId(NodeType.Conversation), w.shareId) }) }),
  },
  {
    name: "deactivateAccount (with a wrong password)",
    query: `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`,
    variables: () =>
      fc
        .record({ input: input({ password: fc.string({ minLength: 10, maxLength: 40 }) }) })
        .filter(({ input: i }) => stringsIn(i).every((s) => s.normalize("NFKC") !== PASSWORD.normalize("NFKC"))),
    token: () => w.quitter.token,
  },
  {
    name: "shareConversation",
    query: `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { ${SHARE_FIELDS} } }`,
    variables: () =>
      fc.record({
        input: input({
          conversationId: g.conversationId(),
          attribution: g.attribution(),
          upToMessageId: g.messageId(),
          expiresAt: g.expiresAt(),
          idempotencyKey: g.idempotencyKey(),
        }),
      }),
  },
  {
    name: "setShareAttribution",
    query: `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id attribution } } }`,
    variables: () => fc.record({ input: input({ shareId: g.shareId(), attribution: g.attribution() }) }),
  },
  {
    name: "revokeShare",
    query: `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { id revokedAt status } } }`,
    variables: () => fc.record({ input: input({ shareId: g.shareId() }) }),
  },
  {
    name: "refreshShare",
    query: `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { ${SHARE_FIELDS} } }`,
    variables: () => fc.record({ input: input({ shareId: g.shareId(), upToMessageId: g.messageId() }) }),
  },
  {
    name: "revokeAllShares",
    query: `mutation($input: RevokeAllSharesInput) { revokeAllShares(input: $input) { revokedCount shares { id status } } }`,
    variables: () => fc.record({ input: fc.oneof(input({ conversationId: g.conversationId() }), fc.constant(undefined)) }),
  },
  {
    name: "importShare",
    query: `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id title importedFrom { title sharedAt } messages { role content } } } }`,
    variables: () => fc.record({ input: input({ link: g.link(), idempotencyKey: g.idempotencyKey() }) }),
  },
  {
    name: "reportShare",
    query: `mutation($input: ReportShareInput!) { reportShare(input: $input) { reportId } }`,
    variables: () => fc.record({ input: input({ link: g.link(), reason: g.reportReason(), details: fc.string({ maxLength: 2000 }) }) }),
    token: () => undefined,
  },
  {
    name: "moderateShare",
    query: `mutation($input: ModerateShareInput!) { moderateShare(input: $input) { shareId disabledAt disabledReason } }`,
    variables: () => fc.record({ input: input({ shareId: g.shareId(), reason: fc.string({ unit: "grapheme", minLength: 1, maxLength: 500 }) }) }),
    token: () => w.moderator.token,
  },
  {
    name: "updateProfile",
    query: `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id displayName } } }`,
    variables: () => fc.record({ input: input({ displayName: g.displayName() }) }),
  },
  {
    name: "logOutEverywhere (no arguments: stray variables instead)",
    query: `mutation { logOutEverywhere { userId } }`,
    variables: () => fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), wrongType),
    token: () => w.leaver.token,
  },
];

const queries: Operation[] = [
  {
    name: "conversation",
    query: `query($id: ID!) { conversation(id: $id) { id title messages { id content } shares { id url } } }`,
    variables: () => fc.record({ id: field(g.conversationId()) }),
  },
  {
    name: "conversations",
    query: `query($first: Int!, $after: String) { conversations(first: $first, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }`,
    variables: () => fc.record({ first: field(g.first()), after: field(g.cursor(() => w.conversationCursor)) }),
  },
  {
    name: "Conversation.messagesConnection",
    query: `query($id: ID!, $first: Int!, $after: String) { conversation(id: $id) { messagesConnection(first: $first, after: $after) { edges { cursor node { content } } pageInfo { hasNextPage } } } }`,
    variables: () => fc.record({ id: fc.constant(w.conversationId), first: field(g.first()), after: field(g.cursor(() => w.messageCursor)) }),
  },
  {
    name: "myShares",
    query: `query($first: Int!, $after: String, $search: String, $status: ShareStatus) { myShares(first: $first, after: $after, search: $search, status: $status) { edges { node { id title status viewCount } } pageInfo { hasNextPage endCursor } } }`,
    variables: () =>
      fc.record({ first: field(g.first()), after: field(g.cursor(() => w.conversationCursor)), search: field(fc.string({ maxLength: 20 })), status: field(g.status()) }),
  },
  {
    name: "sharePreview",
    query: `query($c: ID!, $m: ID, $a: ShareAttribution!) { sharePreview(conversationId: $c, upToMessageId: $m, attribution: $a) { conversation { title sharedBy messages { content } } warnings { kind start end } } }`,
    variables: () => fc.record({ c: field(g.conversationId()), m: field(g.messageId()), a: field(g.attribution()) }),
  },
  {
    name: "sharedConversation",
    query: `query($link: String!) { sharedConversation(link: $link) { title sharedBy sharedAt messages { role content } } }`,
    variables: () => fc.record({ link: field(g.link()) }),
    token: () => undefined,
  },
  {
    name: "node",
    query: `query($id: ID!) { node(id: $id) { id ... on Conversation { title } ... on Share { url } ... on Message { content } ... on User { email } } }`,
    variables: () => fc.record({ id: field(g.anyId()) }),
  },
  {
    name: "nodes",
    query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Conversation { title } } }`,
    variables: () => fc.record({ ids: fc.oneof(fc.array(field(g.anyId()), { maxLength: 110 }), field(g.anyId())) }),
  },
  {
    name: "shareReports",
    query: `query($first: Int!, $after: String) { shareReports(first: $first, after: $after) { edges { node { id reason details shareStatus } } } }`,
    variables: () => fc.record({ first: field(g.first()), after: field(g.cursor(() => w.conversationCursor)) }),
    token: () => w.moderator.token,
  },
];

describe("every mutation, whatever its input", () => {
  for (const op of mutations) {
    it(`${op.name}: any input gets valid JSON, a code from the closed set and no stack or SQL, and the server stays healthy`, () =>
      holds(op.name, op.variables(), (variables) => send(op.query, variables, op.token ? op.token() : w.user.token)));
  }
});

describe("every query with arguments, whatever they are", () => {
  for (const op of queries) {
    it(`${op.name}: any arguments get valid JSON, a code from the closed set and no stack or SQL, and the server stays healthy`, () =>
      holds(op.name, op.variables(), (variables) => send(op.query, variables, op.token ? op.token() : w.user.token)));
  }
});

describe("the request itself", () => {
  it("any JSON value as the body gets a clean answer, and the server stays healthy", () =>
    holds("body as JSON", fc.jsonValue({ maxDepth: 4 }), (value) => post(JSON.stringify(value) ?? "null", { authorization: `Bearer ${w.user.token}` })));

  it("any text as the body gets a clean answer, and the server stays healthy", () => holds("body as text", anyText, (text) => post(text)));

  it("any text as the query gets a clean answer, and the server stays healthy", () =>
    holds("query as text", fc.oneof(anyText, fc.string({ unit: "grapheme-ascii", maxLength: 300 })), (query) => send(query, {}, w.user.token)));

  it("any request shape (query, variables, operationName, extensions of any type) gets a clean answer, and the server stays healthy", () =>
    holds(
      "request shape",
      fc.record(
        {
          query: fc.oneof(fc.constant(`query Q($id: ID!) { conversation(id: $id) { title } } mutation M { createConversation(input: { title: "shaped" }) { conversation { id } } }`), wrongType, anyText),
          variables: fc.oneof(fc.record({ id: field(g.conversationId()) }), wrongType),
          operationName: fc.oneof(fc.constantFrom("Q", "M", "X", ""), wrongType),
          extensions: fc.oneof(fc.constant({ persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } }), wrongType),
        },
        { requiredKeys: [] },
      ),
      (body) => post(JSON.stringify(body), { authorization: `Bearer ${w.user.token}` }),
    ));

  it("any Authorization header gets a clean answer and no session, and the server stays healthy", () => {
    const jwtLike = fc
      .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: "grapheme-ascii", maxLength: 60 }))
      .map(([h, p, s]) => [h, p].map((part) => Buffer.from(JSON.stringify(part) ?? "null").toString("base64url")).join(".") + "." + s);
    const header = fc.oneof(
      fc.string({ unit: "grapheme-ascii", maxLength: 200 }).map((s) => `Bearer ${s}`),
      fc.string({ unit: "grapheme-ascii", maxLength: 200 }),
      jwtLike.map((t) => `Bearer ${t}`),
      fc.constantFrom("Bearer", "Bearer ", "bearer x.y.z", `Basic ${Buffer.from("a:b").toString("base64")}`),
    );
    return holds(
      "authorization header",
      header,
      async (authorization) => {
        const reply = await post(JSON.stringify({ query: `{ me { id } }` }), { authorization });
        expect(JSON.parse(reply.text)).toEqual({ data: { me: null } });
        return reply;
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The HTML doors: share pages and the report form, over a raw socket so that nothing a client library would
// refuse to send (odd bytes in the path and headers, malformed bodies) is left out.

interface RawRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body?: Buffer;
}

function raw({ method, path, headers, body }: RawRequest): Promise<Reply> {
  const { host, hostname, port } = new URL(server.url);
  const head = [`${method} ${path} HTTP/1.1`, `host: ${host}`, "connection: close", ...headers.map(([n, v]) => `${n}: ${v}`)];
  if (body) head.push(`content-length: ${body.length}`);
  const request = Buffer.concat([Buffer.from(head.join("\r\n") + "\r\n\r\n", "latin1"), body ?? Buffer.alloc(0)]);
  return new Promise((resolve, reject) => {
    // Written without a FIN: a client that half-closes may have its answer dropped, which is not what is tested here.
    const socket = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ""), () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // A server may answer an oversized body and close before reading it all (HTTP allows it; clients that send
      // large bodies unasked accept it): the reset may then reach us before the answer. That is a refusal, not a 5xx.
      if (error.code === "ECONNRESET" && (body?.length ?? 0) > REPORT_FORM_MAX_BYTES && chunks.length === 0) {
        resolve({ status: 413, text: "connection reset after an oversized body", sentBytes: request.length });
      } else if (error.code !== "ECONNRESET" || chunks.length === 0) reject(error);
    });
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text, sentBytes: request.length });
    });
  });
}

/** A clean HTML-door answer: a status below 500, and no stack or SQL outside the echo of what was typed. */
function expectCleanPage(reply: Reply): void {
  expect(reply.status).toBeGreaterThanOrEqual(200);
  expect(reply.status).toBeLessThan(500);
  expect(reply.text.replace(/<textarea[^>]*>[^]*?<\/textarea>/g, "")).not.toMatch(LEAK);
}

async function holdsForPages<T>(name: string, arbitrary: fc.Arbitrary<T>, exchange: (value: T) => RawRequest): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => expectCleanPage(await raw(exchange(value)))),
    { seed: seedOf(name), numRuns: RUNS },
  );
}

/** Text as it may reach a header or a request line: any byte but CR and LF (those would end the line). */
const lineText = fc.oneof(anyText.filter((s) => s.length < 4000), fc.string({ unit: "binary", maxLength: 100 })).map((s) => Buffer.from(s, "utf8").toString("latin1").replace(/[\r\n]/g, ""));
/** Every UTF-8 byte of the text as %XX, lone surrogates included (as U+FFFD), where encodeURIComponent would throw. */
const percentEncode = (text: string) => [...Buffer.from(text, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
const percentEncoded = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }).map(percentEncode),
  fc.constantFrom("%", "%0", "%00", "%ZZ", "%E0%A4%A", "%ED%A0%80", "%C0%AF", "%FF%FE", "%2e%2e%2f", "..%2f", "%2F"),
);
const pageHeaders = fc.array(
  fc.tuple(fc.constantFrom("x-request-id", "accept", "authorization", "content-type", "x-forwarded-for", "sec-fetch-site", "cookie", "accept-language"), lineText),
  { maxLength: 4 },
);
const tokenOf = (url: string) => url.split("/").pop()!;

describe("the HTML doors", () => {
  const prefix = () => new URL(server.config.shareBaseUrl).pathname;
  // A link of its own, which no GraphQL property above revokes, so the report form is reached every time.
  let live: string;
  beforeAll(async () => {
    const owner = await signUp(server, { displayName: "Page owner" });
    live = tokenOf((await shareConversation(server, owner.token, await createConversation(server, owner.token, "Reported", [{ role: "USER", content: "hi" }]))).url);
  });

  it("any path under the share prefix gets a clean page, and the server stays healthy", () =>
    holdsForPages(
      "share page path",
      fc.tuple(
        fc.oneof(lineText.map((s) => s.replace(/ /g, "")), percentEncoded, fc.constant(live)),
        fc.constantFrom("", "/report", "/report/", "/", "/x", "?a=%00", "#frag"),
        fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"),
        pageHeaders,
      ),
      ([segment, suffix, method, headers]) => ({ method, path: prefix() + segment + suffix, headers }),
    ));

  const formField = fc.oneof(anyText, percentEncoded);
  const formBody = fc.oneof(
    fc
      .record({ reason: field(g.reportReason()), details: field(formField), other: field(formField) }, { requiredKeys: [] })
      .map((fields) => new URLSearchParams(Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)])).toString()),
    fc.tuple(g.reportReason(), percentEncoded).map(([reason, details]) => `reason=${reason}&details=${details}`),
    fc.tuple(g.reportReason(), withOddCodeUnit).map(([reason, details]) => `reason=${reason}&details=${details}`),
    anyText,
  );
  const formType = fc.constantFrom(
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-16",
    "Application/X-WWW-Form-Urlencoded;charset=latin1",
    "multipart/form-data; boundary=x",
    "text/plain",
    "",
  );

  it("any report form post, of any body, type and headers, gets a clean page, and the server stays healthy", () =>
    holdsForPages(
      "report form post",
      fc.tuple(formBody, formType, fc.constantFrom(undefined, "same-origin", "cross-site"), pageHeaders),
      ([body, type, site, headers]) => ({
        method: "POST",
        path: `${prefix()}${live}/report`,
        headers: [...(type ? [["content-type", type] as [string, string]] : []), ...(site ? [["sec-fetch-site", site] as [string, string]] : []), ...headers],
        body: Buffer.from(body, "utf8"),
      }),
    ));

  it("any GraphQL GET query string and headers get a clean answer, and the server stays healthy", () =>
    holdsForPages(
      "graphql get",
      fc.tuple(fc.oneof(lineText.map((t) => t.replace(/ /g, "")), percentEncoded, anyText.filter((t) => t.length < 2000).map((t) => `query=${percentEncode(t)}`)), pageHeaders),
      ([search, headers]) => ({ method: "GET", path: `/graphql?${search}`, headers: [["apollo-require-preflight", "true"], ...headers] }),
    ));

  it("a report whose details hold a NUL character is refused on the form, like GraphQL refuses it", async () => {
    const reply = await raw({
      method: "POST",
      path: `${prefix()}${live}/report`,
      headers: [["content-type", "application/x-www-form-urlencoded"]],
      body: Buffer.from("reason=SPAM&details=a%00b"),
    });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain("NUL");
  });
});
