import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { authChecker } from "./auth/auth-checker";
import { UserResolver } from "./user/user.resolver";
import { ConversationResolver } from "./conversation/conversation.resolver";
import { ShareResolver } from "./share/share.resolver";
import { ModerationResolver } from "./moderation/moderation.resolver";

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [UserResolver, ConversationResolver, ShareResolver, ModerationResolver],
    authChecker,
    authMode: "error",
    validate: { forbidUnknownValues: false },
  });
}

/** The SDL committed as schema.graphql: sorted, so a diff shows only real changes. */
export function printAppSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}
