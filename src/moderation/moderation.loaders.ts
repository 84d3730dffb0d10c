import DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { ShareReport } from "./report.entity";
import { MAX_BATCH } from "../common/group-by";
import type { ShareReader } from "../share/share-reader";
import { loaderById } from "../common/loaders";
import type { SharedConversation } from "../share/shared-conversation.type";

export function createModerationLoaders(dataSource: DataSource, shares: ShareReader) {
  return {
    reportsById: loaderById(dataSource, ShareReport),
    /** What each reported link shows (or showed, if it no longer works). */
    reportedSnapshotsByShareId: new DataLoader<string, SharedConversation | null>(async (ids) => {
      const snapshots = await shares.snapshotsForModeration(ids);
      return ids.map((id) => snapshots.get(id) ?? null);
    }, { maxBatchSize: MAX_BATCH }),
  };
}
