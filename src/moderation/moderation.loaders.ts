import DataLoader from "dataloader";
import { MAX_BATCH } from "../common/group-by";
import type { ShareService } from "../share/share.service";
import type { SharedConversation } from "../share/shared-conversation.type";

export function createModerationLoaders(shares: ShareService) {
  return {
    /** What each reported link shows (or showed, if it no longer works). */
    reportedSnapshotsByShareId: new DataLoader<string, SharedConversation | null>(async (ids) => {
      const snapshots = await shares.snapshotsForModeration(ids);
      return ids.map((id) => snapshots.get(id) ?? null);
    }, { maxBatchSize: MAX_BATCH }),
  };
}
