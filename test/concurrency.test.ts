// Parallel requests: SQLite serves them over one connection, so writes are queued and none may fail or interleave.
import { startTestServer, TEST_DIALECT, type TestServer } from "./helpers/server";
import { codes, createConversation, dbId, gql, importShare, ok, ownerWithShare, PASSWORD, revoke, signUp, uniqueEmail, view } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

// A database-side failure after a write, in each dialect's own trigger language.
const POISON_TRIGGER = {
  sqlite: {
    create: [`CREATE TRIGGER reject_poison BEFORE INSERT ON messages WHEN NEW.content = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END`],
    drop: [`DROP TRIGGER reject_poison`],
  },
  postgres: {
    create: [
      `CREATE FUNCTION reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.content = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$`,
      `CREATE TRIGGER reject_poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION reject_poison()`,
    ],
    drop: [`DROP TRIGGER reject_poison ON messages`, `DROP FUNCTION reject_poison()`],
  },
};

const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id content } } }`;

describe("parallel writes", () => {
  it("40 simultaneous appends all land, each once, in a strict order", async () => {
    const me = await signUp(server);
    const id = await createConversation(server, me.token, "Busy");
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => gql(server, APPEND, { input: { conversationId: id, role: "USER", content: `m${i}` } }, me.token)),
    );
    expect(results.flatMap(codes)).toEqual([]);
    const messages = ok(await gql(server, `query($id: ID!) { conversation(id: $id) { messages { content } } }`, { id }, me.token)).conversation.messages;
    expect(messages.map((m: { content: string }) => m.content).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`).sort());
    const positions = await server.sql(`SELECT position FROM messages WHERE conversation_id = ? ORDER BY position`, [dbId(id)]);
    expect(positions.map((r: { position: number }) => r.position)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  // Without the write queue, TypeORM nests a concurrent transaction inside the open one as a SAVEPOINT: when the
  // outer one fails, the inner one's acknowledged write is rolled back with it.
  it("a failing write never takes a concurrent acknowledged write down with it", async () => {
    const me = await signUp(server);
    const id = await createConversation(server, me.token, "Some fail");
    for (const statement of POISON_TRIGGER[TEST_DIALECT].create) await server.sql(statement);
    try {
      const contents = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? "poison" : `ok${i}`));
      const results = await Promise.all(contents.map((content) => gql(server, APPEND, { input: { conversationId: id, role: "USER", content } }, me.token)));
      const acknowledged = results.filter((r) => r.data?.appendMessage).map((r) => r.data.appendMessage.message.content);
      expect(results.filter((r) => r.errors).flatMap(codes)).toEqual(Array(10).fill("INTERNAL_SERVER_ERROR"));
      const stored = ok(await gql(server, `query($id: ID!) { conversation(id: $id) { messages { content } } }`, { id }, me.token)).conversation.messages;
      expect(stored.map((m: { content: string }) => m.content).sort()).toEqual(acknowledged.sort());
      expect(acknowledged).toHaveLength(30);
    } finally {
      for (const statement of POISON_TRIGGER[TEST_DIALECT].drop) await server.sql(statement);
    }
  });

  it("shares, imports, creations and appends running together never fail", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const viewer = await signUp(server);
    const work = [];
    for (let i = 0; i < 15; i++) {
      work.push(gql(server, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { url } } }`, { input: { conversationId } }, owner.token));
      work.push(importShare(server, viewer.token, share.url));
      work.push(gql(server, `mutation { createConversation(input: { title: "c${i}" }) { conversation { id } } }`, {}, viewer.token));
      work.push(gql(server, APPEND, { input: { conversationId, role: "ASSISTANT", content: `a${i}` } }, owner.token));
    }
    const results = await Promise.all(work);
    expect(results.flatMap(codes)).toEqual([]);
    const imported = results.filter((r) => r.data?.importShare).map((r) => r.data.importShare.conversation);
    expect(imported).toHaveLength(15);
    for (const copy of imported) expect(copy.messages).toHaveLength(2);
  });

  it("parallel sign-ups with one email: exactly one succeeds, the others are told the email is taken", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => gql(server, `mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }`, { input: { email: i % 2 ? email.toUpperCase() : email, password: PASSWORD, displayName: `Racer ${i}` } })),
    );
    expect(results.filter((r) => r.data?.signUp)).toHaveLength(1);
    expect(results.flatMap(codes).sort()).toEqual(Array(7).fill("BAD_USER_INPUT"));
  });

  it("a revoke racing imports: each import is either a complete copy or refused", async () => {
    const { owner, share } = await ownerWithShare(server);
    const viewer = await signUp(server);
    const imports = Array.from({ length: 10 }, () => importShare(server, viewer.token, share.url));
    const revoked = revoke(server, owner.token, share.id);
    const more = Array.from({ length: 10 }, () => importShare(server, viewer.token, share.url));
    const results = await Promise.all([...imports, ...more]);
    ok(await revoked);
    for (const r of results) {
      if (r.errors) expect(codes(r)).toEqual(["NOT_FOUND"]);
      else expect(r.data.importShare.conversation.messages).toHaveLength(2);
    }
    expect(await view(server, share.url)).toBeNull();
    const copies = ok(await gql(server, `{ conversations(first: 100) { edges { node { messages { id } } } } }`, {}, viewer.token)).conversations.edges;
    expect(copies).toHaveLength(results.filter((r) => !r.errors).length);
    for (const c of copies) expect(c.node.messages).toHaveLength(2);
  });
});
