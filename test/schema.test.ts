// The schema as an artifact: committed SDL matches the code, the fixed contract holds, everything is described.
import fs from "node:fs";
import path from "node:path";
import { GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, isIntrospectionType, isSpecifiedScalarType, type GraphQLSchema } from "graphql";
import { buildAppSchema, printAppSchema } from "../src/schema";

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
