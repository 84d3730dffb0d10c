// The limits, rate limits, production settings, sessions, headers and logs that keep the server trustworthy.
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, createConversation, gql, importShare, ok, ownerWithShare, PASSWORD, shareConversation, signUp, uniqueEmail, view, VIEW } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("request limits, checked before any resolver runs", () => {
  /** A query exactly `levels` deep (an even number from 4): conversations > edges > node > (shares > conversation)* > id. */
  function deepQuery(levels: number): string {
    let inner = "id";
    for (let depth = 4; depth < levels; depth += 2) inner = `shares { conversation { ${inner} } }`;
    return `{ conversations(first: 1) { edges { node { ${inner} } } } }`;
  }

  it("refuses a query deeper than MAX_QUERY_DEPTH, naming the limit", async () => {
    const me = await signUp(server);
    expect(ok(await gql(server, deepQuery(12), {}, me.token)).conversations).toBeDefined();
    const res = await gql(server, deepQuery(14), {}, me.token);
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(/limit is 12 \(MAX_QUERY_DEPTH\)/);
  });

  it("counts depth through fragments too", async () => {
    const me = await signUp(server);
    const res = await gql(server, `fragment F on Share { conversation { shares { conversation { shares { conversation { shares { ...G } } } } } } }
      fragment G on Share { conversation { shares { id } } }
      { conversations { edges { node { shares { ...F } } } } }`, {}, me.token);
    expect(res.errors![0].message).toMatch(/13 levels deep; the limit is 12 \(MAX_QUERY_DEPTH\)/);
  });

  it("refuses too many aliases, and runs nothing of the operation", async () => {
    const me = await signUp(server);
    const aliases = Array.from({ length: 31 }, (_, i) => `c${i}: createConversation(input: { title: "t" }) { conversation { id } }`).join(" ");
    const res = await gql(server, `mutation { ${aliases} }`, {}, me.token);
    expect(res.errors![0].message).toMatch(/31 aliases; the limit is 30 \(MAX_QUERY_ALIASES\)/);
    expect(ok(await gql(server, `{ conversations { edges { cursor } } }`, {}, me.token)).conversations.edges).toEqual([]);
  });

  it("refuses too many directives", async () => {
    const fields = Array.from({ length: 21 }, (_, i) => `t${i}: __typename @include(if: true)`).join(" ");
    const res = await gql(server, `{ ${fields} }`);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(/21 directives; the limit is 20 \(MAX_QUERY_DIRECTIVES\)/);
  });

  it("refuses a query whose estimated cost (page sizes multiplied) is over MAX_QUERY_COST, with the variables counted", async () => {
    const me = await signUp(server);
    const query = `query($n: Int) { conversations(first: $n) { edges { node { messagesConnection(first: 100) { edges { node { id content role createdAt } } } } } } }`;
    expect(codes(await gql(server, query, { n: 5 }, me.token))).toEqual([]);
    const res = await gql(server, query, { n: 100 }, me.token);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(/limit is 10000 \(MAX_QUERY_COST\)/);
  });

  it("refuses a document with more tokens than MAX_QUERY_TOKENS", async () => {
    const res = await gql(server, `{ ${"__typename ".repeat(2100)} }`);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(/2000 tokens/);
  });

  it("refuses batched operations", async () => {
    const res = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ query: "{ me { id } }" }, { query: "{ me { id } }" }]) });
    expect(res.status).toBe(400);
  });

  it("limits are configurable", async () => {
    const strict = await startTestServer({ MAX_QUERY_DEPTH: "3" });
    try {
      expect((await gql(strict, `{ conversations { edges { node { id } } } }`)).errors![0].message).toMatch(/limit is 3 \(MAX_QUERY_DEPTH\)/);
    } finally {
      await strict.close();
    }
  });
});

describe("in production", () => {
  it("introspection and field suggestions are off unless INTROSPECTION=true", async () => {
    const prod = await startTestServer({ NODE_ENV: "production" });
    const open = await startTestServer({ NODE_ENV: "production", INTROSPECTION: "true" });
    try {
      expect(codes(await gql(prod, `{ __schema { types { name } } }`))).toEqual(["BAD_USER_INPUT"]);
      const typo = await gql(prod, `{ mee { id } }`);
      expect(codes(typo)).toEqual(["BAD_USER_INPUT"]);
      expect(typo.text).not.toMatch(/Did you mean/);
      expect(ok(await gql(open, `{ __schema { queryType { name } } }`)).__schema.queryType.name).toBe("Query");
      expect((await gql(open, `{ mee { id } }`)).errors![0].message).toMatch(/Did you mean "me"/);
    } finally {
      await prod.close();
      await open.close();
    }
  });
});

