// Batched reads of links' history, views per day and conversations' sharing badges: a page of 100 parents costs a
// constant number of statements.
import DataLoader from "dataloader";
import { In, MoreThanOrEqual, type DataSource } from "typeorm";
import { groupBy, MAX_BATCH } from "../common/group-by";
import { timestampParam } from "../db/dialect";
import { Share, SHARE_STATUS_SQL, ShareStatus } from "./share.entity";
import { MODERATION_KINDS, ShareEvent, ShareViewDay } from "./share-event.entity";
import { utcDate } from "../db/entity-rows";
import type { ConversationSharing } from "./share-activity.type";
import type { ViewCounter } from "./view-counter";

export interface ActivityPageKey {
  shareId: string;
  /** Rows wanted: a page's first + 1, so the extra one says whether more follow. */
  limit: number;
  /** Only events older than this id; null for the newest. */
  beforeId: string | null;
  /** Moderators see only moderation events. */
  moderationOnly: boolean;
}

/** The newest `limit` events of each share, one statement per distinct (limit, beforeId, moderationOnly) plus one read. */
async function loadActivity(dataSource: DataSource, keys: readonly ActivityPageKey[]): Promise<ShareEvent[][]> {
  const found = new Map<string, ShareEvent[]>();
  for (const group of groupBy([...keys], (k) => `${k.limit}:${k.beforeId}:${k.moderationOnly}`).values()) {
    const { limit, beforeId, moderationOnly } = group[0];
    const ranked = dataSource
      .createQueryBuilder()
      .select("e.id", "id")
      .addSelect("ROW_NUMBER() OVER (PARTITION BY e.share_id ORDER BY e.id DESC)", "rn")
      .from(ShareEvent, "e")
      .where("e.share_id IN (:...ids)", { ids: group.map((k) => k.shareId) });
    if (beforeId) ranked.andWhere("e.id < :beforeId", { beforeId });
    if (moderationOnly) ranked.andWhere("e.kind IN (:...kinds)", { kinds: MODERATION_KINDS });
    const picked = await dataSource
      .createQueryBuilder()
      .select("r.id", "id")
      .from(`(${ranked.getQuery()})`, "r")
      .setParameters(ranked.getParameters())
      .where("r.rn <= :limit", { limit })
      .getRawMany<{ id: string }>();
    const rows = picked.length ? await dataSource.manager.find(ShareEvent, { where: { id: In(picked.map((p) => p.id)) }, order: { id: "DESC" } }) : [];
    const byShare = groupBy(rows, (e) => e.shareId);
    for (const k of group) found.set(JSON.stringify(k), byShare.get(k.shareId) ?? []);
  }
  return keys.map((k) => found.get(JSON.stringify(k))!);
}

interface SharingRow {
  conversationId: string;
  active: number | string;
  lastSharedAt: Date | string | null;
}

/** One GROUP BY over the conversations' links, whatever their number. */
async function loadSharing(dataSource: DataSource, conversationIds: readonly string[]): Promise<ConversationSharing[]> {
  const rows = await dataSource.manager
    .createQueryBuilder(Share, "s")
    .select("s.conversation_id", "conversationId")
    .addSelect(`SUM(CASE WHEN ${SHARE_STATUS_SQL[ShareStatus.ACTIVE]} THEN 1 ELSE 0 END)`, "active")
    .addSelect("MAX(s.created_at)", "lastSharedAt")
    .where("s.conversation_id IN (:...conversationIds)", { conversationIds, now: timestampParam(dataSource, new Date()) })
    .groupBy("s.conversation_id")
    .getRawMany<SharingRow>();
  const byId = new Map(rows.map((r) => [r.conversationId, { activeLinkCount: Number(r.active), lastSharedAt: utcDate(r.lastSharedAt) }]));
  return conversationIds.map((id) => byId.get(id) ?? { activeLinkCount: 0, lastSharedAt: null });
}

export function createShareActivityLoaders(dataSource: DataSource, views: ViewCounter) {
  return {
    activityPages: new DataLoader<ActivityPageKey, ShareEvent[], string>((keys) => loadActivity(dataSource, keys), {
      maxBatchSize: MAX_BATCH,
      cacheKeyFn: (k) => JSON.stringify(k),
    }),
    /** Each share's per-day view rows from a UTC day (YYYY-MM-DD) on, oldest first; read so that adding views.pendingFor() counts each view once. */
    viewDays: new DataLoader<{ shareId: string; since: string }, ShareViewDay[], string>(async (keys) => {
      const since = keys.map((k) => k.since).sort()[0];
      const where = { shareId: In(keys.map((k) => k.shareId)), day: MoreThanOrEqual(since) };
      const byShare = groupBy(await views.consistently(() => dataSource.manager.find(ShareViewDay, { where, order: { day: "ASC" } })), (r) => r.shareId);
      return keys.map((k) => (byShare.get(k.shareId) ?? []).filter((r) => r.day >= k.since));
    }, { maxBatchSize: MAX_BATCH, cacheKeyFn: (k) => `${k.shareId} ${k.since}` }),
    sharingByConversationId: new DataLoader<string, ConversationSharing>((ids) => loadSharing(dataSource, ids), { maxBatchSize: MAX_BATCH }),
  };
}
