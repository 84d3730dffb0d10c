// Relation fields go through per-request DataLoaders: a page costs the same number of statements whatever its size.
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
    const sidebar = await client.query<any>({ query: SIDEBAR, variables: { first: 2 } });
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
