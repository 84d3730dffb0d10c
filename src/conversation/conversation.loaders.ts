import DataLoader from "dataloader";
import { In, type DataSource } from "typeorm";
import { Conversation } from "./conversation.entity";
import { Message } from "./message.entity";
import { groupBy, MAX_BATCH } from "../common/group-by";

export function createConversationLoaders(dataSource: DataSource) {
  return {
    conversationsById: new DataLoader<string, Conversation | null>(async (ids) => {
      const rows = await dataSource.manager.findBy(Conversation, { id: In([...ids]) });
      const byId = new Map(rows.map((c) => [c.id, c]));
      return ids.map((id) => byId.get(id) ?? null);
    }, { maxBatchSize: MAX_BATCH }),
    messagesByConversationId: new DataLoader<string, Message[]>(async (ids) => {
      const rows = await dataSource.manager.find(Message, {
        where: { conversationId: In([...ids]) },
        order: { conversationId: "ASC", position: "ASC" },
      });
      const groups = groupBy(rows, (m) => m.conversationId);
      return ids.map((id) => groups.get(id) ?? []);
    }, { maxBatchSize: MAX_BATCH }),
  };
}

