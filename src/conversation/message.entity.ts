import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { PRIVATE } from "../common/cache-control";
import { DateTimeResolver } from "graphql-scalars";
import { Column, Entity, Index, JoinColumn, ManyToOne } from "typeorm";
import { NodeType, toGlobalId } from "../common/global-id";
import { Node } from "../node/node.interface";
import { IdColumn, RefColumn, TimestampColumn } from "../db/columns";
import { OwnerOnly } from "../auth/owner-only";
import { Conversation } from "./conversation.entity";

export const CONTENT_MAX_LENGTH = 100_000;

export enum MessageRole {
  USER = "USER",
  ASSISTANT = "ASSISTANT",
  SYSTEM = "SYSTEM",
}
registerEnumType(MessageRole, {
  name: "MessageRole",
  description: "Who wrote a message.",
  valuesConfig: {
    USER: { description: "The person chatting." },
    ASSISTANT: { description: "The AI assistant." },
    SYSTEM: { description: "Instructions that set up the assistant." },
  },
});

@ObjectType({ implements: Node, description: "One message of a conversation. Only the conversation's owner can read it." })
@OwnerOnly()
@Directive(PRIVATE)
@Entity({ name: "messages" })
@Index("messages_conversation_position_key", ["conversationId", "position"], { unique: true })
export class Message {
  /** Database id; the API shows it only inside the global id below. */
  @IdColumn()
  id!: string;

  @Field(() => ID, { name: "id", description: "Opaque, globally unique id of the message." })
  get nodeId(): string {
    return toGlobalId(NodeType.Message, this.id);
  }

  @RefColumn("conversation_id")
  conversationId!: string;

  @ManyToOne(() => Conversation, { onDelete: "CASCADE" })
  @JoinColumn({ name: "conversation_id", foreignKeyConstraintName: "messages_conversation_id_fkey" })
  conversation?: never;

  /** Kept beside the conversation id so field-level authorization needs no extra read. */
  @RefColumn("owner_id")
  ownerId!: string;

  /** 0-based order within the conversation; unique, so concurrent appends can never tie. */
  @Column({ type: "integer" })
  position!: number;

  @Field(() => MessageRole, { description: "Who wrote the message." })
  @Column({ type: "varchar", length: 16 })
  role!: MessageRole;

  @Field(() => String, { description: `Text of the message, 1 to ${CONTENT_MAX_LENGTH} characters.` })
  @Column({ type: "text" })
  content!: string;

  @Field(() => DateTimeResolver, { description: "When the message was added." })
  @TimestampColumn("created_at")
  createdAt!: Date;
}
