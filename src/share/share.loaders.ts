import DataLoader from "dataloader";
import { In, type DataSource } from "typeorm";
import { groupBy, MAX_BATCH } from "../common/group-by";
import { Share } from "./share.entity";

export function createShareLoaders(dataSource: DataSource) {
  return {
    sharesById: new DataLoader<string, Share | null>(async (ids) => {
      const rows = await dataSource.manager.findBy(Share, { id: In([...ids]) });
      const byId = new Map(rows.map((s) => [s.id, s]));
      return ids.map((id) => byId.get(id) ?? null);
    }, { maxBatchSize: MAX_BATCH }),
    /** Every link of each conversation, newest first, revoked ones included. */
    sharesByConversationId: new DataLoader<string, Share[]>(async (ids) => {
      const rows = await dataSource.manager.find(Share, { where: { conversationId: In([...ids]) }, order: { id: "DESC" } });
      const groups = groupBy(rows, (s) => s.conversationId);
      return ids.map((id) => groups.get(id) ?? []);
    }, { maxBatchSize: MAX_BATCH }),
  };
}
