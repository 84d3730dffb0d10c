// The per-request context: who is asking, a fresh set of DataLoaders, and the (stateless) services.
import type { DataSource } from "typeorm";
import type { User } from "./user/user.entity";
import type { UserService } from "./user/user.service";
import type { ConversationService } from "./conversation/conversation.service";
import type { ShareService } from "./share/share.service";
import { createConversationLoaders } from "./conversation/conversation.loaders";
import { createShareLoaders } from "./share/share.loaders";

export interface Services {
  users: UserService;
  conversations: ConversationService;
  shares: ShareService;
}

export function createLoaders(dataSource: DataSource) {
  return { ...createConversationLoaders(dataSource), ...createShareLoaders(dataSource) };
}
export type Loaders = ReturnType<typeof createLoaders>;

export interface Context {
  /** The signed-in user, or null: anonymous, or a token that no longer works. */
  viewer: User | null;
  loaders: Loaders;
  services: Services;
}
