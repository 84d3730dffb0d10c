import { Arg, Args, Authorized, Ctx, Directive, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { Viewer } from "../auth/auth-checker";
import { Rule } from "../auth/rules";
import type { Context } from "../context";
import { Conversation } from "../conversation/conversation.entity";
import type { User } from "../user/user.entity";
import { URL_UNAVAILABLE } from "./share-links";
import { Share, ShareAttribution, ShareStatus, shareStatus } from "./share.entity";
import {
  ImportShareInput,
  MySharesArgs,
  RefreshShareInput,
  RevokeAllSharesInput,
  RevokeShareInput,
  SetShareAttributionInput,
  ShareConversationInput,
  SharedConversationArgs,
  SharePreviewArgs,
} from "./share.inputs";
import {
  ImportSharePayload,
  RefreshSharePayload,
  RevokeAllSharesPayload,
  RevokeSharePayload,
  SetShareAttributionPayload,
  ShareConnection,
  ShareConversationPayload,
  SharePreview,
} from "./share.payloads";
import { SharedConversation } from "./shared-conversation.type";

@Resolver(() => Share)
export class ShareResolver {
  @Query(() => SharedConversation, {
    nullable: true,
    description:
      "What a share link shows; no login needed. Null when the link does not work (never existed, revoked, conversation deleted, account deactivated). A URL under any other prefix is refused with BAD_USER_INPUT.",
  })
  @Directive("@cacheControl(maxAge: 30, scope: PUBLIC)")
  sharedConversation(
    @Args(() => SharedConversationArgs) { link }: SharedConversationArgs,
    @Ctx() ctx: Context,
  ): Promise<SharedConversation | null> {
    // Its Cache-Control (public, SHARE_CACHE_MAX_AGE_SECONDS) is set by cacheControlPlugins, wired in server.ts.
    return ctx.services.shareReader.view(link, ctx.clientIp, (shareId, freshUntil) => ctx.publicViews.push({ shareId, freshUntil }));
  }

  @Authorized()
  @Query(() => ShareConnection, { description: "Your share links, newest first, revoked ones included: the \"manage shared links\" list." })
  myShares(@Args(() => MySharesArgs) args: MySharesArgs, @Viewer() viewer: User, @Ctx() ctx: Context): Promise<ShareConnection> {
    return ctx.services.shares.listMine(viewer, args, args);
  }

  @Authorized()
  @Query(() => SharePreview, {
    description: "What sharing one of your conversations would show viewers, and what in it looks sensitive. Creates nothing.",
  })
  sharePreview(@Args(() => SharePreviewArgs) args: SharePreviewArgs, @Viewer() viewer: User, @Ctx() ctx: Context): Promise<SharePreview> {
    return ctx.services.shares.preview(viewer, args.conversationId, { attribution: args.attribution, upToMessageId: args.upToMessageId ?? null });
  }

  @Authorized()
  @Mutation(() => ShareConversationPayload, {
    description: "Freezes one of your conversations as it is now behind a new link. Sharing again makes another link with a newer snapshot.",
  })
  shareConversation(
    @Arg("input", () => ShareConversationInput, { description: "The conversation to share and the attribution to start with." }) input: ShareConversationInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<ShareConversationPayload> {
    return ctx.services.shares.share(viewer, input.conversationId, {
      attribution: input.attribution ?? ShareAttribution.ANONYMOUS,
      upToMessageId: input.upToMessageId ?? null,
      expiresAt: input.expiresAt,
      idempotencyKey: input.idempotencyKey,
    });
  }

  @Authorized()
  @Mutation(() => RefreshSharePayload, {
    description: "Replaces the snapshot behind a working link with the conversation as it is now (\"update link\"). The URL, attribution and expiry stay.",
  })
  refreshShare(
    @Arg("input", () => RefreshShareInput, { description: "The share to refresh." }) input: RefreshShareInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<RefreshSharePayload> {
    return ctx.services.shares.refresh(viewer, input.shareId, input.upToMessageId ?? null);
  }

  @Authorized()
  @Mutation(() => RevokeAllSharesPayload, { description: "Revokes every link of yours that is not revoked yet (or every link of one conversation), all at once." })
  async revokeAllShares(
    @Arg("input", () => RevokeAllSharesInput, { defaultValue: {}, description: "Optionally, the one conversation whose links to revoke." }) input: RevokeAllSharesInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<RevokeAllSharesPayload> {
    const shares = await ctx.services.shares.revokeAll(viewer, input.conversationId ?? null);
    return { revokedCount: shares.length, shares };
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
    return { conversation: await ctx.services.shares.importShare(viewer, input.link, input.idempotencyKey) };
  }

  @Authorized(Rule.OWNER)
  @FieldResolver(() => String, {
    description: "The link to give out; it always starts with the server's share prefix. Empty when it cannot be shown: urlUnavailableReason then says why.",
  })
  url(@Root() share: Share, @Ctx() ctx: Context): string {
    return ctx.services.shares.urlOf(share) ?? "";
  }

  @Authorized(Rule.OWNER)
  @FieldResolver(() => String, {
    nullable: true,
    description: "Why url is empty (the server no longer has the key it was sealed with); null when url can be shown.",
  })
  urlUnavailableReason(@Root() share: Share, @Ctx() ctx: Context): string | null {
    return ctx.services.shares.urlOf(share) === null ? URL_UNAVAILABLE : null;
  }

  @Authorized(Rule.OWNER)
  @FieldResolver(() => ShareStatus, { description: "Whether the link works now, and if not, why." })
  status(@Root() share: Share): ShareStatus {
    return shareStatus(share, new Date());
  }

  @Authorized(Rule.OWNER)
  @FieldResolver(() => Int, { description: "How many times the link was viewed. Counted in memory and written in batches; always complete when read here." })
  viewCount(@Root() share: Share, @Ctx() ctx: Context): number {
    return ctx.services.shares.viewCountOf(share);
  }

  @Authorized(Rule.OWNER)
  @FieldResolver(() => DateTimeResolver, { nullable: true, description: "When the link was last viewed; null if never." })
  lastViewedAt(@Root() share: Share, @Ctx() ctx: Context): Date | null {
    return ctx.services.shares.lastViewedAtOf(share);
  }

  @Authorized(Rule.OWNER)
  @FieldResolver(() => Conversation, { nullable: true, description: "The live conversation the snapshot was taken from." })
  conversation(@Root() share: Share, @Ctx() ctx: Context): Promise<Conversation | null> {
    return ctx.loaders.conversationsById.load(share.conversationId);
  }
}
