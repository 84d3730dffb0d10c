// Conversation.shares: a field of conversations that belongs to sharing, so conversation/ never names share/.
import { Authorized, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Rule } from "../auth/rules";
import type { Context } from "../context";
import { Conversation } from "../conversation/conversation.entity";
import { Share } from "./share.entity";

@Resolver(() => Conversation)
export class ConversationSharesResolver {
  @Authorized(Rule.OWNER)
  @FieldResolver(() => [Share], { description: "Every link made from this conversation, newest first, revoked ones included." })
  shares(@Root() conversation: Conversation, @Ctx() ctx: Context): Promise<Share[]> {
    return ctx.loaders.sharesByConversationId.load(conversation.id);
  }
}
