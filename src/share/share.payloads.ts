import { Field, Int, ObjectType } from "type-graphql";
import { SensitiveDataWarning } from "./sensitive-data.type";
import { SharedConversation } from "./shared-conversation.type";
import { connectionOf } from "../common/connection";
import { Conversation } from "../conversation/conversation.entity";
import { Share } from "./share.entity";

export const ShareConnection = connectionOf(Share, "Share", "A page of your share links, newest first, revoked ones included.");
export type ShareConnection = InstanceType<typeof ShareConnection>;

@ObjectType({ description: "Result of shareConversation." })
export class ShareConversationPayload {
  @Field(() => Share, { description: "The new link and its snapshot's details." })
  share!: Share;

  @Field(() => [SensitiveDataWarning], {
    description: "What in the shared messages looks sensitive, in your own text, each saying whether the snapshot hides it; empty when nothing does.",
  })
  warnings!: SensitiveDataWarning[];
}

@ObjectType({ description: "Result of refreshShare." })
export class RefreshSharePayload {
  @Field(() => Share, { description: "The share, with its new snapshot's details." })
  share!: Share;

  @Field(() => [SensitiveDataWarning], {
    description: "What in the newly shared messages looks sensitive, in your own text, each saying whether the snapshot hides it; empty when nothing does.",
  })
  warnings!: SensitiveDataWarning[];
}

@ObjectType({ description: "Result of revokeAllShares." })
export class RevokeAllSharesPayload {
  @Field(() => Int, { description: "How many links were revoked by this call." })
  revokedCount!: number;

  @Field(() => [Share], { description: "The links revoked by this call, newest first." })
  shares!: Share[];
}

@ObjectType({ description: "What sharing a conversation would show, computed without creating anything." })
export class SharePreview {
  @Field(() => SharedConversation, { description: "Exactly what viewers of the link would see (sharedAt is now)." })
  conversation!: SharedConversation;

  @Field(() => [SensitiveDataWarning], {
    description: "What in the messages looks sensitive, with the exact range in your own text to pass back as a redaction span, and whether the given redactions hide it; empty when nothing does.",
  })
  warnings!: SensitiveDataWarning[];
}

@ObjectType({ description: "Result of setShareAttribution." })
export class SetShareAttributionPayload {
  @Field(() => Share, { description: "The share, with its new attribution." })
  share!: Share;
}

@ObjectType({ description: "Result of setShareAudience." })
export class SetShareAudiencePayload {
  @Field(() => Share, { description: "The share, with its new audience." })
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
