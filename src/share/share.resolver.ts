import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Viewer } from "../auth/auth-checker";
import { Rule } from "../auth/rules";
import { PageArgs } from "../common/connection";
import type { Context } from "../context";
import { Conversation } from "../conversation/conversation.entity";
import type { User } from "../user/user.entity";
import { Share, ShareAttribution } from "./share.entity";
import { ImportShareInput, RevokeShareInput, SetShareAttributionInput, ShareConversationInput, SharedConversationArgs } from "./share.inputs";
import {
  ImportSharePayload,
  RevokeSharePayload,
  SetShareAttributionPayload,
  ShareConnection,
  ShareConversationPayload,
} from "./share.payloads";
import { SharedConversation } from "./shared-conversation.type";

@Resolver(() => Share)
export class ShareResolver {
  @Query(() => SharedConversation, {
    nullable: true,
    description:
      "What a share link shows; no login needed. Null when the link does not work (never existed, revoked, conversation deleted, account deactivated). A URL under any other prefix is refused with BAD_USER_INPUT.",
  })
  sharedConversation(@Args(() => SharedConversationArgs) { link }: SharedConversationArgs, @Ctx() ctx: Context): Promise<SharedConversation | null> {
    return ctx.services.shares.view(link);
  }

  @Authorized()
  @Query(() => ShareConnection, { description: "Your share links, newest first, revoked ones included: the \"manage shared links\" list." })
  myShares(@Args(() => PageArgs) page: PageArgs, @Viewer() viewer: User, @Ctx() ctx: Context): Promise<ShareConnection> {
    return ctx.services.shares.listMine(viewer, page);
  }

  @Authorized()
  @Mutation(() => ShareConversationPayload, {
    description: "Freezes one of your conversations as it is now behind a new link. Sharing again makes another link with a newer snapshot.",
  })
  async shareConversation(
    @Arg("input", () => ShareConversationInput, { description: "The conversation to share and the attribution to start with." }) input: ShareConversationInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<ShareConversationPayload> {
    return { share: await ctx.services.shares.share(viewer, input.conversationId, input.attribution ?? ShareAttribution.ANONYMOUS) };
  }

  @Authorized()
  @Mutation(() => SetShareAttributionPayload, { description: "Shows or hides your display name on a link, at once, on the same URL." })
  async setShareAttribution(
    @Arg("input", () => SetShareAttributionInput, { description: "The share and its new attribution." }) input: SetShareAttributionInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<SetShareAttributionPayload> {
    return { share: await ctx.services.shares.setAttribution(viewer, input.shareId, input.attribution) };
  }

  @Authorized()
  @Mutation(() => RevokeSharePayload, { description: "Turns a link off for good. Revoking twice is harmless; other links are untouched." })
  async revokeShare(
    @Arg("input", () => RevokeShareInput, { description: "The share to revoke." }) input: RevokeShareInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<RevokeSharePayload> {
    return { share: await ctx.services.shares.revoke(viewer, input.shareId) };
  }

  @Authorized()
  @Mutation(() => ImportSharePayload, {
    description: "Copies a shared snapshot into a new conversation of yours, which you can continue and which outlives the original.",
  })
  async importShare(
    @Arg("input", () => ImportShareInput, { description: "The link to import." }) input: ImportShareInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<ImportSharePayload> {
    return { conversation: await ctx.services.shares.importShare(viewer, input.link) };
  }

  @Authorized(Rule.OWNER)
  @FieldResolver(() => String, { description: "The link to give out; it always starts with the server's share prefix." })
  url(@Root() share: Share, @Ctx() ctx: Context): string {
    return ctx.services.shares.links.urlOf(share);
  }

  @Authorized(Rule.OWNER)
  @FieldResolver(() => Conversation, { nullable: true, description: "The live conversation the snapshot was taken from." })
  conversation(@Root() share: Share, @Ctx() ctx: Context): Promise<Conversation | null> {
    return ctx.loaders.conversationsById.load(share.conversationId);
  }
}
