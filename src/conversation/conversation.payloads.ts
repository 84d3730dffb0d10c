import { Field, ID, ObjectType } from "type-graphql";
import { connectionOf } from "../common/connection";
import { Conversation } from "./conversation.entity";
import { Message } from "./message.entity";

export const ConversationConnection = connectionOf(Conversation, "Conversation", "A page of your conversations, newest first.");
export type ConversationConnection = InstanceType<typeof ConversationConnection>;

@ObjectType({ description: "Result of createConversation." })
export class CreateConversationPayload {
  @Field(() => Conversation, { description: "The new conversation." })
  conversation!: Conversation;
}

@ObjectType({ description: "Result of appendMessage." })
export class AppendMessagePayload {
  @Field(() => Message, { description: "The message, as stored." })
  message!: Message;
}

@ObjectType({ description: "Result of deleteConversation." })
export class DeleteConversationPayload {
  @Field(() => ID, { description: "Id of the conversation that no longer exists." })
  deletedConversationId!: string;
}
