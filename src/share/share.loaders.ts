import type { DataSource } from "typeorm";
import { loaderById, loaderOfListsBy } from "../common/loaders";
import { Share } from "./share.entity";

export function createShareLoaders(dataSource: DataSource) {
  return {
    sharesById: loaderById(dataSource, Share),
    /** Every link of each conversation, newest first, revoked ones included. */
    sharesByConversationId: loaderOfListsBy(dataSource, Share, "conversationId", { id: "DESC" }),
  };
}
