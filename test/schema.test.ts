// The schema as an artifact: committed SDL matches the code, the fixed contract holds, everything is described,
// and the migrations build exactly the tables the entities describe.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, isIntrospectionType, isSpecifiedScalarType, type GraphQLSchema } from "graphql";
import { buildAppSchema, printAppSchema } from "../src/schema";
import { createDataSource } from "../src/db/data-source";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildAppSchema();
});

it("schema.graphql is what the code emits (run `npm run schema:emit` after changing the API)", () => {
  const committed = fs.readFileSync(path.join(__dirname, "..", "schema.graphql"), "utf8");
  expect(committed).toBe(printAppSchema(schema));
});

// The names and types every client depends on; adding is fine, renaming or retyping is not.
const CONTRACT: Record<string, Record<string, string>> = {
  User: { id: "ID!", displayName: "String!", email: "String" },
  AuthPayload: { token: "String!", user: "User!" },
  Message: { id: "ID!", role: "MessageRole!", content: "String!", createdAt: "DateTime!" },
  Conversation: { id: "ID!", title: "String!", createdAt: "DateTime!", messages: "[Message!]!", shares: "[Share!]!" },
  Share: { id: "ID!", url: "String!", attribution: "ShareAttribution!", createdAt: "DateTime!", revokedAt: "DateTime", conversation: "Conversation" },
  SharedMessage: { role: "MessageRole!", content: "String!" },
  SharedConversation: { title: "String!", sharedBy: "String", sharedAt: "DateTime!", messages: "[SharedMessage!]!" },
  SignUpInput: { email: "String!", password: "String!", displayName: "String!" },
  LogInInput: { email: "String!", password: "String!" },
  CreateConversationInput: { title: "String!" },
  AppendMessageInput: { conversationId: "ID!", role: "MessageRole!", content: "String!" },
  DeleteConversationInput: { conversationId: "ID!" },
  DeactivateAccountInput: { password: "String!" },
  ShareConversationInput: { conversationId: "ID!", attribution: "ShareAttribution" },
  SetShareAttributionInput: { shareId: "ID!", attribution: "ShareAttribution!" },
  RevokeShareInput: { shareId: "ID!" },
  ImportShareInput: { link: "String!" },
  CreateConversationPayload: { conversation: "Conversation!" },
  AppendMessagePayload: { message: "Message!" },
  DeleteConversationPayload: { deletedConversationId: "ID!" },
  DeactivateAccountPayload: { deactivatedUserId: "ID!" },
  ShareConversationPayload: { share: "Share!" },
  SetShareAttributionPayload: { share: "Share!" },
  RevokeSharePayload: { share: "Share!" },
  ImportSharePayload: { conversation: "Conversation!" },
  Query: { me: "User", conversation: "Conversation", conversations: "ConversationConnection!", myShares: "ShareConnection!", sharedConversation: "SharedConversation" },
  Mutation: {
    signUp: "AuthPayload!",
    logIn: "AuthPayload!",
    createConversation: "CreateConversationPayload!",
    appendMessage: "AppendMessagePayload!",
    deleteConversation: "DeleteConversationPayload!",
    deactivateAccount: "DeactivateAccountPayload!",
    shareConversation: "ShareConversationPayload!",
    setShareAttribution: "SetShareAttributionPayload!",
    revokeShare: "RevokeSharePayload!",
    importShare: "ImportSharePayload!",
  },
};

describe("the contract", () => {
  it.each(Object.keys(CONTRACT))("%s has its fixed fields and types", (typeName) => {
    const type = schema.getType(typeName) as GraphQLObjectType | GraphQLInputObjectType;
    const fields = type.getFields();
    for (const [name, typeString] of Object.entries(CONTRACT[typeName])) expect([name, String(fields[name]?.type)]).toEqual([name, typeString]);
  });

  it("ShareConversationInput.attribution defaults to ANONYMOUS", () => {
    const input = schema.getType("ShareConversationInput") as GraphQLInputObjectType;
    expect(input.getFields().attribution.defaultValue).toBe("ANONYMOUS");
  });

  it("the enums have exactly their fixed values", () => {
    expect((schema.getType("MessageRole") as GraphQLEnumType).getValues().map((v) => v.name)).toEqual(["USER", "ASSISTANT", "SYSTEM"]);
    expect((schema.getType("ShareAttribution") as GraphQLEnumType).getValues().map((v) => v.name)).toEqual(["ANONYMOUS", "NAMED"]);
  });
});

it("every type, field, argument and enum value has a description", () => {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (!type.description) missing.push(type.name);
    if (type instanceof GraphQLObjectType || type instanceof GraphQLInputObjectType) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of "args" in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (type instanceof GraphQLEnumType) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
  }
  expect(missing).toEqual([]);
});

it("the migrations build exactly the tables the entities describe, and each can be undone", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-migrations-"));
  const dataSource = createDataSource({ database: { type: "sqlite", path: path.join(dir, "m.sqlite") } });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration();
    expect(await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('users','conversations','messages','shares','share_reports')`)).toEqual([]);
  } finally {
    await dataSource.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it("upgrading a database with links keeps every link working and dates its snapshot at its creation", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-upgrade-"));
  const dataSource = createDataSource({ database: { type: "sqlite", path: path.join(dir, "u.sqlite") } });
  try {
    await dataSource.initialize();
    const [first, ...rest] = dataSource.migrations;
    const runner = dataSource.createQueryRunner();
    await first.up(runner);
    await dataSource.query(`INSERT INTO users VALUES ('u1', 'Ann', 'a@x.io', 'a@x.io', 'hash', 0, '2025-01-01 00:00:00.000', NULL)`);
    await dataSource.query(`INSERT INTO conversations VALUES ('c1', 'u1', 'Old chat', '2025-01-01 00:00:00.000')`);
    await dataSource.query(
      `INSERT INTO shares VALUES ('s1', 'u1', 'c1', 'hash1', 'sealed', 'NAMED', 'Old chat', 0, '{"title":"Old chat","messages":[]}', '2025-02-03 04:05:06.789', NULL)`,
    );
    for (const migration of rest) await migration.up(runner);
    expect(await dataSource.query(`SELECT id, snapshot_at, created_at, view_count, expires_at FROM shares`)).toEqual([
      { id: "s1", snapshot_at: "2025-02-03 04:05:06.789", created_at: "2025-02-03 04:05:06.789", view_count: 0, expires_at: null },
    ]);
    expect(await dataSource.query(`SELECT role FROM users`)).toEqual([{ role: "USER" }]);
    await runner.release();
  } finally {
    await dataSource.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
