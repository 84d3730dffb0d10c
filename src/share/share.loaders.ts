import type { DataSource } from "typeorm";
import { loaderById, loaderOfListsBy, loaderOfOneBy } from "../common/loaders";
import { Share } from "./share.entity";
import { ShareViewTotal } from "./share-view-total.entity";
import type { ViewCounter } from "./view-counter";

export function createShareLoaders(dataSource: DataSource, views: ViewCounter) {
  return {
    sharesById: loaderById(dataSource, Share),
    /** Every link of each conversation, newest first, revoked ones included. */
    sharesByConversationId: loaderOfListsBy(dataSource, Share, "conversationId", { id: "DESC" }),
    /** Each link's written view total; null for one never counted. Read so that adding views.pendingFor() counts each view once. */
    viewTotalsByShareId: loaderOfOneBy(dataSource, ShareViewTotal, "shareId", (read) => views.consistently(read)),
  };
}
