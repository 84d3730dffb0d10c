// The shares part of "download my data": every link of the viewer, dead or alive, with its snapshot.
import type { DataSource } from "typeorm";
import { NodeType, toGlobalId } from "../common/global-id";
import type { DataExportPart } from "../user/data-export.service";
import { Share, shareStatus, withSnapshot, type Snapshot } from "./share.entity";
import { URL_UNAVAILABLE, type ShareLinks } from "./share-links";
import type { ViewCounter } from "./view-counter";
import { ShareEvent } from "./share-event.entity";
import { ShareViewTotal } from "./share-view-total.entity";
import { expiredActivity, historyOf } from "./share-activity";
import { groupBy } from "../common/group-by";

/** One link sealed under a key rotated out loses its URL here, not the whole export. */
function urlOf(links: ShareLinks, share: Share): { url: string | null; urlUnavailableReason?: string } {
  const url = links.urlOf(share);
  return url === null ? { url, urlUnavailableReason: URL_UNAVAILABLE } : { url };
}

/** The link's history as Share.activity shows it, newest first, without ids. */
function activityOf(share: Share, events: ShareEvent[], now: Date): Record<string, unknown>[] {
  return historyOf(events, expiredActivity(share, now)).map(({ id: _id, ...entry }) => entry);
}

export function shareExport(dataSource: DataSource, links: ShareLinks, views: ViewCounter): DataExportPart {
  return {
    key: "shares",
    async export(viewer, now) {
      const manager = dataSource.manager;
      const [shares, events, totals] = await Promise.all([
        manager.find(Share, { where: { ownerId: viewer.id }, order: { id: "ASC" }, select: withSnapshot(dataSource) }),
        manager.createQueryBuilder(ShareEvent, "e").innerJoin(Share, "s", "s.id = e.share_id").where("s.owner_id = :ownerId", { ownerId: viewer.id }).orderBy("e.id", "DESC").getMany(),
        views.consistently(() =>
          manager.createQueryBuilder(ShareViewTotal, "t").innerJoin(Share, "s", "s.id = t.share_id").where("s.owner_id = :ownerId", { ownerId: viewer.id }).getMany(),
        ),
      ]);
      const eventsByShare = groupBy(events, (e) => e.shareId);
      const storedViews = new Map(totals.map((t) => [t.shareId, t.viewCount]));
      return shares.map((s) => ({
        id: s.nodeId,
        ...urlOf(links, s),
        conversationId: toGlobalId(NodeType.Conversation, s.conversationId),
        status: shareStatus(s, now),
        attribution: s.attribution,
        audience: s.audience,
        createdAt: s.createdAt,
        snapshotAt: s.snapshotAt,
        revokedAt: s.revokedAt,
        expiresAt: s.expiresAt,
        disabledAt: s.disabledAt,
        disabledReason: s.disabledReason,
        viewCount: (storedViews.get(s.id) ?? 0) + (views.pendingFor(s.id)?.count ?? 0),
        snapshot: JSON.parse(s.snapshot ?? "null") as Snapshot | null,
        activity: activityOf(s, eventsByShare.get(s.id) ?? [], now),
      }));
    },
  };
}