describe("rate limits", () => {
  it("logins per account: the wall holds whether or not the password is right, with a retry hint", async () => {
    const limited = await startTestServer({ LOGINS_PER_ACCOUNT_PER_HOUR: "3" });
    try {
      const account = await signUp(limited);
      const LOGIN = `mutation($input: LogInInput!) { logIn(input: $input) { token } }`;
      for (let i = 0; i < 3; i++) expect(codes(await gql(limited, LOGIN, { input: { email: account.email, password: "wrong guess " + i } }))).toEqual(["UNAUTHENTICATED"]);
      const blocked = await gql(limited, LOGIN, { input: { email: account.email.toUpperCase(), password: PASSWORD } });
      expect(codes(blocked)).toEqual(["RATE_LIMITED"]);
      expect(blocked.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
      // An unknown account has its own allowance, and gets the ordinary answer.
      expect(codes(await gql(limited, LOGIN, { input: { email: uniqueEmail("other"), password: PASSWORD } }))).toEqual(["UNAUTHENTICATED"]);
    } finally {
      await limited.close();
    }
  });

  it("logins and sign-ups per address", async () => {
    const limited = await startTestServer({ LOGINS_PER_IP_PER_HOUR: "2", SIGNUPS_PER_IP_PER_HOUR: "2" });
    try {
      const a = await signUp(limited);
      await signUp(limited);
      expect(codes(await gql(limited, `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, { input: { email: uniqueEmail(), password: PASSWORD, displayName: "Third" } }))).toEqual(["RATE_LIMITED"]);
      const LOGIN = `mutation($input: LogInInput!) { logIn(input: $input) { token } }`;
      ok(await gql(limited, LOGIN, { input: { email: a.email, password: PASSWORD } }));
      ok(await gql(limited, LOGIN, { input: { email: a.email, password: PASSWORD } }));
      expect(codes(await gql(limited, LOGIN, { input: { email: a.email, password: PASSWORD } }))).toEqual(["RATE_LIMITED"]);
    } finally {
      await limited.close();
    }
  });

  it("new links and imports per user, views per address", async () => {
    const limited = await startTestServer({ SHARES_PER_USER_PER_HOUR: "2", IMPORTS_PER_USER_PER_HOUR: "1", VIEWS_PER_IP_PER_MINUTE: "3" });
    try {
      const { owner, conversationId, share } = await ownerWithShare(limited);
      await shareConversation(limited, owner.token, conversationId);
      const third = await gql(limited, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id } } }`, { input: { conversationId } }, owner.token);
      expect(codes(third)).toEqual(["RATE_LIMITED"]);
      const viewer = await signUp(limited);
      ok(await importShare(limited, viewer.token, share.url));
      expect(codes(await importShare(limited, viewer.token, share.url))).toEqual(["RATE_LIMITED"]);
      for (let i = 0; i < 3; i++) expect(await view(limited, share.url)).not.toBeNull();
      expect(codes(await gql(limited, VIEW, { link: share.url }))).toEqual(["RATE_LIMITED"]);
    } finally {
      await limited.close();
    }
  });
});

describe("sessions", () => {
  it("logOutEverywhere ends every session token, the current one included; logging in again works", async () => {
    const me = await signUp(server);
    const other = ok(await gql(server, `mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: me.email, password: PASSWORD } })).logIn.token;
    const res = ok(await gql(server, `mutation { logOutEverywhere { userId } }`, {}, me.token));
    expect(res.logOutEverywhere.userId).toBe(me.id);
    for (const token of [me.token, other]) {
      expect(ok(await gql(server, `{ me { id } }`, {}, token)).me).toBeNull();
      expect(codes(await gql(server, `{ conversations { edges { cursor } } }`, {}, token))).toEqual(["UNAUTHENTICATED"]);
    }
    const fresh = ok(await gql(server, `mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: me.email, password: PASSWORD } })).logIn.token;
    expect(ok(await gql(server, `{ me { id } }`, {}, fresh)).me.id).toBe(me.id);
  });
});

describe("headers and logs", () => {
  it("every response says no-referrer and noindex, and carries a request id", async () => {
    const { share } = await ownerWithShare(server);
    for (const res of [
      await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: VIEW, variables: { link: share.url } }) }),
      await fetch(`${server.url}/healthz`),
    ]) {
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-robots-tag")).toBe("noindex");
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    const echoed = await fetch(`${server.url}/healthz`, { headers: { "x-request-id": "client-trace-42" } });
    expect(echoed.headers.get("x-request-id")).toBe("client-trace-42");
    const bogus = await fetch(`${server.url}/healthz`, { headers: { "x-request-id": "x".repeat(65) } });
    expect(bogus.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs one JSON line per request with its id, and never a password, session token or link token", async () => {
    const before = server.logs.length;
    const me = await signUp(server, { password: "a password nobody should log" });
    const id = await createConversation(server, me.token, "Logged");
    const share = await shareConversation(server, me.token, id);
    const token = share.url.split("/").pop()!;
    await view(server, share.url);
    await fetch(`${server.url}/share/${token}`);
    const lines = server.logs.slice(before);
    const text = JSON.stringify(lines);
    for (const secret of ["a password nobody should log", me.token, token]) expect(text).not.toContain(secret);
    const requests = lines.filter((l) => l.msg === "request");
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const line of requests) expect(line).toEqual(expect.objectContaining({ requestId: expect.any(String), method: expect.any(String), status: expect.any(Number), level: "info" }));
    expect(requests.some((l) => /^\/share\/<token [0-9a-f]{8}>$/.test(String(l.path)))).toBe(true);
  });
});
