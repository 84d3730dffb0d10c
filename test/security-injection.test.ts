// Security: SQL-injection-shaped strings in every string argument. Every attack is refused with a code from the closed set, leaks nothing and changes no data.
import { codes, createConversation, gql, PASSWORD, shareConversation, signUp, uniqueEmail, type Account } from "./helpers/client";
import { attackedServer, server, w, attempt, fingerprint, expectNoData, type Answer, type Diff } from "./helpers/attacks";

jest.setTimeout(60_000);
attackedServer("injection");

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
  let reportsCounted = 0;
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
      // The link's REPORTED count for the day: a row the first time, the same row counted up after.
      writes: () => ({ share_reports: { added: 1 }, share_events: reportsCounted++ === 0 ? { added: 1 } : { changed: 1 } }),
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
      writes: () => ({ shares: { changed: 1 }, share_events: { added: 1 } }),
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
