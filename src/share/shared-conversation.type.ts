// The public view of a share: its own types, so an anonymous viewer has no path to the owner or the live conversation.
// Plain data with no rules on its fields, so type-graphql resolves them without its middleware stack (the hot path).
import { Directive, Field, ID, Int, ObjectType } from "type-graphql";
import { INHERIT } from "../common/cache-control";
import { DateTimeResolver } from "graphql-scalars";
import { MessageRole } from "../conversation/message.entity";
import type { RedactedRange } from "./redaction";
import { AttachmentKind, type FrozenAttachment } from "../attachment/attachment.entity";

@ObjectType({ description: "A file frozen with a shared snapshot.", simpleResolvers: true })
@Directive(INHERIT)
export class SharedAttachment implements FrozenAttachment {
  @Field(() => ID, { description: "Id of the file within this snapshot." })
  id!: string;

  @Field(() => AttachmentKind, { description: "IMAGE (shown inline) or FILE (downloaded)." })
  kind!: AttachmentKind;

  @Field(() => String, { description: "Media type, as detected from the bytes." })
  type!: string;

  @Field(() => Int, { description: "Size in bytes." })
  size!: number;

  @Field(() => String, { description: "File name given at upload." })
  name!: string;

  @Field(() => Int, { nullable: true, description: "Width in pixels of an image; null for files." })
  width!: number | null;

  @Field(() => Int, { nullable: true, description: "Height in pixels of an image; null for files." })
  height!: number | null;

  thumbnail!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "Address of the file, under the share link's own URL (<link>/files/<id>): it stops working with the link. Null in a moderator's review.",
  })
  url!: string | null;

  @Field(() => String, { nullable: true, description: "Address of an image's thumbnail (at most 512 pixels a side); null for files." })
  thumbnailUrl!: string | null;
}

@ObjectType({ description: "One message of a shared snapshot.", simpleResolvers: true })
@Directive(INHERIT)
export class SharedMessage {
  @Field(() => MessageRole, { description: "Who wrote the message." })
  role!: MessageRole;

  @Field(() => String, { description: "Text of the message as it was when the link was created, with what its owner hid replaced by placeholders such as \"[email address removed]\"." })
  content!: string;

  @Field(() => [SharedAttachment], { description: "Files attached to the message when the link was created, in order." })
  attachments!: SharedAttachment[];

  /** Resolved by SharedMessageResolver: snapshots stored before redaction existed have none. */
  redactions?: RedactedRange[];

  /** Resolved by SharedMessageResolver: absent when its owner removed none of its files. */
  removedAttachmentCount?: number;
}

@ObjectType({ description: "What anyone with a share link sees: a frozen snapshot of a conversation.", simpleResolvers: true })
@Directive(INHERIT)
export class SharedConversation {
  @Field(() => String, { description: "The conversation's title when it was shared." })
  title!: string;

  @Field(() => String, { nullable: true, description: "The owner's display name if they chose NAMED attribution; null for anonymous shares." })
  sharedBy!: string | null;

  @Field(() => DateTimeResolver, { description: "When the snapshot was taken." })
  sharedAt!: Date;

  @Field(() => [SharedMessage], { description: "The snapshot's messages, in conversation order." })
  messages!: SharedMessage[];
}
