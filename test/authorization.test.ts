// Field-level authorization: what each kind of viewer gets from every guarded type.
import { GraphQLObjectType, type FieldNode, type GraphQLFieldResolver, type GraphQLResolveInfo } from "graphql";
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, gql, ok, ownerWithShare, revoke, signUp, VIEW } from "./helpers/client";
import { AuthorizationError } from "type-graphql";
import { User, UserRole } from "../src/user/user.entity";
import { ReportReason, ShareReport } from "../src/moderation/report.entity";
import { Conversation } from "../src/conversation/conversation.entity";
import { Message, MessageRole } from "../src/conversation/message.entity";
import { Share, ShareAttribution } from "../src/share/share.entity";
import { UnauthenticatedError } from "../src/common/errors";
import { createLoaders, type Context } from "../src/context";
import { createLogger } from "../src/common/logger";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("a share, as each viewer sees it", () => {
  const SHARE_FIELDS = `id url attribution createdAt revokedAt conversation { id title }`;

  it("its owner reads every field, before and after revoking", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const mine = async () => ok(await gql(server, `{ myShares { edges { node { ${SHARE_FIELDS} } } } }`, {}, owner.token)).myShares.edges[0].node;
    expect(await mine()).toEqual({ id: share.id, url: share.url, attribution: "ANONYMOUS", createdAt: expect.any(String), revokedAt: null, conversation: { id: conversationId, title: "Trip to Lisbon" } });
    await revoke(server, owner.token, share.id).then(ok);
    expect((await mine()).revokedAt).toEqual(expect.any(String));
  });

  it("another user reaches none of it: not by id, not through a list", async () => {
    const { share } = await ownerWithShare(server);
    const other = await signUp(server);
    expect(ok(await gql(server, `{ myShares { edges { node { id } } } }`, {}, other.token)).myShares.edges).toEqual([]);
    const res = await gql(server, `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { ${SHARE_FIELDS} } } }`, { input: { shareId: share.id } }, other.token);
    expect(codes(res)).toEqual(["NOT_FOUND"]);
    expect(res.text).not.toContain(share.url);
  });

  it("an anonymous viewer with the link sees only the snapshot", async () => {
    const { share } = await ownerWithShare(server);
    const res = await gql(server, VIEW, { link: share.url });
    expect(Object.keys(res.data!.sharedConversation).sort()).toEqual(["messages", "sharedAt", "sharedBy", "title"]);
    expect(codes(await gql(server, `{ myShares { edges { node { id } } } }`))).toEqual(["UNAUTHENTICATED"]);
  });

  it("after revoking, the anonymous viewer gets null", async () => {
    const { owner, share } = await ownerWithShare(server);
    await revoke(server, owner.token, share.id).then(ok);
    expect(ok(await gql(server, VIEW, { link: share.url })).sharedConversation).toBeNull();
  });
});

describe("a user's email", () => {
  it("is readable by the user themself through me and AuthPayload", async () => {
    const me = await signUp(server);
    expect(ok(await gql(server, `{ me { email } }`, {}, me.token)).me.email).toBe(me.email);
  });
});

// The rules are declared on the types, so they hold on any path that may reach an object later, not only today's.
describe("every field of User, Conversation, Message and Share is guarded", () => {
  const owner = Object.assign(new User(), { id: "01900000-0000-7000-8000-00000000000a", displayName: "Owner", email: "o@example.com", tokenVersion: 0 });
  const other = Object.assign(new User(), { id: "01900000-0000-7000-8000-00000000000b", displayName: "Other", email: "x@example.com", tokenVersion: 0 });
  const conversation = Object.assign(new Conversation(), { id: "01900000-0000-7000-8000-0000000000c0", ownerId: owner.id, title: "t", createdAt: new Date() });
  const message = Object.assign(new Message(), { id: "01900000-0000-7000-8000-0000000000d0", conversationId: conversation.id, ownerId: owner.id, position: 0, role: MessageRole.USER, content: "c", createdAt: new Date() });
  const share = Object.assign(new Share(), { id: "01900000-0000-7000-8000-0000000000e0", ownerId: owner.id, conversationId: conversation.id, attribution: ShareAttribution.NAMED, createdAt: new Date(), revokedAt: null, tokenHash: "h", tokenSealed: "s" });
  const roots: [string, object][] = [["User", owner], ["Conversation", conversation], ["Message", message], ["Share", share]];

  function context(viewer: User | null): Context {
    return { viewer, clientIp: "127.0.0.1", loaders: createLoaders(server.dataSource, server.app.services), services: server.app.services, log: createLogger("silent") };
  }
  async function resolveField(typeName: string, field: string, root: object, viewer: User | null) {
    const type = server.app.schema.getType(typeName) as GraphQLObjectType;
    const resolve = type.getFields()[field].resolve as GraphQLFieldResolver<unknown, Context>;
    return resolve(root, {}, context(viewer), { fieldName: field, parentType: type, fieldNodes: [] as readonly FieldNode[] } as GraphQLResolveInfo);
  }
  it.each(roots)("%s: the owner may read every field", async (typeName, root) => {
    for (const field of Object.keys((server.app.schema.getType(typeName) as GraphQLObjectType).getFields())) {
      if (field === "url") continue; // needs a real sealed token; covered over HTTP above
      await resolveField(typeName, field, root, owner); // throws if refused
    }
  });

  it.each(roots)("%s: another user gets FORBIDDEN on every field", async (typeName, root) => {
    for (const field of Object.keys((server.app.schema.getType(typeName) as GraphQLObjectType).getFields())) {
      await expect(resolveField(typeName, field, root, other)).rejects.toBeInstanceOf(AuthorizationError);
    }
  });

  it("ShareReport: every field is FORBIDDEN to users, even the reported link's owner, and open to moderators", async () => {
    const report = Object.assign(new ShareReport(), { id: "01900000-0000-7000-8000-0000000000f0", shareId: share.id, reporterId: null, reason: ReportReason.SPAM, details: null, createdAt: new Date() });
    const moderator = Object.assign(new User(), { ...other, role: UserRole.ADMIN });
    const fields = Object.keys((server.app.schema.getType("ShareReport") as GraphQLObjectType).getFields());
    expect(fields.length).toBeGreaterThan(5);
    for (const field of fields) {
      await expect(resolveField("ShareReport", field, report, Object.assign(new User(), { ...owner, role: UserRole.USER }))).rejects.toBeInstanceOf(AuthorizationError);
      await expect(resolveField("ShareReport", field, report, null)).rejects.toBeInstanceOf(UnauthenticatedError);
      await resolveField("ShareReport", field, report, moderator);
    }
  });

  it.each(roots)("%s: an anonymous viewer gets UNAUTHENTICATED on every field", async (typeName, root) => {
    for (const field of Object.keys((server.app.schema.getType(typeName) as GraphQLObjectType).getFields())) {
      const attempt = resolveField(typeName, field, root, null);
      await expect(attempt).rejects.toBeInstanceOf(UnauthenticatedError);
    }
  });
});
