import { ArgsType, Field, ID, InputType } from "type-graphql";
import { IsOptional, MaxLength } from "class-validator";
import { DateTimeResolver } from "graphql-scalars";
import { IdempotencyKeyField, NodeId } from "../common/validation";
import { NodeType } from "../common/global-id";
import { PageArgs } from "../common/connection";
import { TITLE_MAX_LENGTH } from "../conversation/conversation.entity";
import { ShareAttribution, ShareAudience, ShareStatus } from "./share.entity";
import { LINK_MAX_LENGTH } from "./share-links";

const LINK_DESCRIPTION = "A share link: the full URL (it must start with this server's share prefix) or just its token.";

@ArgsType()
export class SharedConversationArgs {
  @Field(() => String, { description: LINK_DESCRIPTION })
  @MaxLength(LINK_MAX_LENGTH, { message: `link must be at most ${LINK_MAX_LENGTH} characters` })
  link!: string;
}

@InputType({ description: "Which conversation to share, whether to show your name, and who may open the link." })
export class ShareConversationInput {
  @Field(() => ID, { description: "One of your conversations." })
  @NodeId(NodeType.Conversation)
  conversationId!: string;

  @Field(() => ShareAttribution, {
    nullable: true,
    defaultValue: ShareAttribution.ANONYMOUS,
    description: "Whether viewers see your display name; ANONYMOUS when omitted or null.",
  })
  attribution?: ShareAttribution | null;

  @Field(() => ShareAudience, {
    nullable: true,
    defaultValue: ShareAudience.PUBLIC,
    description: "Who may open the link: anyone with it, or only signed-in accounts; PUBLIC when omitted or null.",
  })
  audience?: ShareAudience | null;

  @Field(() => ID, { nullable: true, description: "Share the conversation only up to and including this message; all of it when omitted." })
  @IsOptional()
  @NodeId(NodeType.Message)
  upToMessageId?: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "When the link stops working by itself: in the future, within the server's maximum lifetime. Never when omitted." })
  expiresAt?: Date | null;
  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@ArgsType()
export class SharePreviewArgs {
  @Field(() => ID, { description: "One of your conversations." })
  @NodeId(NodeType.Conversation)
  conversationId!: string;

  @Field(() => ID, { nullable: true, description: "Preview only up to and including this message." })
  @IsOptional()
  @NodeId(NodeType.Message)
  upToMessageId?: string | null;

  @Field(() => ShareAttribution, { defaultValue: ShareAttribution.ANONYMOUS, description: "The attribution to preview with." })
  attribution: ShareAttribution = ShareAttribution.ANONYMOUS;
}

@ArgsType()
export class MySharesArgs extends PageArgs {
  @Field(() => ShareStatus, { nullable: true, description: "Only links in this state; every link when omitted." })
  status?: ShareStatus | null;

  @Field(() => String, { nullable: true, description: "Only links whose conversation title contains this text, ignoring letter case." })
  @IsOptional()
  @MaxLength(TITLE_MAX_LENGTH, { message: `search must be at most ${TITLE_MAX_LENGTH} characters` })
  search?: string | null;
}

@InputType({ description: "The link whose snapshot to replace with the conversation as it is now." })
export class RefreshShareInput {
  @Field(() => ID, { description: "One of your working shares." })
  @NodeId(NodeType.Share)
  shareId!: string;

  @Field(() => ID, { nullable: true, description: "Share only up to and including this message; all of it when omitted." })
  @IsOptional()
  @NodeId(NodeType.Message)
  upToMessageId?: string | null;
}

@InputType({ description: "Which links to revoke at once." })
export class RevokeAllSharesInput {
  @Field(() => ID, { nullable: true, description: "Only the links of this conversation; every link of yours when omitted." })
  @IsOptional()
  @NodeId(NodeType.Conversation)
  conversationId?: string | null;
}

@InputType({ description: "Show or hide your name on an existing link." })
export class SetShareAttributionInput {
  @Field(() => ID, { description: "One of your shares." })
  @NodeId(NodeType.Share)
  shareId!: string;

  @Field(() => ShareAttribution, { description: "The new attribution; takes effect at once on the same URL." })
  attribution!: ShareAttribution;
}

@InputType({ description: "Change who may open an existing link." })
export class SetShareAudienceInput {
  @Field(() => ID, { description: "One of your shares." })
  @NodeId(NodeType.Share)
  shareId!: string;

  @Field(() => ShareAudience, { description: "The new audience; takes effect at once on the same URL, on every server instance." })
  audience!: ShareAudience;
}

@InputType({ description: "The link to turn off." })
export class RevokeShareInput {
  @Field(() => ID, { description: "One of your shares." })
  @NodeId(NodeType.Share)
  shareId!: string;
}

@InputType({ description: "A shared link to copy into your own history." })
export class ImportShareInput {
  @Field(() => String, { description: LINK_DESCRIPTION })
  @MaxLength(LINK_MAX_LENGTH, { message: `link must be at most ${LINK_MAX_LENGTH} characters` })
  link!: string;
  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}
