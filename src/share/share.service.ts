import { IsNull, type DataSource, type EntityManager } from "typeorm";
import { enforce, type RateLimiter } from "../common/rate-limit";
import { idempotent } from "../idempotency/idempotency";
import { BadInputError, NotFoundError } from "../common/errors";
import { newId } from "../common/ids";
import { decodeCursor, toPage, type Page } from "../common/pagination";
import { containsPattern, timestampParam } from "../db/dialect";
import type { Transactions } from "../db/transactions";
import type { ConversationService } from "../conversation/conversation.service";
import { Conversation } from "../conversation/conversation.entity";
import type { User } from "../user/user.entity";
import { Share, type ShareAttribution, ShareStatus, SHARE_STATUS_SQL, shareStatus, withSnapshot, type Snapshot } from "./share.entity";
import type { ShareLinks } from "./share-links";
import type { SharedConversation } from "./shared-conversation.type";
import { findSensitiveData, type SensitiveDataWarning } from "./sensitive-data";
import type { ViewCounter } from "./view-counter";
import type { SnapshotCache } from "./snapshot-cache";
import { presentSnapshot, withFileUrls, type ShareReader } from "./share-reader";
import { freeze, type AttachmentService } from "../attachment/attachment.service";

const DAY_MS = 24 * 3600 * 1000;

export interface ShareOptions {
  attribution: ShareAttribution;
  upToMessageId?: string | null;
  expiresAt?: Date | null;
  idempotencyKey?: string | null;
}

export interface ShareLimits {
  sharesPerUser: RateLimiter;
  importsPerUser: RateLimiter;
}

export interface ShareFilter {
  status?: ShareStatus | null;
  search?: string | null;
}

