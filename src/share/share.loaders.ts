import DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { loaderById, loaderOfListsBy } from "../common/loaders";
import { MAX_BATCH } from "../common/group-by";
import { entityRows } from "../db/entity-rows";
import { Share } from "./share.entity";
import { ShareViewTotal } from "./share-view-total.entity";
import type { ViewCounter } from "./view-counter";

export function createShareLoaders(dataSource: DataSource, views: ViewCounter) {
  const totals = entityRows(dataSource, ShareViewTotal);
  return {
    sharesById: loaderById(dataSource, Share),
    /** Every link of each conversation, newest first, revoked ones included. */
    sharesByConversationId: loaderOfListsBy(dataSource, Share, "conversationId", { id: "DESC" }),
    /** Each link's written view total; null for one never counted. Read so that adding views.pendingFor() counts each view once. */
    viewTotalsByShareId: new DataLoader<string, ShareViewTotal | null>(async (ids) => {
      const byId = new Map((await views.consistently(() => totals.whereIn(dataSource.manager, "shareId", ids))).map((t) => [t.shareId, t]));
      return ids.map((id) => byId.get(id) ?? null);
    }, { maxBatchSize: MAX_BATCH }),
  };
}
