// Security: Oversized bodies, odd encodings and extreme strings. Every attack is refused with a code from the closed set, leaks nothing and changes no data.
import { createHash } from "node:crypto";
import { codes, gql, PASSWORD } from "./helpers/client";
import { attackedServer, server, w, attacks, request, postJson, refusedWith, expectNoData } from "./helpers/attacks";

jest.setTimeout(60_000);
attackedServer("bodies-and-strings");

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
