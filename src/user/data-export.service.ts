// "Download my data": everything kept about the viewer, as one JSON document.
import type { DataSource } from "typeorm";
import { NodeType, toGlobalId } from "../common/global-id";
import { Conversation } from "../conversation/conversation.entity";
import { Message } from "../conversation/message.entity";
import { Share, shareStatus, withSnapshot, type Snapshot } from "../share/share.entity";
import { URL_UNAVAILABLE, type ShareLinks } from "../share/share-links";
import type { ViewCounter } from "../share/view-counter";
import { ShareEvent } from "../share/share-event.entity";
import { expiredActivity, historyOf } from "../share/share-activity";
import { groupBy } from "../common/group-by";
import type { User } from "./user.entity";

export const EXPORT_FORMAT_VERSION = 1;

export class DataExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: ShareLinks,
    private readonly views: ViewCounter,
  ) {}

  async export(viewer: User): Promise<Record<string, unknown>> {
    const manager = this.dataSource.manager;
    const [conversations, messages, shares, events] = await Promise.all([
      manager.find(Conversation, { where: { ownerId: viewer.id }, order: { id: "ASC" } }),
      manager.find(Message, { where: { ownerId: viewer.id }, order: { conversationId: "ASC", position: "ASC" } }),
      manager.find(Share, { where: { ownerId: viewer.id }, order: { id: "ASC" }, select: withSnapshot(this.dataSource) }),
      manager.createQueryBuilder(ShareEvent, "e").innerJoin(Share, "s", "s.id = e.share_id").where("s.owner_id = :ownerId", { ownerId: viewer.id }).orderBy("e.id", "DESC").getMany(),
    ]);
    const eventsByShare = groupBy(events, (e) => e.shareId);
    const now = new Date();
    return {
      formatVersion: EXPORT_FORMAT_VERSION,
      user: { id: viewer.nodeId, email: viewer.email, displayName: viewer.displayName, role: viewer.role, createdAt: viewer.createdAt },
      conversations: conversations.map((c) => ({
        id: c.nodeId,
        title: c.title,
        createdAt: c.createdAt,
        importedFrom: c.importedFromTitle ? { title: c.importedFromTitle, sharedAt: c.importedFromSharedAt } : null,
        messages: messages
          .filter((m) => m.conversationId === c.id)
          .map((m) => ({ id: m.nodeId, role: m.role, content: m.content, createdAt: m.createdAt })),
      })),
      shares: shares.map((s) => ({
        id: s.nodeId,
        ...this.urlOf(s),
        conversationId: toGlobalId(NodeType.Conversation, s.conversationId),
        status: shareStatus(s, now),
        attribution: s.attribution,
        createdAt: s.createdAt,
        snapshotAt: s.snapshotAt,
        revokedAt: s.revokedAt,
        expiresAt: s.expiresAt,
        disabledAt: s.disabledAt,
        disabledReason: s.disabledReason,
        viewCount: s.viewCount + (this.views.pendingFor(s.id)?.count ?? 0),
        snapshot: JSON.parse(s.snapshot ?? "null") as Snapshot | null,
        activity: this.activityOf(s, eventsByShare.get(s.id) ?? [], now),
      })),
    };
  }

  /** The link's history as Share.activity shows it, newest first, without ids. */
  private activityOf(share: Share, events: ShareEvent[], now: Date): Record<string, unknown>[] {
    return historyOf(events, expiredActivity(share, now)).map(({ id: _id, ...entry }) => entry);
  }

  /** One link sealed under a key rotated out loses its URL here, not the whole export. */
  private urlOf(share: Share): { url: string | null; urlUnavailableReason?: string } {
    const url = this.links.urlOf(share);
    return url === null ? { url, urlUnavailableReason: URL_UNAVAILABLE } : { url };
  }
}
