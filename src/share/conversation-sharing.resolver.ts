// Conversation fields about sharing live here: share/ builds on conversation/, which never imports share/.
import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Conversation } from "../conversation/conversation.entity";
import { Share } from "./share.entity";
import { ConversationSharing } from "./share-activity.type";

@Resolver(() => Conversation)
export class ConversationSharingResolver {
  @FieldResolver(() => [Share], { description: "Every link made from this conversation, newest first, revoked ones included." })
  shares(@Root() conversation: Conversation, @Ctx() ctx: Context): Promise<Share[]> {
    return ctx.loaders.sharesByConversationId.load(conversation.id);
  }

  @FieldResolver(() => ConversationSharing, {
    description: "How many working links the conversation has and when it was last shared: enough for a \"shared\" badge in a conversation list. Batched across a page.",
  })
  sharing(@Root() conversation: Conversation, @Ctx() ctx: Context): Promise<ConversationSharing> {
    return ctx.loaders.sharingByConversationId.load(conversation.id);
  }
}
