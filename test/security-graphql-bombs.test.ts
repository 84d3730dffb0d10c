// Security: Deep, wide, costly and cyclic queries, and what production hides about the schema. Every attack is refused with a code from the closed set, leaks nothing and changes no data.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, gql, MODERN_ACCEPT, ok, signUp, type GraphQLErrorBody } from "./helpers/client";
import { attackedServer, server, w, tally, attacks, refusedWith, type Answer } from "./helpers/attacks";

jest.setTimeout(60_000);
attackedServer("graphql-bombs");

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
        // Waited for: a child still running when the file ends keeps this Jest worker from exiting.
        const exited = child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : undefined;
        child.kill("SIGKILL");
        await exited;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    90_000,
  );
});
