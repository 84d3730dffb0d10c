import { ArgsType, Field, ID, InputType } from "type-graphql";
import { ArrayMaxSize, IsOptional, IsUUID, MaxLength } from "class-validator";
import { IdempotencyKeyField, NodeId, IsNotBlank } from "../common/validation";
import { NodeType } from "../common/global-id";
import { TITLE_MAX_LENGTH } from "./conversation.entity";
import { CONTENT_MAX_LENGTH, MessageRole } from "./message.entity";

@ArgsType()
export class ConversationArgs {
  @Field(() => ID, { description: "Id of one of your conversations." })
  @NodeId(NodeType.Conversation)
  id!: string;
}

@InputType({ description: "A new, empty conversation." })
export class CreateConversationInput {
  @Field(() => String, { description: `Title, 1 to ${TITLE_MAX_LENGTH} characters; surrounding white space is dropped.` })
  @IsNotBlank()
  @MaxLength(TITLE_MAX_LENGTH, { message: `title must be at most ${TITLE_MAX_LENGTH} characters` })
  title!: string;
}

@InputType({ description: "A message to add at the end of one of your conversations." })
export class AppendMessageInput {
  @Field(() => ID, { description: "The conversation to add to." })
  @NodeId(NodeType.Conversation)
  conversationId!: string;

  @Field(() => MessageRole, { description: "Who wrote the message." })
  role!: MessageRole;

  @Field(() => String, { description: `Text of the message, 1 to ${CONTENT_MAX_LENGTH} characters, kept exactly as sent.` })
  @IsNotBlank()
  @MaxLength(CONTENT_MAX_LENGTH, { message: `content must be at most ${CONTENT_MAX_LENGTH} characters` })
  content!: string;
  @Field(() => [ID], { nullable: true, description: "Uploads to attach (ids from POST /uploads), in the order to show them; at most 10." })
  @IsOptional()
  @ArrayMaxSize(10, { message: "attachmentIds can hold at most 10 ids" })
  @IsUUID("all", { each: true, message: "attachmentIds must be ids answered by POST /uploads" })
  attachmentIds?: string[] | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType({ description: "The conversation to delete, with its messages and every link to it." })
export class DeleteConversationInput {
  @Field(() => ID, { description: "Id of one of your conversations." })
  @NodeId(NodeType.Conversation)
  conversationId!: string;
}
