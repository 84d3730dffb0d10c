// The conversations part of "download my data": every conversation of the viewer with its messages.
import type { DataSource } from "typeorm";
import type { DataExportPart } from "../user/data-export.service";
import { Conversation } from "./conversation.entity";
import { Message } from "./message.entity";

export function conversationExport(dataSource: DataSource): DataExportPart {
  return {
    key: "conversations",
    async export(viewer) {
      const manager = dataSource.manager;
      const [conversations, messages] = await Promise.all([
        manager.find(Conversation, { where: { ownerId: viewer.id }, order: { id: "ASC" } }),
        manager.find(Message, { where: { ownerId: viewer.id }, order: { conversationId: "ASC", position: "ASC" } }),
      ]);
      return conversations.map((c) => ({
        id: c.nodeId,
        title: c.title,
        createdAt: c.createdAt,
        importedFrom: c.importedFromTitle ? { title: c.importedFromTitle, sharedAt: c.importedFromSharedAt } : null,
        messages: messages
          .filter((m) => m.conversationId === c.id)
          .map((m) => ({ id: m.nodeId, role: m.role, content: m.content, createdAt: m.createdAt })),
      }));
    },
  };
}
