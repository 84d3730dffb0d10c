import { lexicographicSortSchema, specifiedDirectives, type GraphQLSchema } from "graphql";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { cacheControlDirective } from "./common/cache-control";
import { buildSchema } from "type-graphql";
import { authChecker } from "./auth/auth-checker";
import { guardOwnerOnlyTypes } from "./auth/owner-only";
import { readPlainFieldsDirectly } from "./graphql/plain-fields";
import { validateInput } from "./common/validation";
import { UserResolver } from "./user/user.resolver";
import { ConversationResolver } from "./conversation/conversation.resolver";
import { MessageResolver } from "./conversation/message.resolver";
import { ShareResolver, SharedMessageResolver } from "./share/share.resolver";
import { ConversationSharingResolver } from "./share/conversation-sharing.resolver";
import { ModerationResolver } from "./moderation/moderation.resolver";
import { NodeResolver } from "./node/node.resolver";

export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      NodeResolver,
      UserResolver,
      ConversationResolver,
      MessageResolver,
      ShareResolver,
      SharedMessageResolver,
      ConversationSharingResolver,
      ModerationResolver,
    ],
    authChecker,
    authMode: "error",
    validateFn: validateInput,
    directives: [...specifiedDirectives, cacheControlDirective],
  });
  readPlainFieldsDirectly(schema);
  guardOwnerOnlyTypes(schema);
  // type-graphql has no decorator for the root types' own descriptions; Sandbox shows them first.
  Object.assign(schema.getQueryType()!, { description: "Everything you can read. `sharedConversation` and `me` work without login; the rest needs `Authorization: Bearer <token>`." });
  Object.assign(schema.getMutationType()!, { description: "Everything you can change. `signUp`, `logIn` and `reportShare` work without login; the rest needs a token." });
  return schema;
}

/** The SDL committed as schema.graphql: sorted, so a diff shows only real changes, with the @cacheControl hints. */
export function printAppSchema(schema: GraphQLSchema): string {
  return printSchemaWithDirectives(lexicographicSortSchema(schema)) + "\n";
}
