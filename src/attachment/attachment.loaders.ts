import type { DataSource } from "typeorm";
import { loaderOfListsBy } from "../common/loaders";
import { Attachment } from "./attachment.entity";

export function createAttachmentLoaders(dataSource: DataSource) {
  return {
    /** A page of messages costs one statement for all their attachments. */
    attachmentsByMessageId: loaderOfListsBy(dataSource, Attachment, "messageId", { messageId: "ASC", position: "ASC" }),
  };
}
