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
import { Message } from "../conversation/message.entity";
import { User } from "../user/user.entity";
import { Share, ShareAttribution, ShareStatus, shareStatus, withSnapshot, type Snapshot } from "./share.entity";
import type { ShareLinks } from "./share-links";
import type { SharedConversation } from "./shared-conversation.type";
import { checkSpans, hasRedactions, NO_REDACTIONS, redact, type OwnerWarning, type RedactedSnapshot, type Redactions } from "./redaction";
import type { ViewCounter } from "./view-counter";
import type { LiveLink, SnapshotCache } from "./snapshot-cache";

const DAY_MS = 24 * 3600 * 1000;

/** The row behind a token: enough to decide whether the link works and to show it, in one read. */
interface LinkRow {
  id: string;
  ownerId: string;
  conversationId: string;
  snapshot: string;
  attribution: ShareAttribution;
  snapshotAt: Date | string;
  revokedAt: Date | string | null;
  expiresAt: Date | string | null;
  disabledAt: Date | string | null;
  displayName: string;
  deactivatedAt: Date | string | null;
}


// Raw rows skip TypeORM's hydration: SQLite hands back "YYYY-MM-DD HH:MM:SS.SSS" in UTC, other drivers a Date.
function utcDate(value: Date | string): Date;
function utcDate(value: Date | string | null): Date | null;
function utcDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value.replace(" ", "T") + "Z");
}

export interface ShareOptions {
  attribution: ShareAttribution;
  upToMessageId?: string | null;
  expiresAt?: Date | null;
  idempotencyKey?: string | null;
  /** What to mask in the snapshot; nothing when omitted. */
  redactions?: Redactions | null;
}

/** A snapshot about to be stored, and what in the owner's text looks sensitive (with whether it is masked). */
interface TakenSnapshot {
  snapshot: RedactedSnapshot;
  warnings: OwnerWarning[];
}

export interface ShareLimits {
  sharesPerUser: RateLimiter;
  importsPerUser: RateLimiter;
  viewsPerIp: RateLimiter;
}

export interface ShareFilter {
  status?: ShareStatus | null;
  search?: string | null;
}

export interface SharePolicy {
  /** Furthest expiresAt allowed, in days from now. */
  maxLifetimeDays: number;
  /** How long shared caches may keep a public view. */
  cacheMaxAgeSeconds: number;
}

