import { Field, ID, ObjectType } from "type-graphql";
import { connectionOf } from "../common/connection";
import { Conversation } from "./conversation.entity";
import { Message } from "./message.entity";

export const ConversationConnection = connectionOf(Conversation, "Conversation", "A page of your conversations, newest first.");
export type ConversationConnection = InstanceType<typeof ConversationConnection>;

export const MessageConnection = connectionOf(Message, "Message", "A page of a conversation's messages, oldest first.");
export type MessageConnection = InstanceType<typeof MessageConnection>;

@ObjectType({ description: "Result of createConversation." })
export class CreateConversationPayload {
  @Field(() => Conversation, { description: "The new conversation." })
  conversation!: Conversation;
}

@ObjectType({ description: "Result of appendMessage." })
export class AppendMessagePayload {
  @Field(() => Message, { description: "The message, as stored." })
  message!: Message;

  @Field(() => Conversation, { description: "The conversation it was added to, so cached message lists can update." })
  conversation!: Conversation;
}

@ObjectType({ description: "Result of deleteConversation." })
export class DeleteConversationPayload {
  @Field(() => ID, { description: "Id of the conversation that no longer exists, for clients to drop it from their caches." })
  deletedConversationId!: string;
}
