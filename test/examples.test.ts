// examples/operations is the client flow we document: it must validate against schema.graphql and work end to end.
import fs from "node:fs";
import path from "node:path";
import { buildSchema, parse, validate, Kind, type OperationDefinitionNode } from "graphql";
import { startTestServer, type TestServer } from "./helpers/server";
import type { GraphQLResult } from "./helpers/client";
import { setUserRole } from "../src/user/user-admin";
import { UserRole } from "../src/user/user.entity";

const DIR = path.join(__dirname, "..", "examples", "operations");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".graphql")).sort();
const schema = buildSchema(fs.readFileSync(path.join(__dirname, "..", "schema.graphql"), "utf8"));
const document = files.map((f) => fs.readFileSync(path.join(DIR, f), "utf8")).join("\n");

describe("the example operations", () => {
  it.each(files)("%s is valid against schema.graphql", (file) => {
    const own = parse(fs.readFileSync(path.join(DIR, file), "utf8"));
    // Fragments may live in other files, so each file is validated within the whole set.
    expect(validate(schema, parse(document)).map((e) => e.message)).toEqual([]);
    expect(own.definitions.length).toBeGreaterThan(0);
  });

  it("use every root field of the schema, so each is documented by an example", () => {
    const used = new Set<string>();
    for (const definition of parse(document).definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      for (const selection of definition.selectionSet.selections) if (selection.kind === Kind.FIELD) used.add(`${definition.operation} ${selection.name.value}`);
    }
    const roots = [
      ...Object.keys(schema.getQueryType()!.getFields()).map((name) => `query ${name}`),
      ...Object.keys(schema.getMutationType()!.getFields()).map((name) => `mutation ${name}`),
    ];
    expect(roots.filter((root) => !used.has(root))).toEqual([]);
  });

  it("have unique operation names", () => {
    const names = parse(document)
      .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      .map((d) => d.name?.value);
    expect(names.every(Boolean)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("the documented client flow, with exactly those operations", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  async function op(operationName: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResult> {
    const res = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: document, operationName, variables }),
    });
    const text = await res.text();
    return { status: res.status, text, ...JSON.parse(text) };
  }
  async function data(operationName: string, variables: Record<string, unknown> = {}, token?: string) {
    const res = await op(operationName, variables, token);
    if (res.errors) throw new Error(`${operationName}: ${res.text}`);
    return res.data;
  }

  it("signs up, chats, previews, shares, views, attributes, imports, manages, reports, moderates, revokes, exports, deletes, leaves and logs out everywhere", async () => {
    const owner = (await data("SignUp", { input: { email: `flow-${Date.now()}@example.com`, password: "a long password", displayName: "Flo" } })).signUp;
    const t = owner.token;
    const conversation = (await data("CreateConversation", { input: { title: "Flow" } }, t)).createConversation.conversation;
    await data("AppendMessage", { input: { conversationId: conversation.id, role: "USER", content: "Hello" } }, t);
    await data("AppendMessage", { input: { conversationId: conversation.id, role: "ASSISTANT", content: "Hi! Mail me at flo@example.com" } }, t);

    const preview = (await data("SharePreview", { conversationId: conversation.id }, t)).sharePreview;
    expect(preview.warnings).toEqual([expect.objectContaining({ kind: "EMAIL", messageIndex: 1 })]);
    const hidden = (await data("SharePreview", { conversationId: conversation.id, redactions: { kinds: ["EMAIL"] } }, t)).sharePreview;
    expect(hidden.conversation.messages[1]).toMatchObject({ content: "Hi! Mail me at [email address removed]", redactions: [{ start: 15, end: 38, kind: "EMAIL" }] });
    expect(hidden.warnings).toEqual([{ ...preview.warnings[0], redacted: true }]);
    const { share, warnings } = (await data("ShareConversation", { input: { conversationId: conversation.id } }, t)).shareConversation;
    expect(warnings).toEqual(preview.warnings);

    const seen = (await data("SharedConversation", { link: share.url })).sharedConversation;
    expect(seen).toMatchObject({ title: "Flow", sharedBy: null, messages: preview.conversation.messages });
    await data("SetShareAttribution", { input: { shareId: share.id, attribution: "NAMED" } }, t);
    expect((await data("SharedConversation", { link: share.url })).sharedConversation.sharedBy).toBe("Flo");
    await data("SetShareAudience", { input: { shareId: share.id, audience: "SIGNED_IN" } }, t);
    expect((await data("SharedConversation", { link: share.url })).sharedConversation).toBeNull();
    expect((await data("SharedConversation", { link: share.url }, t)).sharedConversation.title).toBe("Flow");
    await data("SetShareAudience", { input: { shareId: share.id, audience: "PUBLIC" } }, t);

    const viewer = (await data("SignUp", { input: { email: `flow-viewer-${Date.now()}@example.com`, password: "another long one", displayName: "Vic" } })).signUp;
    const copy = (await data("ImportShare", { input: { link: share.url } }, viewer.token)).importShare.conversation;
    expect(copy.importedFrom.title).toBe("Flow");
    await data("AppendMessage", { input: { conversationId: copy.id, role: "USER", content: "Continuing" } }, viewer.token);
    const page = (await data("Conversation", { id: copy.id, first: 2 }, viewer.token)).conversation.messagesConnection;
    expect(page.edges).toHaveLength(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = (await data("Conversation", { id: copy.id, first: 2, after: page.pageInfo.endCursor }, viewer.token)).conversation.messagesConnection;
    expect(rest.edges.map((e: any) => e.node.content)).toEqual(["Continuing"]);

    const mine = (await data("MyShares", { status: "ACTIVE" }, t)).myShares.edges;
    expect(mine.map((e: any) => e.node.id)).toEqual([share.id]);
    expect((await data("Node", { id: share.id }, t)).node).toMatchObject({ id: share.id, __typename: "Share", status: "ACTIVE" });
    const nodes = (await data("Nodes", { ids: [share.id, copy.id, conversation.id] }, t)).nodes;
    expect(nodes).toEqual([{ id: share.id, __typename: "Share", status: "ACTIVE" }, null, { id: conversation.id, __typename: "Conversation" }]);

    const refreshed = (await data("RefreshShare", { input: { shareId: share.id } }, t)).refreshShare.share;
    expect(refreshed.url).toBe(share.url);
    await data("ReportShare", { input: { link: share.url, reason: "OTHER", details: "just testing the flow" } });
    expect((await data("RevokeShare", { input: { shareId: share.id } }, t)).revokeShare.share.status).toBe("REVOKED");
    expect((await data("SharedConversation", { link: share.url })).sharedConversation).toBeNull();
    expect((await data("RevokeAllShares", {}, t)).revokeAllShares.revokedCount).toBe(0);
    const spam = (await data("ShareConversation", { input: { conversationId: conversation.id } }, t)).shareConversation.share;
    await data("ReportShare", { input: { link: spam.url, reason: "SPAM" } });
    const moderator = (await data("SignUp", { input: { email: `flow-moderator-${Date.now()}@example.com`, password: "a moderator's password", displayName: "Mo" } })).signUp;
    await setUserRole(server.dataSource, moderator.user.email, UserRole.ADMIN);
    const reports = (await data("ShareReports", { first: 10 }, moderator.token)).shareReports.edges.map((e: any) => e.node);
    expect(reports.map((r: any) => [r.shareId, r.reason])).toEqual([[spam.id, "SPAM"], [share.id, "OTHER"]]);
    const moderated = (await data("ModerateShare", { input: { shareId: spam.id, reason: "Spam" } }, moderator.token)).moderateShare;
    expect(moderated).toMatchObject({ shareId: spam.id, disabledReason: "Spam" });
    expect((await data("SharedConversation", { link: spam.url })).sharedConversation).toBeNull();
    expect((await data("ReenableShare", { input: { shareId: spam.id, reason: "Reviewed again: not spam" } }, moderator.token)).reenableShare.status).toBe("ACTIVE");
    const history = (await data("ShareReports", { first: 10 }, moderator.token)).shareReports.edges[0].node.moderationActivity.edges.map((e: any) => e.node.kind);
    expect(history).toEqual(["REENABLED", "DISABLED", "REPORTED"]);
    const activity = (await data("ShareActivity", { id: spam.id, days: 7 }, t)).node;
    expect(activity.activity.edges.map((e: any) => e.node.kind)).toEqual(["REENABLED", "DISABLED", "REPORTED", "CREATED"]);
    expect(activity.viewsByDay).toHaveLength(7);
    expect((await data("Conversations", {}, t)).conversations.edges[0].node.sharing).toMatchObject({ activeLinkCount: 1, lastSharedAt: expect.any(String) });

    expect((await data("ExportMyData", {}, t)).exportMyData.data.conversations).toHaveLength(1);
    await data("DeleteConversation", { input: { conversationId: conversation.id } }, t);
    await data("DeactivateAccount", { input: { password: "a long password" } }, t);
    expect((await op("LogIn", { input: { email: owner.user.email, password: "a long password" } })).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect((await data("Me", {}, viewer.token)).me.displayName).toBe("Vic");
    expect((await data("LogOutEverywhere", {}, viewer.token)).logOutEverywhere.userId).toBe(viewer.user.id);
    expect((await op("Me", {}, viewer.token)).data?.me ?? null).toBeNull();
  });
});
