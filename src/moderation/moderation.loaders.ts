import DataLoader from "dataloader";
import { In, type DataSource } from "typeorm";
import { ShareReport } from "./report.entity";
import { MAX_BATCH } from "../common/group-by";
import type { ShareReader } from "../share/share-reader";
import type { SharedConversation } from "../share/shared-conversation.type";

export function createModerationLoaders(dataSource: DataSource, shares: ShareReader) {
  return {
    reportsById: new DataLoader<string, ShareReport | null>(async (ids) => {
      const rows = await dataSource.manager.findBy(ShareReport, { id: In([...ids]) });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }, { maxBatchSize: MAX_BATCH }),
    /** What each reported link shows (or showed, if it no longer works). */
    reportedSnapshotsByShareId: new DataLoader<string, SharedConversation | null>(async (ids) => {
      const snapshots = await shares.snapshotsForModeration(ids);
      return ids.map((id) => snapshots.get(id) ?? null);
    }, { maxBatchSize: MAX_BATCH }),
  };
}
