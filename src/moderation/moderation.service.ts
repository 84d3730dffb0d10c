import type { DataSource } from "typeorm";
import { NotFoundError, RateLimitedError } from "../common/errors";
import { newId } from "../common/ids";
import { findPage, type Page } from "../common/pagination";
import type { RateLimiter } from "../common/rate-limit";
import type { Transactions } from "../db/transactions";
import { Share } from "../share/share.entity";
import type { ShareReader } from "../share/share-reader";
import type { SnapshotCache } from "../share/snapshot-cache";
import type { RequestActor } from "../auth/actor";
import { ShareEventKind } from "../share/share-event.entity";
import { countShareEvent, recordShareEvents } from "../share/share-events";
import { ReportReason, ShareReport } from "./report.entity";

export class ModerationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly shares: ShareReader,
    private readonly reportLimiter: RateLimiter,
    private readonly linkCache: SnapshotCache,
  ) {}

  /** Files a report about a working link. Anyone may, within a rate limit per user (or per address when signed out). */
  async report(
    reporter: RequestActor,
    input: { link: string; reason: ReportReason; details?: string | null },
  ): Promise<ShareReport> {
    const token = this.shares.tokenOf(input.link);
    const key = reporter.viewer ? `user:${reporter.viewer.id}` : `ip:${reporter.clientIp}`;
    const decision = await this.reportLimiter.consume(key);
    if (!decision.allowed) throw new RateLimitedError("reports", decision.retryAfterSeconds);
    const shareId = await this.shares.liveShareId(token);
    if (!shareId) throw new NotFoundError("Shared conversation");
    const report = this.dataSource.manager.create(ShareReport, {
      id: newId(),
      shareId,
      reporterId: reporter.viewer?.id ?? null,
      reason: input.reason,
      details: input.details?.trim() || null,
      createdAt: new Date(),
    });
    await this.transactions.write(async (manager) => {
      await manager.insert(ShareReport, report);
      await countShareEvent(manager, shareId, ShareEventKind.REPORTED, report.createdAt);
    });
    return report;
  }

  listReports(page: { first: number; after?: string | null }): Promise<Page<ShareReport>> {
    return findPage(this.dataSource.manager, ShareReport, {}, page);
  }

  /** Disables a link for everyone; its owner sees the reason. Disabling again keeps the first time and reason. */
  disable(shareId: string, reason: string): Promise<Share> {
    return this.transactions.write(async (manager) => {
      const share = await manager.findOneBy(Share, { id: shareId });
      if (!share) throw new NotFoundError("Share");
      if (!share.disabledAt) {
        Object.assign(share, { disabledAt: new Date(), disabledReason: reason.trim() });
        await manager.update(Share, { id: share.id }, { disabledAt: share.disabledAt, disabledReason: share.disabledReason });
        await recordShareEvents(manager, [share.id], ShareEventKind.DISABLED, { reason: share.disabledReason! }, share.disabledAt!);
      }
      return share;
    }).finally(() => this.linkCache.forgetShares([shareId]));
  }

  /** Lifts a moderator's disabling: the link works again unless revoked or expired meanwhile. Its owner sees the reason. */
  enable(shareId: string, reason: string): Promise<Share> {
    return this.transactions.write(async (manager) => {
      const share = await manager.findOneBy(Share, { id: shareId });
      if (!share) throw new NotFoundError("Share");
      if (share.disabledAt) {
        Object.assign(share, { disabledAt: null, disabledReason: null });
        await manager.update(Share, { id: share.id }, { disabledAt: null, disabledReason: null });
        await recordShareEvents(manager, [share.id], ShareEventKind.REENABLED, { reason: reason.trim() });
      }
      return share;
    }).finally(() => this.linkCache.forgetShares([shareId]));
  }
}
