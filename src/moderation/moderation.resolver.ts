import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Actor } from "../auth/auth-checker";
import type { RequestActor } from "../auth/actor";
import { Rule } from "../auth/rules";
import { PageArgs } from "../common/connection";
import type { Context } from "../context";
import { ShareStatus, shareStatus } from "../share/share.entity";
import { SharedConversation } from "../share/shared-conversation.type";
import { ModerateShareInput, ReenableShareInput, ReportShareInput } from "./moderation.inputs";
import { ModerateSharePayload, ReenableSharePayload, ReportSharePayload, ShareReportConnection } from "./moderation.payloads";
import { ShareActivityConnection } from "../share/share-activity.type";
import { activityPage } from "../share/share-activity";
import { decodeCursor } from "../common/pagination";
import { ShareReport } from "./report.entity";

@Resolver(() => ShareReport)
export class ModerationResolver {
  @Mutation(() => ReportSharePayload, {
    description: "Reports a working link to the moderators. No login needed; rate-limited per user, or per address when signed out.",
  })
  async reportShare(
    @Arg("input", () => ReportShareInput, { description: "The link, the reason and optional details." }) input: ReportShareInput,
    @Actor() actor: RequestActor,
    @Ctx() ctx: Context,
  ): Promise<ReportSharePayload> {
    const report = await ctx.services.moderation.report(actor, input);
    return { reportId: report.nodeId };
  }

  @Authorized(Rule.ADMIN)
  @Query(() => ShareReportConnection, { description: "Reports about shared links, newest first. Moderators only." })
  shareReports(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<ShareReportConnection> {
    return ctx.services.moderation.listReports(page);
  }

  @Authorized(Rule.ADMIN)
  @Mutation(() => ModerateSharePayload, {
    description: "Disables a link: viewers get what they get for a revoked link, and its owner sees the reason. Moderators only.",
  })
  async moderateShare(
    @Arg("input", () => ModerateShareInput, { description: "The share and the reason." }) input: ModerateShareInput,
    @Ctx() ctx: Context,
  ): Promise<ModerateSharePayload> {
    const share = await ctx.services.moderation.disable(input.shareId, input.reason);
    return { shareId: share.nodeId, disabledAt: share.disabledAt!, disabledReason: share.disabledReason! };
  }

  @Authorized(Rule.ADMIN)
  @Mutation(() => ReenableSharePayload, { description: "Lets a link a moderator disabled work again; its owner sees the reason in the link's activity. Moderators only." })
  async reenableShare(
    @Arg("input", () => ReenableShareInput, { description: "The share and the reason." }) input: ReenableShareInput,
    @Ctx() ctx: Context,
  ): Promise<ReenableSharePayload> {
    const share = await ctx.services.moderation.enable(input.shareId, input.reason);
    return { shareId: share.nodeId, status: shareStatus(share, new Date()) };
  }

  @Authorized(Rule.ADMIN)
  @FieldResolver(() => ShareActivityConnection, {
    description: "The reported link's moderation history, newest first: reports per UTC day (a count, never who), disabling and re-enabling with their reasons.",
  })
  async moderationActivity(@Root() report: ShareReport, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<ShareActivityConnection> {
    const beforeId = decodeCursor(page.after) ?? null;
    const events = await ctx.loaders.activityPages.load({ shareId: report.shareId, limit: page.first + 1, beforeId, moderationOnly: true });
    return activityPage(events, null, page.first, beforeId);
  }

  @Authorized(Rule.ADMIN)
  @FieldResolver(() => ShareStatus, { nullable: true, description: "Whether the reported link works now; null if it was deleted since." })
  async shareStatus(@Root() report: ShareReport, @Ctx() ctx: Context): Promise<ShareStatus | null> {
    const share = await ctx.loaders.sharesById.load(report.shareId);
    return share ? shareStatus(share, new Date()) : null;
  }

  @Authorized(Rule.ADMIN)
  @FieldResolver(() => SharedConversation, {
    nullable: true,
    description: "What the link shows (or showed, if it no longer works), as its viewers see it; null if it was deleted since.",
  })
  sharedConversation(@Root() report: ShareReport, @Ctx() ctx: Context): Promise<SharedConversation | null> {
    return ctx.loaders.reportedSnapshotsByShareId.load(report.shareId);
  }
}
