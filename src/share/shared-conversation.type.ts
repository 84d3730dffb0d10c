// The public view of a share: its own types, so an anonymous viewer has no path to the owner or the live conversation.
// Plain data with no rules on its fields, so type-graphql resolves them without its middleware stack (the hot path).
import { Directive, Field, ObjectType } from "type-graphql";
import { INHERIT } from "../common/cache-control";
import { DateTimeResolver } from "graphql-scalars";
import { MessageRole } from "../conversation/message.entity";
import type { RedactedRange } from "./redaction";

@ObjectType({ description: "One message of a shared snapshot.", simpleResolvers: true })
@Directive(INHERIT)
export class SharedMessage {
  @Field(() => MessageRole, { description: "Who wrote the message." })
  role!: MessageRole;

  @Field(() => String, { description: "Text of the message as it was when the link was created, with what its owner hid replaced by placeholders such as \"[email address removed]\"." })
  content!: string;

  /** Resolved by SharedMessageResolver: snapshots stored before redaction existed have none. */
  redactions?: RedactedRange[];
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
