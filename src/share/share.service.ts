import type { DataSource, EntityManager } from "typeorm";
import { NotFoundError } from "../common/errors";
import { newId } from "../common/ids";
import { findOwnedPage, type Page } from "../common/pagination";
import type { Transactions } from "../db/transactions";
import type { ConversationService } from "../conversation/conversation.service";
import type { Conversation } from "../conversation/conversation.entity";
import { User } from "../user/user.entity";
import { Share, ShareAttribution, type Snapshot } from "./share.entity";
import type { ShareLinks } from "./share-links";
import type { SharedConversation } from "./shared-conversation.type";

interface LiveShareRow {
  snapshot: string;
  attribution: ShareAttribution;
  createdAt: Date | string;
  displayName: string;
}

// Raw rows skip TypeORM's hydration: SQLite hands back "YYYY-MM-DD HH:MM:SS.SSS" in UTC, other drivers a Date.
function utcDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value.replace(" ", "T") + "Z");
}

export class ShareService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly conversations: ConversationService,
    readonly links: ShareLinks,
  ) {}

  /** Freezes the conversation as it is now behind a new link. */
  share(viewer: User, conversationId: string, attribution: ShareAttribution): Promise<Share> {
    return this.transactions.write(async (manager) => {
      const conversation = await this.conversations.getOwned(viewer, conversationId, manager);
      const messages = await this.conversations.messagesOf(conversationId, manager);
      const snapshot: Snapshot = { title: conversation.title, messages: messages.map(({ role, content }) => ({ role, content })) };
      const { tokenHash, tokenSealed } = this.links.mint();
      const share = manager.create(Share, {
        id: newId(),
        ownerId: viewer.id,
        conversationId,
        tokenHash,
        tokenSealed,
        attribution,
        title: snapshot.title,
        messageCount: snapshot.messages.length,
        snapshot: JSON.stringify(snapshot),
        createdAt: new Date(),
        revokedAt: null,
      });
      await manager.insert(Share, share);
      delete share.snapshot;
      return share;
    });
  }

  setAttribution(viewer: User, shareId: string, attribution: ShareAttribution): Promise<Share> {
    return this.transactions.write(async (manager) => {
      const share = await this.getOwned(viewer, shareId, manager);
      if (share.attribution !== attribution) {
        await manager.update(Share, { id: share.id }, { attribution });
        share.attribution = attribution;
      }
      return share;
    });
  }

  /** Kills the link for good; revoking a revoked link changes nothing. */
  revoke(viewer: User, shareId: string): Promise<Share> {
    return this.transactions.write(async (manager) => {
      const share = await this.getOwned(viewer, shareId, manager);
      if (!share.revokedAt) {
        share.revokedAt = new Date();
        await manager.update(Share, { id: share.id }, { revokedAt: share.revokedAt });
      }
      return share;
    });
  }

  listMine(viewer: User, page: { first: number; after?: string | null }): Promise<Page<Share>> {
    return findOwnedPage(this.dataSource.manager, Share, viewer.id, page);
  }

  /** What anyone with the link sees, or null for a link that does not work, whatever the reason. */
  async view(link: string): Promise<SharedConversation | null> {
    const row = await this.findLive(this.dataSource.manager, this.links.tokenOf(link));
    if (!row) return null;
    const snapshot = JSON.parse(row.snapshot) as Snapshot;
    return {
      title: snapshot.title,
      sharedBy: row.attribution === ShareAttribution.NAMED ? row.displayName : null,
      sharedAt: utcDate(row.createdAt),
      messages: snapshot.messages,
    };
  }

  /** Copies a live snapshot into a new conversation of the viewer's, independent of the original from then on. */
  importShare(viewer: User, link: string): Promise<Conversation> {
    const token = this.links.tokenOf(link);
    return this.transactions.write(async (manager) => {
      const row = await this.findLive(manager, token);
      if (!row) throw new NotFoundError("Shared conversation");
      const snapshot = JSON.parse(row.snapshot) as Snapshot;
      return this.conversations.insert(manager, viewer.id, snapshot.title, snapshot.messages);
    });
  }

  private async getOwned(viewer: User, shareId: string, manager: EntityManager): Promise<Share> {
    const share = await manager.findOneBy(Share, { id: shareId, ownerId: viewer.id });
    if (!share) throw new NotFoundError("Share");
    return share;
  }

  /** One indexed read: the snapshot of a link that is neither revoked nor owned by a deactivated account. */
  private findLive(manager: EntityManager, token: string): Promise<LiveShareRow | undefined> {
    return manager
      .createQueryBuilder(Share, "s")
      .innerJoin(User, "u", "u.id = s.owner_id")
      .select(["s.snapshot AS snapshot", "s.attribution AS attribution", "s.created_at AS createdAt", "u.display_name AS displayName"])
      .where("s.token_hash = :tokenHash", { tokenHash: this.links.hash(token) })
      .andWhere("s.revoked_at IS NULL")
      .andWhere("u.deactivated_at IS NULL")
      .getRawOne<LiveShareRow>();
  }
}