export class ShareService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly conversations: ConversationService,
    /** Public only for tests, which look up hashes and flush view counts: modules use the methods below. */
    readonly links: ShareLinks,
    readonly views: ViewCounter,
    private readonly reader: ShareReader,
    /** Furthest expiresAt allowed, in days from now. */
    private readonly maxLifetimeDays: number,
    private readonly limits: ShareLimits,
    private readonly cache: SnapshotCache,
    private readonly attachments: AttachmentService,
  ) {}

  /** Freezes the conversation as it is now (up to a message, if asked) behind a new link. */
  async share(viewer: User, conversationId: string, options: ShareOptions): Promise<{ share: Share; warnings: SensitiveDataWarning[] }> {
    const now = new Date();
    this.checkExpiry(options.expiresAt, now);
    const share = await this.transactions.write((manager) =>
      idempotent(
        manager,
        { userId: viewer.id, key: options.idempotencyKey, operation: "shareConversation" },
        // Counted only when something is created: a retry of a done request gets its result, not RATE_LIMITED.
        async () => {
          await enforce(this.limits.sharesPerUser, viewer.id, "new links");
          return this.insertShare(manager, viewer, conversationId, options, now);
        },
        (id) => manager.findOne(Share, { where: { id, ownerId: viewer.id }, select: withSnapshot(manager.connection) }),
      ),
    );
    const { messages } = JSON.parse(share.snapshot!) as Snapshot;
    delete share.snapshot;
    return { share, warnings: findSensitiveData(messages) };
  }

  private async insertShare(manager: EntityManager, viewer: User, conversationId: string, options: ShareOptions, now: Date): Promise<Share> {
    const shareId = newId();
    const snapshot = await this.takeSnapshot(manager, viewer, conversationId, options.upToMessageId, shareId);
    const { tokenHash, tokenSealed } = this.links.mint();
    const share = manager.create(Share, {
      id: shareId,
      ownerId: viewer.id,
      conversationId,
      tokenHash,
      tokenSealed,
      attribution: options.attribution,
      title: snapshot.title,
      messageCount: snapshot.messages.length,
      snapshot: JSON.stringify(snapshot),
      snapshotAt: now,
      createdAt: now,
      revokedAt: null,
      expiresAt: options.expiresAt ?? null,
      disabledAt: null,
      disabledReason: null,
      viewCount: 0,
      lastViewedAt: null,
    });
    await manager.insert(Share, share);
    return share;
  }

  /** Exactly what viewers would see if the conversation were shared now, and what in it looks sensitive. */
  async preview(
    viewer: User,
    conversationId: string,
    options: { upToMessageId?: string | null; attribution: ShareAttribution },
  ): Promise<{ conversation: SharedConversation; warnings: SensitiveDataWarning[] }> {
    const snapshot = await this.takeSnapshot(this.dataSource.manager, viewer, conversationId, options.upToMessageId);
    return {
      // The files are not frozen yet: the owner's own addresses show them.
      conversation: withFileUrls(presentSnapshot(snapshot, options.attribution, viewer.displayName, new Date()), "/files/"),
      warnings: findSensitiveData(snapshot.messages),
    };
  }

  /** Replaces the snapshot behind the same URL with the conversation as it is now; attribution and expiry stay. */
  refresh(viewer: User, shareId: string, upToMessageId?: string | null): Promise<{ share: Share; warnings: SensitiveDataWarning[] }> {
    return this.transactions.write(async (manager) => {
      const share = await this.getOwned(viewer, shareId, manager);
      const now = new Date();
      if (shareStatus(share, now) !== ShareStatus.ACTIVE) {
        throw new BadInputError("Only a working link can be refreshed: this one is revoked, expired or disabled.", { field: "shareId" });
      }
      // The old snapshot's files go with it (their bytes too, unless something else still refers to them).
      await this.attachments.erase(manager, { shareId: share.id });
      const snapshot = await this.takeSnapshot(manager, viewer, share.conversationId, upToMessageId, share.id);
      const changes = { snapshot: JSON.stringify(snapshot), title: snapshot.title, messageCount: snapshot.messages.length, snapshotAt: now };
      await manager.update(Share, { id: share.id }, changes);
      Object.assign(share, changes);
      delete share.snapshot;
      return { share, warnings: findSensitiveData(snapshot.messages) };
    }).finally(() => this.cache.forgetShares([shareId]));
  }

  setAttribution(viewer: User, shareId: string, attribution: ShareAttribution): Promise<Share> {
    return this.transactions.write(async (manager) => {
      const share = await this.getOwned(viewer, shareId, manager);
      if (share.attribution !== attribution) {
        await manager.update(Share, { id: share.id }, { attribution });
        share.attribution = attribution;
      }
      return share;
    }).finally(() => this.cache.forgetShares([shareId]));
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
    }).finally(() => this.cache.forgetShares([shareId]));
  }

  /** Revokes every link of the viewer not revoked yet (of one conversation, if given), all or none. */
  async revokeAll(viewer: User, conversationId?: string | null): Promise<Share[]> {
    const revoked = await this.transactions.write(async (manager) => {
      if (conversationId) await this.conversations.getOwned(viewer, conversationId, manager);
      const where = { ownerId: viewer.id, revokedAt: IsNull(), ...(conversationId ? { conversationId } : {}) };
      const shares = await manager.find(Share, { where, order: { id: "DESC" } });
      const now = new Date();
      if (shares.length > 0) await manager.update(Share, where, { revokedAt: now });
      for (const share of shares) share.revokedAt = now;
      return shares;
    });
    await this.cache.forgetShares(revoked.map((s) => s.id));
    return revoked;
  }

  async listMine(viewer: User, page: { first: number; after?: string | null }, filter: ShareFilter = {}): Promise<Page<Share>> {
    const afterId = decodeCursor(page.after);
    const now = timestampParam(this.dataSource, new Date());
    const query = this.dataSource.manager.createQueryBuilder(Share, "s").where("s.owner_id = :ownerId", { ownerId: viewer.id });
    if (afterId) query.andWhere("s.id < :afterId", { afterId });
    if (filter.status) query.andWhere(SHARE_STATUS_SQL[filter.status], { now });
    const search = filter.search?.trim();
    if (search) query.andWhere("LOWER(s.title) LIKE LOWER(:pattern) ESCAPE '\\'", { pattern: containsPattern(search) });
    const rows = await query.orderBy("s.id", "DESC").limit(page.first + 1).getMany();
    return toPage(rows, page.first);
  }

  /** Copies a live snapshot into a new conversation of the viewer's, independent of the original from then on. */
  async importShare(viewer: User, link: string, idempotencyKey?: string | null): Promise<Conversation> {
    const token = this.links.tokenOf(link);
    return this.transactions.write((manager) =>
      idempotent(
        manager,
        { userId: viewer.id, key: idempotencyKey, operation: "importShare" },
        async () => {
          await enforce(this.limits.importsPerUser, viewer.id, "imports");
          // Read inside the transaction, not from the cache: the copy must be of what the database holds now.
          const live = await this.reader.findLiveIn(manager, token);
          if (!live) throw new NotFoundError("Shared conversation");
          const { title } = live.snapshot;
          const messages = await this.withFileCopies(manager, live.shareId, live.snapshot);
          return this.conversations.insert(manager, viewer.id, title, messages, { title, sharedAt: live.view.sharedAt });
        },
        (id) => manager.findOneBy(Conversation, { id, ownerId: viewer.id }),
      ),
    );
  }

  /** The link to give out. */
  urlOf(share: Share): string | null {
    return this.links.urlOf(share);
  }

  /** Views so far: those written plus those still batched in memory. */
  viewCountOf(share: Share): number {
    return share.viewCount + (this.views.pendingFor(share.id)?.count ?? 0);
  }

  lastViewedAtOf(share: Share): Date | null {
    return this.views.pendingFor(share.id)?.lastViewedAt ?? share.lastViewedAt;
  }

  private checkExpiry(expiresAt: Date | null | undefined, now: Date): void {
    if (!expiresAt) return;
    if (expiresAt.getTime() <= now.getTime()) throw new BadInputError("expiresAt must be in the future.", { field: "expiresAt" });
    if (expiresAt.getTime() > now.getTime() + this.maxLifetimeDays * DAY_MS) {
      throw new BadInputError(`expiresAt must be at most ${this.maxLifetimeDays} days from now.`, { field: "expiresAt" });
    }
  }

  /**
   * The conversation as it is now. With `shareId`, its files are frozen for that share: copies of their references,
   * which a later change to the conversation leaves as they are; without (a preview), the originals are named.
   */
  private async takeSnapshot(manager: EntityManager, viewer: User, conversationId: string, upToMessageId?: string | null, shareId?: string): Promise<Snapshot> {
    const conversation = await this.conversations.getOwned(viewer, conversationId, manager);
    const messages = await this.conversations.messagesOf(conversationId, manager, upToMessageId);
    const files = await this.attachments.ofMessages(manager, messages.map((m) => m.id));
    const frozen: Snapshot["messages"] = [];
    for (const { id, role, content } of messages) {
      const originals = files.get(id);
      if (!originals) {
        frozen.push({ role, content });
        continue;
      }
      const kept = shareId ? await this.attachments.copy(manager, originals, { ownerId: viewer.id, conversationId, shareId }) : originals;
      frozen.push({ role, content, attachments: kept.map(freeze) });
    }
    return { title: conversation.title, messages: frozen };
  }

  /** The snapshot's messages with the references an import copies: its files' bytes are shared, never duplicated. */
  private async withFileCopies(manager: EntityManager, shareId: string, snapshot: Snapshot) {
    const ids = snapshot.messages.flatMap((m) => (m.attachments ?? []).map((a) => a.id));
    const rows = new Map((await this.attachments.frozenIn(manager, shareId, ids)).map((row) => [row.id, row]));
    return snapshot.messages.map((m) => ({ ...m, attachmentCopies: (m.attachments ?? []).flatMap((a) => rows.get(a.id) ?? []) }));
  }

  private async getOwned(viewer: User, shareId: string, manager: EntityManager): Promise<Share> {
    const share = await manager.findOneBy(Share, { id: shareId, ownerId: viewer.id });
    if (!share) throw new NotFoundError("Share");
    return share;
  }
}
