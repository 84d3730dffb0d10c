import type { DataSource } from "typeorm";
import { loaderById, loaderOfListsBy, loaderOfOneBy } from "../common/loaders";
import { Share } from "./share.entity";
import { ShareViewTotal } from "./share-view-total.entity";

export function createShareLoaders(dataSource: DataSource) {
  return {
    sharesById: loaderById(dataSource, Share),
    /** Every link of each conversation, newest first, revoked ones included. */
    sharesByConversationId: loaderOfListsBy(dataSource, Share, "conversationId", { id: "DESC" }),
    /** Each link's written view total; null for one never counted. */
    viewTotalsByShareId: loaderOfOneBy(dataSource, ShareViewTotal, "shareId"),
  };
}