export class ShareService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly conversations: ConversationService,
    readonly links: ShareLinks,
    readonly views: ViewCounter,
    readonly policy: SharePolicy,
    private readonly limits: ShareLimits,
    private readonly cache: SnapshotCache,
  ) {}

  /** Freezes the conversation as it is now (up to a message, if asked) behind a new link. */
  async share(viewer: User, conversationId: string, options: ShareOptions): Promise<{ share: Share; warnings: OwnerWarning[] }> {
    const now = new Date();
    this.checkExpiry(options.expiresAt, now);
    let warnings: OwnerWarning[] | undefined;
    const share = await this.transactions.write((manager) =>
      idempotent(
        manager,
        { userId: viewer.id, key: options.idempotencyKey, operation: "shareConversation" },
        // Counted only when something is created: a retry of a done request gets its result, not RATE_LIMITED.
        async () => {
          await enforce(this.limits.sharesPerUser, viewer.id, "new links");
          const taken = await this.takeSnapshot(manager, viewer, conversationId, options.upToMessageId, options.redactions ?? NO_REDACTIONS, true);
          warnings = taken.warnings;
          return this.insertShare(manager, viewer, conversationId, taken.snapshot, options, now);
        },
        (id) => manager.findOne(Share, { where: { id, ownerId: viewer.id }, select: withSnapshot(manager.connection) }),
      ),
    );
    // A retry of a done request: what the first one found, from the messages it shared (they never change).
    warnings ??= await this.warningsOf(share);
    delete share.snapshot;
    return { share, warnings };
  }

  private async warningsOf(share: Share): Promise<OwnerWarning[]> {
    const { redaction } = JSON.parse(share.snapshot!) as RedactedSnapshot;
    const where = { conversationId: share.conversationId };
    const messages = await this.dataSource.manager.find(Message, { where, order: { position: "ASC" }, take: share.messageCount });
    return redact(messages, redaction ?? NO_REDACTIONS).warnings;
  }

  private async insertShare(manager: EntityManager, viewer: User, conversationId: string, snapshot: RedactedSnapshot, options: ShareOptions, now: Date): Promise<Share> {
    const { tokenHash, tokenSealed } = this.links.mint();
    const share = manager.create(Share, {
      id: newId(),
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
    options: { upToMessageId?: string | null; attribution: ShareAttribution; redactions?: Redactions | null },
  ): Promise<{ conversation: SharedConversation; warnings: OwnerWarning[] }> {
    const manager = this.dataSource.manager;
    const { snapshot, warnings } = await this.takeSnapshot(manager, viewer, conversationId, options.upToMessageId, options.redactions ?? NO_REDACTIONS, true);
    return { conversation: this.present(snapshot, options.attribution, viewer.displayName, new Date()), warnings };
  }

  /**
   * Replaces the snapshot behind the same URL with the conversation as it is now; attribution and expiry stay. Without
   * `redactions`, the link's earlier choice applies again (its kinds to the new messages too); with them, they replace it.
   */
  refresh(
    viewer: User,
    shareId: string,
    options: { upToMessageId?: string | null; redactions?: Redactions | null } = {},
  ): Promise<{ share: Share; warnings: OwnerWarning[] }> {
    return this.transactions.write(async (manager) => {
      const share = await this.getOwned(viewer, shareId, manager);
      const now = new Date();
      if (shareStatus(share, now) !== ShareStatus.ACTIVE) {
        throw new BadInputError("Only a working link can be refreshed: this one is revoked, expired or disabled.", { field: "shareId" });
      }
      const given = options.redactions ?? null;
      const redactions = given ?? (await this.storedRedactions(manager, share.id));
      const { snapshot, warnings } = await this.takeSnapshot(manager, viewer, share.conversationId, options.upToMessageId, redactions, given !== null);
      const changes = { snapshot: JSON.stringify(snapshot), title: snapshot.title, messageCount: snapshot.messages.length, snapshotAt: now };
      await manager.update(Share, { id: share.id }, changes);
      Object.assign(share, changes);
      delete share.snapshot;
      return { share, warnings };
    }).finally(() => this.cache.forgetShares([shareId]));
  }

  private async storedRedactions(manager: EntityManager, shareId: string): Promise<Redactions> {
    const row = await manager.findOne(Share, { where: { id: shareId }, select: { id: true, snapshot: true } });
    return (JSON.parse(row!.snapshot!) as RedactedSnapshot).redaction ?? NO_REDACTIONS;
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
    switch (filter.status) {
      case ShareStatus.ACTIVE:
        query.andWhere("s.disabled_at IS NULL AND s.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > :now)", { now });
        break;
      case ShareStatus.REVOKED:
        query.andWhere("s.disabled_at IS NULL AND s.revoked_at IS NOT NULL");
        break;
      case ShareStatus.EXPIRED:
        query.andWhere("s.disabled_at IS NULL AND s.revoked_at IS NULL AND s.expires_at <= :now", { now });
        break;
      case ShareStatus.DISABLED:
        query.andWhere("s.disabled_at IS NOT NULL");
        break;
    }
    const search = filter.search?.trim();
    if (search) query.andWhere("LOWER(s.title) LIKE LOWER(:pattern) ESCAPE '\\'", { pattern: containsPattern(search) });
    const rows = await query.orderBy("s.id", "DESC").limit(page.first + 1).getMany();
    return toPage(rows, page.first);
  }

  /**
   * What anyone with the link sees, or null for a link that does not work, whatever the reason. `shown` hears which
   * share was shown and until when it works (for the public response cache).
   */
  async view(link: string, clientIp?: string, shown?: (shareId: string, expiresAt: Date | null) => void): Promise<SharedConversation | null> {
    const token = this.links.tokenOf(link);
    if (clientIp) await enforce(this.limits.viewsPerIp, clientIp, "link views from this address");
    const live = await this.findLive(this.dataSource.manager, token, true);
    if (!live) return null;
    this.views.record(live.shareId);
    shown?.(live.shareId, live.expiresAt);
    return live.view;
  }

  /** Counts a view towards the address's allowance; false once it is spent (the normal path then answers RATE_LIMITED). */
  async allowView(clientIp: string): Promise<boolean> {
    return (await this.limits.viewsPerIp.consume(clientIp)).allowed;
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
          const live = await this.findLive(manager, token, false);
          if (!live) throw new NotFoundError("Shared conversation");
          const { title, messages } = live.snapshot;
          return this.conversations.insert(manager, viewer.id, title, messages, { title, sharedAt: live.view.sharedAt });
        },
        (id) => manager.findOneBy(Conversation, { id, ownerId: viewer.id }),
      ),
    );
  }

  /** The id of the share behind a working link, or null; the same check as a view, without counting one. */
  async liveShareId(token: string): Promise<string | null> {
    return (await this.findLive(this.dataSource.manager, token, true))?.shareId ?? null;
  }

  /** The snapshot behind any share, dead or alive, as a viewer sees it: for moderators reviewing a report. */
  async snapshotsForModeration(shareIds: readonly string[]): Promise<Map<string, SharedConversation>> {
    const rows = await this.linkRows(this.dataSource.manager).where("s.id IN (:...shareIds)", { shareIds }).getRawMany<LinkRow>();
    return new Map(rows.map((row) => [row.id, this.present(JSON.parse(row.snapshot) as Snapshot, row.attribution, row.displayName, utcDate(row.snapshotAt))]));
  }

  private checkExpiry(expiresAt: Date | null | undefined, now: Date): void {
    if (!expiresAt) return;
    if (expiresAt.getTime() <= now.getTime()) throw new BadInputError("expiresAt must be in the future.", { field: "expiresAt" });
    if (expiresAt.getTime() > now.getTime() + this.policy.maxLifetimeDays * DAY_MS) {
      throw new BadInputError(`expiresAt must be at most ${this.policy.maxLifetimeDays} days from now.`, { field: "expiresAt" });
    }
  }

  /**
   * The conversation as viewers will see it, masked as chosen. Spans the client just sent are checked against the
   * messages being shared; a link's stored spans are not (those past a refresh's upToMessageId simply do not apply).
   */
  private async takeSnapshot(
    manager: EntityManager,
    viewer: User,
    conversationId: string,
    upToMessageId: string | null | undefined,
    redactions: Redactions,
    checkGivenSpans: boolean,
  ): Promise<TakenSnapshot> {
    const conversation = await this.conversations.getOwned(viewer, conversationId, manager);
    const sources = await this.conversations.messagesOf(conversationId, manager, upToMessageId);
    if (checkGivenSpans) checkSpans(sources, redactions.spans);
    const { messages, warnings } = redact(sources, redactions);
    const snapshot: RedactedSnapshot = { title: conversation.title, messages, ...(hasRedactions(redactions) ? { redaction: redactions } : {}) };
    return { snapshot, warnings };
  }

  private present(snapshot: Snapshot, attribution: ShareAttribution, displayName: string, sharedAt: Date): SharedConversation {
    return {
      title: snapshot.title,
      sharedBy: attribution === ShareAttribution.NAMED ? displayName : null,
      sharedAt,
      messages: snapshot.messages,
    };
  }

  private async getOwned(viewer: User, shareId: string, manager: EntityManager): Promise<Share> {
    const share = await manager.findOneBy(Share, { id: shareId, ownerId: viewer.id });
    if (!share) throw new NotFoundError("Share");
    return share;
  }

  // Aliases are quoted so PostgreSQL keeps their case.
  private linkRows(manager: EntityManager) {
    return manager
      .createQueryBuilder(Share, "s")
      .innerJoin(User, "u", "u.id = s.owner_id")
      .select([
        's.id AS "id"',
        's.owner_id AS "ownerId"',
        's.conversation_id AS "conversationId"',
        's.snapshot AS "snapshot"',
        's.attribution AS "attribution"',
        's.snapshot_at AS "snapshotAt"',
        's.revoked_at AS "revokedAt"',
        's.expires_at AS "expiresAt"',
        's.disabled_at AS "disabledAt"',
        'u.display_name AS "displayName"',
        'u.deactivated_at AS "deactivatedAt"',
      ]);
  }

  /** The SQL of the view path's read, built once: the query builder would build the same text on every view. */
  private linkByTokenHashSql?: string;

  private async linkByTokenHash(manager: EntityManager, tokenHash: string): Promise<LinkRow | undefined> {
    this.linkByTokenHashSql ??= this.linkRows(manager).where("s.token_hash = :tokenHash", { tokenHash: "" }).getQueryAndParameters()[0];
    const rows: LinkRow[] = await manager.query(this.linkByTokenHashSql, [tokenHash]);
    return rows[0];
  }

  /**
   * The view path's read. With read replicas, the large row comes from a replica, but what decides whether the link
   * works (and what it shows) is confirmed on the primary in a small indexed read, so a link revoked, refreshed or
   * re-attributed a moment ago is never served from a lagging replica.
   */
  private async readLinkForView(tokenHash: string): Promise<LinkRow | undefined> {
    const primary = () => this.linkByTokenHash(this.dataSource.manager, tokenHash);
    const replication = (this.dataSource.options as { replication?: unknown }).replication;
    if (!replication) return primary();
    const replica = this.dataSource.createQueryRunner("slave");
    let row: LinkRow | undefined;
    try {
      row = await this.linkRows(this.dataSource.manager).setQueryRunner(replica).where("s.token_hash = :tokenHash", { tokenHash }).getRawOne<LinkRow>();
    } finally {
      await replica.release();
    }
    if (!row) return primary(); // not replicated yet, or gone: the primary decides
    const fresh = await this.dataSource.manager
      .createQueryBuilder(Share, "s")
      .innerJoin(User, "u", "u.id = s.owner_id")
      .select(['s.snapshot_at AS "snapshotAt"', 's.revoked_at AS "revokedAt"', 's.expires_at AS "expiresAt"', 's.disabled_at AS "disabledAt"'])
      .addSelect(['s.attribution AS "attribution"', 'u.display_name AS "displayName"', 'u.deactivated_at AS "deactivatedAt"'])
      .where("s.id = :id", { id: row.id })
      .getRawOne<Omit<LinkRow, "id" | "ownerId" | "conversationId" | "snapshot">>();
    if (!fresh) return undefined;
    // A refresh since the replica's copy means its snapshot is old: read the whole row from the primary.
    if (utcDate(fresh.snapshotAt).getTime() !== utcDate(row.snapshotAt).getTime()) return primary();
    return { ...row, ...fresh };
  }

  /**
   * A working link by its token: from the cache, or one indexed read by the token's hash. Every reason a link may
   * not work is decided here, on the same path, so the answer never says which one it was.
   */
  private async findLive(manager: EntityManager, token: string, cached: boolean): Promise<LiveLink | null> {
    const tokenHash = this.links.hash(token);
    const now = new Date();
    // An invalidation another instance published before this request was sent is already in our Redis socket; one
    // event-loop turn lets it be applied before the cache is read.
    if (cached && this.cache.shared) await new Promise((resolve) => setImmediate(resolve));
    let live = cached ? this.cache.get(tokenHash) : undefined;
    if (!live) {
      const generation = this.cache.generation;
      const row = cached ? await this.readLinkForView(tokenHash) : await this.linkByTokenHash(manager, tokenHash);
      if (!row || row.deactivatedAt !== null || row.revokedAt !== null || row.disabledAt !== null) return null;
      const snapshot = JSON.parse(row.snapshot) as Snapshot;
      live = {
        shareId: row.id,
        ownerId: row.ownerId,
        conversationId: row.conversationId,
        snapshot,
        view: this.present(snapshot, row.attribution, row.displayName, utcDate(row.snapshotAt)),
        expiresAt: utcDate(row.expiresAt),
      };
      if (cached) this.cache.set(tokenHash, live, generation);
    }
    return shareStatus({ revokedAt: null, disabledAt: null, expiresAt: live.expiresAt }, now) === ShareStatus.ACTIVE ? live : null;
  }
}
