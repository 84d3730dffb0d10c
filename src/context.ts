// The per-request context: who is asking, a fresh set of DataLoaders, and the (stateless) services.
import type { DataSource } from "typeorm";
import type { User } from "./user/user.entity";
import type { Logger } from "./common/logger";
import type { UserService } from "./user/user.service";
import type { ConversationService } from "./conversation/conversation.service";
import type { ShareService } from "./share/share.service";
import type { ShareReader } from "./share/share-reader";
import type { DataExportService } from "./user/data-export.service";
import type { ModerationService } from "./moderation/moderation.service";
import { createConversationLoaders } from "./conversation/conversation.loaders";
import { createShareLoaders } from "./share/share.loaders";
import { createShareActivityLoaders } from "./share/share-activity.loaders";
import { createModerationLoaders } from "./moderation/moderation.loaders";
import { createAttachmentLoaders } from "./attachment/attachment.loaders";
import type { AttachmentService } from "./attachment/attachment.service";
import type { ShownLinks } from "./share/public-responses";

export interface Services {
  users: UserService;
  conversations: ConversationService;
  shares: ShareService;
  /** The public read path: what a link shows to anyone who has it. */
  shareReader: ShareReader;
  dataExport: DataExportService;
  moderation: ModerationService;
  attachments: AttachmentService;
}

export function createLoaders(dataSource: DataSource, services: Services) {
  return {
    ...createConversationLoaders(dataSource),
    ...createShareLoaders(dataSource, services.shares.views),
    ...createShareActivityLoaders(dataSource, services.shares.views),
    ...createModerationLoaders(dataSource, services.shareReader),
    ...createAttachmentLoaders(dataSource),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;

export interface Context {
  /** The signed-in user, or null: anonymous, or a token that no longer works. */
  viewer: User | null;
  /** The address the request came from: the key of per-address rate limits. */
  clientIp: string;
  loaders: Loaders;
  services: Services;
  /** Logger whose lines carry this request's id. */
  log: Logger;
  /** Told which links the answer shows, for the public response cache; absent where no answer is kept. */
  shown?: ShownLinks;
}
