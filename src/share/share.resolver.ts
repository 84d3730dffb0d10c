import { Arg, Args, Authorized, Ctx, Directive, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { Viewer } from "../auth/auth-checker";
import type { Context } from "../context";
import { Conversation } from "../conversation/conversation.entity";
import type { User } from "../user/user.entity";
import { URL_UNAVAILABLE } from "./share-links";
import { Share, ShareAttribution, ShareAudience, ShareStatus, shareStatus } from "./share.entity";
import {
  ImportShareInput,
  MySharesArgs,
  RefreshShareInput,
  RevokeAllSharesInput,
  RevokeShareInput,
  SetShareAttributionInput,
  SetShareAudienceInput,
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
  SetShareAudiencePayload,
  ShareConnection,
  ShareConversationPayload,
  SharePreview,
} from "./share.payloads";
import { SharedConversation, SharedMessage } from "./shared-conversation.type";
import { RedactedSpan } from "./sensitive-data.type";
import type { RedactedRange } from "./redaction";
import { DailyViews, ShareActivityConnection, ViewsByDayArgs } from "./share-activity.type";
import { PageArgs } from "../common/connection";
import { decodeCursor } from "../common/pagination";
import { activityPage, expiredActivity, firstDayOf } from "./share-activity";

@Resolver(() => Share)
export class ShareResolver {
  @Query(() => SharedConversation, {
    nullable: true,
    description:
      "What a share link shows; no login needed unless its audience is SIGNED_IN. Null when the link does not work (never existed, revoked, conversation deleted, account deactivated), and for a SIGNED_IN link asked without a session. A URL under any other prefix is refused with BAD_USER_INPUT.",
  })
  @Directive("@cacheControl(maxAge: 30, scope: PUBLIC)")
  async sharedConversation(
    @Args(() => SharedConversationArgs) { link }: SharedConversationArgs,
    @Ctx() ctx: Context,
  ): Promise<SharedConversation | null> {
    // A PUBLIC link's answer is the same for every viewer: cacheControlPlugins (src/graphql/apollo.ts) sends it
    // public for SHARE_CACHE_MAX_AGE_SECONDS. A SIGNED_IN link's answer is sent private instead (see ShownLinks).
    return (await ctx.services.shareReader.view(link, { signedIn: ctx.viewer !== null, clientIp: ctx.clientIp, shown: ctx.shown })).conversation;
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
    return ctx.services.shares.preview(viewer, args.conversationId, {
      attribution: args.attribution,
      upToMessageId: args.upToMessageId ?? null,
      redactions: args.redactions?.toRedactions(),
    });
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
      audience: input.audience ?? ShareAudience.PUBLIC,
      upToMessageId: input.upToMessageId ?? null,
      expiresAt: input.expiresAt,
      idempotencyKey: input.idempotencyKey,
      redactions: input.redactions?.toRedactions(),
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
    return ctx.services.shares.refresh(viewer, input.shareId, {
      upToMessageId: input.upToMessageId ?? null,
      redactions: input.redactions?.toRedactions(),
    });
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
  @Mutation(() => SetShareAudiencePayload, {
    description: "Lets anyone with the link open it (PUBLIC) or only signed-in accounts (SIGNED_IN), at once, on the same URL.",
  })
  async setShareAudience(
    @Arg("input", () => SetShareAudienceInput, { description: "The share and its new audience." }) input: SetShareAudienceInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<SetShareAudiencePayload> {
    return { share: await ctx.services.shares.setAudience(viewer, input.shareId, input.audience) };
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

  @FieldResolver(() => String, {
    description: "The link to give out; it always starts with the server's share prefix. Empty when it cannot be shown: urlUnavailableReason then says why.",
  })
  url(@Root() share: Share, @Ctx() ctx: Context): string {
    return ctx.services.shares.urlOf(share) ?? "";
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Why url is empty (the server no longer has the key it was sealed with); null when url can be shown.",
  })
  urlUnavailableReason(@Root() share: Share, @Ctx() ctx: Context): string | null {
    return ctx.services.shares.urlOf(share) === null ? URL_UNAVAILABLE : null;
  }

  @FieldResolver(() => ShareStatus, { description: "Whether the link works now, and if not, why." })
  status(@Root() share: Share): ShareStatus {
    return shareStatus(share, new Date());
  }

  @FieldResolver(() => Int, { description: "How many times the link was viewed. Counted in memory and written in batches; always complete when read here." })
  async viewCount(@Root() share: Share, @Ctx() ctx: Context): Promise<number> {
    return ctx.services.shares.viewCountOf(share, await ctx.loaders.viewTotalsByShareId.load(share.id));
  }

  @FieldResolver(() => DateTimeResolver, { nullable: true, description: "When the link was last viewed; null if never." })
  async lastViewedAt(@Root() share: Share, @Ctx() ctx: Context): Promise<Date | null> {
    return ctx.services.shares.lastViewedAtOf(share, await ctx.loaders.viewTotalsByShareId.load(share.id));
  }

  @FieldResolver(() => ShareActivityConnection, {
    description:
      "What happened to the link, newest first: created, refreshed, attribution changed, revoked, expired, disabled or re-enabled by a moderator, and per UTC day how often it was imported or reported (a count, never who).",
  })
  async activity(@Root() share: Share, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<ShareActivityConnection> {
    const beforeId = decodeCursor(page.after) ?? null;
    const events = await ctx.loaders.activityPages.load({ shareId: share.id, limit: page.first + 1, beforeId, moderationOnly: false });
    return activityPage(events, expiredActivity(share, new Date()), page.first, beforeId);
  }

  @FieldResolver(() => [DailyViews], {
    description:
      "Views per UTC day over the last `days` days, oldest first and today last, one entry per day (0 on days with none). Today's count includes views not yet written. Nothing about viewers is kept.",
  })
  async viewsByDay(@Root() share: Share, @Args(() => ViewsByDayArgs) { days }: ViewsByDayArgs, @Ctx() ctx: Context): Promise<DailyViews[]> {
    const now = new Date();
    const rows = await ctx.loaders.viewDays.load({ shareId: share.id, since: firstDayOf(days, now) });
    return ctx.services.shares.dailyViewsOf(share, rows, days, now);
  }

  @FieldResolver(() => Conversation, { nullable: true, description: "The live conversation the snapshot was taken from." })
  conversation(@Root() share: Share, @Ctx() ctx: Context): Promise<Conversation | null> {
    return ctx.loaders.conversationsById.load(share.conversationId);
  }
}

@Resolver(() => SharedMessage)
export class SharedMessageResolver {
  @FieldResolver(() => [RedactedSpan], {
    description: "Where the content holds a placeholder for text its owner hid, so a client can show it apart from ordinary text; empty when nothing was hidden.",
  })
  redactions(@Root() message: SharedMessage): RedactedRange[] {
    return message.redactions ?? [];
  }

  @FieldResolver(() => Int, {
    description: "How many of the message's files its owner removed from the snapshot (redactions.attachmentIds): a client shows that something is missing, as for hidden text. 0 when none was.",
  })
  removedAttachmentCount(@Root() message: SharedMessage): number {
    return message.removedAttachmentCount ?? 0;
  }
}
