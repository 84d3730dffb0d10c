import { Field, ObjectType } from "type-graphql";
import { connectionOf } from "../common/connection";
import { Conversation } from "../conversation/conversation.entity";
import { Share } from "./share.entity";

export const ShareConnection = connectionOf(Share, "Share", "A page of your share links, newest first, revoked ones included.");
export type ShareConnection = InstanceType<typeof ShareConnection>;

@ObjectType({ description: "Result of shareConversation." })
export class ShareConversationPayload {
  @Field(() => Share, { description: "The new link and its snapshot's details." })
  share!: Share;
}

@ObjectType({ description: "Result of setShareAttribution." })
export class SetShareAttributionPayload {
  @Field(() => Share, { description: "The share, with its new attribution." })
  share!: Share;
}

@ObjectType({ description: "Result of revokeShare." })
export class RevokeSharePayload {
  @Field(() => Share, { description: "The share, now with revokedAt set." })
  share!: Share;
}

@ObjectType({ description: "Result of importShare." })
export class ImportSharePayload {
  @Field(() => Conversation, { description: "Your new private copy, which you can continue." })
  conversation!: Conversation;
}
