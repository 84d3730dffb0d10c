import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { ArrayMaxSize, IsOptional, MaxLength, ValidateNested } from "class-validator";
import { DateTimeResolver } from "graphql-scalars";
import { IdempotencyKeyField, NodeId } from "../common/validation";
import { fromGlobalId, NodeType } from "../common/global-id";
import { BadInputError } from "../common/errors";
import { PageArgs } from "../common/connection";
import { TITLE_MAX_LENGTH } from "../conversation/conversation.entity";
import { ShareAttribution, ShareAudience, ShareStatus } from "./share.entity";
import { LINK_MAX_LENGTH } from "./share-links";
import { SensitiveDataKind } from "./sensitive-data";
import { MAX_REDACTION_SPANS, type Redactions } from "./redaction";
import "./sensitive-data.type"; // registers SensitiveDataKind with GraphQL

const LINK_DESCRIPTION = "A share link: the full URL (it must start with this server's share prefix) or just its token.";

@ArgsType()
export class SharedConversationArgs {
  @Field(() => String, { description: LINK_DESCRIPTION })
  @MaxLength(LINK_MAX_LENGTH, { message: `link must be at most ${LINK_MAX_LENGTH} characters` })
  link!: string;
}

@InputType({ description: "A range of one message's text to hide from viewers: what sharePreview's warnings report, or any range the owner selects." })
export class RedactionSpanInput {
  @Field(() => ID, { description: "The message the range is in (a Message id): one of the messages being shared." })
  messageId!: string;

  @Field(() => Int, {
    description: "Start of the range in the message's content, in UTF-16 code units (what JavaScript string indexes count; Swift's String.utf16, Kotlin/Java strings), inclusive.",
  })
  start!: number;

  @Field(() => Int, {
    description: "End of the range, in UTF-16 code units, exclusive: greater than start, at most the content's length, and never between the two halves of a surrogate pair (so an emoji is hidden whole or not at all).",
  })
  end!: number;

  @Field(() => SensitiveDataKind, {
    nullable: true,
    description: "What the range holds; the placeholder names it (\"[email address removed]\"). A plain \"[removed]\" when omitted.",
  })
  kind?: SensitiveDataKind | null;
}

@InputType({
  description:
    "What to hide from viewers. The snapshot stores each hidden range replaced by a placeholder naming its kind, and leaves out each removed file; your own conversation is untouched. Spans that overlap each other, fall outside their message, or name a message that is not being shared, and attachmentIds that are not files of the messages being shared, are refused with BAD_USER_INPUT. A span may overlap a detection of one of `kinds`: they are hidden together.",
})
export class RedactionsInput {
  @Field(() => [SensitiveDataKind], {
    nullable: true,
    defaultValue: [],
    description: "Hide every detection of these kinds (as sharePreview's warnings report them) in the messages being shared, and, on refreshShare, in messages added since.",
  })
  kinds?: SensitiveDataKind[] | null;

  @Field(() => [RedactionSpanInput], { nullable: true, defaultValue: [], description: `Ranges to hide, at most ${MAX_REDACTION_SPANS}.` })
  @IsOptional()
  @ArrayMaxSize(MAX_REDACTION_SPANS, { message: `redactions.spans may hold at most ${MAX_REDACTION_SPANS} ranges` })
  spans?: RedactionSpanInput[] | null;

  @Field(() => [ID], {
    nullable: true,
    defaultValue: [],
    description: `Files to leave out of the snapshot, at most ${MAX_REDACTION_SPANS}: ids of attachments (Attachment.id) of the messages being shared. Viewers see no trace of them but SharedMessage.removedAttachmentCount; on refreshShare the same files stay out.`,
  })
  @IsOptional()
  @ArrayMaxSize(MAX_REDACTION_SPANS, { message: `redactions.attachmentIds may hold at most ${MAX_REDACTION_SPANS} ids` })
  attachmentIds?: string[] | null;

  /** The service's form: database ids of messages (validateInput converts only top-level @NodeId fields), each kind once. */
  toRedactions(): Redactions {
    return {
      kinds: [...new Set(this.kinds ?? [])],
      spans: (this.spans ?? []).map((span, i) => ({ messageId: messageIdOf(span, i), start: span.start, end: span.end, kind: span.kind ?? null })),
      // Left out when empty, so a text-only choice is stored as it was before files could be removed.
      ...(this.attachmentIds?.length ? { attachmentIds: this.attachmentIds } : {}),
    };
  }
}

function messageIdOf(span: RedactionSpanInput, index: number): string {
  const parsed = fromGlobalId(span.messageId);
  const field = `redactions.spans[${index}].messageId`;
  if (parsed?.type !== NodeType.Message) throw new BadInputError(`${field} is not a valid Message id.`, { field });
  return parsed.id;
}

const REDACTIONS_DESCRIPTION = "What to hide from viewers in the snapshot; nothing when omitted.";

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

  @Field(() => RedactionsInput, { nullable: true, description: REDACTIONS_DESCRIPTION })
  @IsOptional()
  @ValidateNested()
  redactions?: RedactionsInput | null;
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

  @Field(() => RedactionsInput, {
    nullable: true,
    description: "Preview with these hidden, exactly as shareConversation would store them: \"this is what others will see\". Warnings still point into your own text.",
  })
  @IsOptional()
  @ValidateNested()
  redactions?: RedactionsInput | null;
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

  @Field(() => RedactionsInput, {
    nullable: true,
    description:
      "What to hide in the new snapshot, replacing the link's earlier choice (pass {} to hide nothing). When omitted, the earlier choice applies again: its kinds to every message, new ones included, and its spans to the same messages (messages never change once written).",
  })
  @IsOptional()
  @ValidateNested()
  redactions?: RedactionsInput | null;
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
