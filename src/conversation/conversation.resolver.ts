import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from "type-graphql";
import { NodeType, toGlobalId } from "../common/global-id";
import { Viewer } from "../auth/auth-checker";
import { PageArgs } from "../common/connection";
import { decodePositionCursor } from "../common/pagination";
import { selectsOnly } from "../common/selection";
import type { Context } from "../context";
import type { User } from "../user/user.entity";
import { Conversation, ImportedFrom } from "./conversation.entity";
import { Message } from "./message.entity";
import { MESSAGE_TEXT_FIELDS } from "./conversation.loaders";
import { AppendMessageInput, ConversationArgs, CreateConversationInput, DeleteConversationInput } from "./conversation.inputs";
import {
  AppendMessagePayload,
  ConversationConnection,
  CreateConversationPayload,
  MessageConnection,
  DeleteConversationPayload,
} from "./conversation.payloads";

@Resolver(() => Conversation)
export class ConversationResolver {
  @Authorized()
  @Query(() => Conversation, { nullable: true, description: "One of your conversations by id; NOT_FOUND for any other id." })
  conversation(@Args(() => ConversationArgs) { id }: ConversationArgs, @Viewer() viewer: User, @Ctx() ctx: Context): Promise<Conversation> {
    return ctx.services.conversations.getOwned(viewer, id);
  }

  @Authorized()
  @Query(() => ConversationConnection, { description: "Your conversations, newest first." })
  conversations(@Args(() => PageArgs) page: PageArgs, @Viewer() viewer: User, @Ctx() ctx: Context): Promise<ConversationConnection> {
    return ctx.services.conversations.list(viewer, page);
  }

  @Authorized()
  @Mutation(() => CreateConversationPayload, { description: "Starts a new, empty conversation." })
  async createConversation(
    @Arg("input", () => CreateConversationInput, { description: "The new conversation's title." }) input: CreateConversationInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<CreateConversationPayload> {
    return { conversation: await ctx.services.conversations.create(viewer, input.title) };
  }

  @Authorized()
  @Mutation(() => AppendMessagePayload, { description: "Adds a message at the end of one of your conversations. Existing share links do not change." })
  appendMessage(
    @Arg("input", () => AppendMessageInput, { description: "The conversation and the message to add." }) input: AppendMessageInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<AppendMessagePayload> {
    return ctx.services.conversations.append(viewer, input.conversationId, input, input.idempotencyKey);
  }

  @Authorized()
  @Mutation(() => DeleteConversationPayload, {
    description: "Deletes one of your conversations for good, with its messages and snapshots; every link to it stops working.",
  })
  async deleteConversation(
    @Arg("input", () => DeleteConversationInput, { description: "The conversation to delete." }) input: DeleteConversationInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<DeleteConversationPayload> {
    const deleted = await ctx.services.conversations.delete(viewer, input.conversationId);
    return { deletedConversationId: toGlobalId(NodeType.Conversation, deleted) };
  }

  @FieldResolver(() => [Message], { description: "The messages, oldest first." })
  messages(@Root() conversation: Conversation, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Message[]> {
    const loader = selectsOnly(info, MESSAGE_TEXT_FIELDS) ? ctx.loaders.messageTextsOfConversations : ctx.loaders.messagesOfConversations;
    return loader.load(conversation);
  }

  @FieldResolver(() => MessageConnection, { description: "The messages, oldest first, a page at a time (for long conversations)." })
  messagesConnection(@Root() conversation: Conversation, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<MessageConnection> {
    return ctx.loaders.messagePages.load({ conversationId: conversation.id, first: page.first, afterPosition: decodePositionCursor(page.after) });
  }

  @FieldResolver(() => ImportedFrom, {
    nullable: true,
    description: "The shared snapshot this conversation was imported from (title and share time only); null if you started it.",
  })
  importedFrom(@Root() conversation: Conversation): ImportedFrom | null {
    const { importedFromTitle: title, importedFromSharedAt: sharedAt } = conversation;
    return title !== null && sharedAt !== null ? { title, sharedAt } : null;
  }
}
