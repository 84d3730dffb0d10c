import DataLoader from "dataloader";
import { In, type DataSource } from "typeorm";
import { groupBy, MAX_BATCH } from "../common/group-by";
import { Share } from "./share.entity";

export function createShareLoaders(dataSource: DataSource) {
  return {
    /** Every link of each conversation, newest first, revoked ones included. */
    sharesByConversationId: new DataLoader<string, Share[]>(async (ids) => {
      const rows = await dataSource.manager.find(Share, { where: { conversationId: In([...ids]) }, order: { id: "DESC" } });
      const groups = groupBy(rows, (s) => s.conversationId);
      return ids.map((id) => groups.get(id) ?? []);
    }, { maxBatchSize: MAX_BATCH }),
  };
}
