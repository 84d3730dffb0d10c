// Security: IDOR and id enumeration: every owner-only operation and every type of id, tried by an intruder. Every attack is refused with a code from the closed set, leaks nothing and changes no data.
import { NodeType, toGlobalId } from "../src/common/global-id";
import { newId } from "../src/common/ids";
import { codes, dbId, gql, missingId } from "./helpers/client";
import { attackedServer, server, w, attacks, refusedWith, expectNoData, expectNoSecrets, type Answer, type Attack } from "./helpers/attacks";

jest.setTimeout(60_000);
attackedServer("idor");

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
      // The owner's link counts one import that day (share_events), never who imported it.
      writes: { conversations: { added: 1 }, messages: { added: 2 }, share_events: { added: 1 } },
    },
  ]);
});
