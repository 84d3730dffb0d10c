import { IsNull, type DataSource, type EntityManager } from "typeorm";
import { enforce, type RateLimiter } from "../common/rate-limit";
import { idempotent } from "../idempotency/idempotency";
import { BadInputError, NotFoundError } from "../common/errors";
import { newId } from "../common/ids";
import { decodeCursor, toPage, type Page } from "../common/pagination";
import { containsPattern, timestampParam } from "../db/dialect";
import { entityRows } from "../db/entity-rows";
import type { Transactions } from "../db/transactions";
import type { ConversationService } from "../conversation/conversation.service";
import { Conversation } from "../conversation/conversation.entity";
import { Message } from "../conversation/message.entity";
import type { User } from "../user/user.entity";
import { Share, type ShareAttribution, type ShareAudience, ShareStatus, SHARE_STATUS_SQL, shareStatus, withSnapshot, type Snapshot } from "./share.entity";
import type { ShareLinks } from "./share-links";
import type { SharedConversation } from "./shared-conversation.type";
import { checkAttachmentIds, checkSpans, hasRedactions, NO_REDACTIONS, redact, type MaskedMessage, type OwnerWarning, type RedactedSnapshot, type Redactions } from "./redaction";
import type { ViewCounter } from "./view-counter";
import type { SnapshotCache } from "./snapshot-cache";
import { mayOpen, presentSnapshot, withFileUrls, type ShareReader } from "./share-reader";
import { ShareEventKind, type ShareViewDay } from "./share-event.entity";
import type { ShareViewTotal } from "./share-view-total.entity";
import { dailyViews } from "./share-activity";
import type { DailyViews } from "./share-activity.type";
import { countShareEvent, recordShareEvents } from "./share-events";
import { freeze, type AttachmentService } from "../attachment/attachment.service";
import type { Attachment, FrozenAttachment } from "../attachment/attachment.entity";

const DAY_MS = 24 * 3600 * 1000;

/** A message as a snapshot stores it: masked as chosen, with its files frozen (absent when it has none). */
type FrozenMessage = MaskedMessage & { attachments?: FrozenAttachment[]; removedAttachmentCount?: number };

/** The history entry each of the owner's choices for a link writes when it changes. */
const CHANGED_EVENT = { attribution: ShareEventKind.ATTRIBUTION_CHANGED, audience: ShareEventKind.AUDIENCE_CHANGED } as const;

export interface ShareOptions {
  attribution: ShareAttribution;
  audience: ShareAudience;
  upToMessageId?: string | null;
  expiresAt?: Date | null;
  idempotencyKey?: string | null;
  /** What to mask in the snapshot; nothing when omitted. */
  redactions?: Redactions | null;
}

/** A snapshot about to be stored, and what in the owner's text looks sensitive (with whether it is masked). */
interface TakenSnapshot {
  snapshot: RedactedSnapshot;
  /** Scanned for when first read (see redact). */
  readonly warnings: OwnerWarning[];
}

/** A result whose warnings are scanned for only if the client reads them. */
function withLazyWarnings<T extends object>(result: T, taken: TakenSnapshot): T & { readonly warnings: OwnerWarning[] } {
  return Object.defineProperty(result, "warnings", { get: () => taken.warnings, enumerable: true }) as T & { readonly warnings: OwnerWarning[] };
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
  async share(viewer: User, conversationId: string, options: ShareOptions): Promise<{ share: Share; warnings: OwnerWarning[] }> {
    const now = new Date();
    this.checkExpiry(options.expiresAt, now);
    let taken: TakenSnapshot | undefined;
    const share = await this.transactions.write((manager) =>
      idempotent(
        manager,
        { userId: viewer.id, key: options.idempotencyKey, operation: "shareConversation" },
        // Counted only when something is created: a retry of a done request gets its result, not RATE_LIMITED.
        async () => {
          await enforce(this.limits.sharesPerUser, viewer.id, "new links");
          const shareId = newId();
          taken = await this.takeSnapshot(manager, viewer, conversationId, options.upToMessageId, options.redactions ?? NO_REDACTIONS, true, shareId);
          return this.insertShare(manager, viewer, conversationId, taken.snapshot, options, now, shareId);
        },
        (id) => manager.findOne(Share, { where: { id, ownerId: viewer.id }, select: withSnapshot(manager.connection) }),
      ),
    );
    // A retry of a done request: what the first one found, from the messages it shared (they never change).
    const warnings = taken ? undefined : await this.warningsOf(share);
    delete share.snapshot;
    return taken ? withLazyWarnings({ share }, taken) : { share, warnings: warnings! };
  }

  private async warningsOf(share: Share): Promise<OwnerWarning[]> {
    const { redaction } = JSON.parse(share.snapshot!) as RedactedSnapshot;
    const where = { conversationId: share.conversationId };
    const messages = await this.dataSource.manager.find(Message, { where, order: { position: "ASC" }, take: share.messageCount });
    return redact(messages, redaction ?? NO_REDACTIONS).warnings;
  }

  private async insertShare(manager: EntityManager, viewer: User, conversationId: string, snapshot: RedactedSnapshot, options: ShareOptions, now: Date, shareId: string): Promise<Share> {
    const { tokenHash, tokenSealed } = this.links.mint();
    const share = manager.create(Share, {
      id: shareId,
      ownerId: viewer.id,
      conversationId,
      tokenHash,
      tokenSealed,
      attribution: options.attribution,
      audience: options.audience,
      title: snapshot.title,
      messageCount: snapshot.messages.length,
      snapshot: JSON.stringify(snapshot),
      snapshotAt: now,
      createdAt: now,
      revokedAt: null,
      expiresAt: options.expiresAt ?? null,
      disabledAt: null,
      disabledReason: null,
    });
    // Every column given: TypeORM's insert would read the defaulted ones back in a statement of its own.
    await entityRows(manager.connection, Share).insert(manager, [share]);
    await recordShareEvents(manager, [share.id], ShareEventKind.CREATED, { messageCount: share.messageCount }, now);
    return share;
  }

  /** Exactly what viewers would see if the conversation were shared now, and what in it looks sensitive. */
  async preview(
    viewer: User,
    conversationId: string,
    options: { upToMessageId?: string | null; attribution: ShareAttribution; redactions?: Redactions | null },
  ): Promise<{ conversation: SharedConversation; warnings: OwnerWarning[] }> {
    const manager = this.dataSource.manager;
    const taken = await this.takeSnapshot(manager, viewer, conversationId, options.upToMessageId, options.redactions ?? NO_REDACTIONS, true);
    // The files are not frozen yet: the owner's own addresses show them.
    return withLazyWarnings({ conversation: withFileUrls(presentSnapshot(taken.snapshot, options.attribution, viewer.displayName, new Date()), "/files/") }, taken);
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
      // The old snapshot's files go with it (their bytes too, unless something else still refers to them).
      await this.attachments.erase(manager, { shareId: share.id });
      const taken = await this.takeSnapshot(manager, viewer, share.conversationId, options.upToMessageId, redactions, given !== null, share.id);
      const { snapshot } = taken;
      const changes = { snapshot: JSON.stringify(snapshot), title: snapshot.title, messageCount: snapshot.messages.length, snapshotAt: now };
      await manager.update(Share, { id: share.id }, changes);
      await recordShareEvents(manager, [share.id], ShareEventKind.REFRESHED, { messageCount: changes.messageCount }, now);
      Object.assign(share, changes);
      delete share.snapshot;
      return withLazyWarnings({ share }, taken);
    }).finally(() => this.cache.forgetShares([shareId]));
  }

  private async storedRedactions(manager: EntityManager, shareId: string): Promise<Redactions> {
    const row = await manager.findOne(Share, { where: { id: shareId }, select: { id: true, snapshot: true } });
    return (JSON.parse(row!.snapshot!) as RedactedSnapshot).redaction ?? NO_REDACTIONS;
  }

  setAttribution(viewer: User, shareId: string, attribution: ShareAttribution): Promise<Share> {
    return this.setChoice(viewer, shareId, "attribution", attribution);
  }

  /** Who may open the link, on the same URL: it takes effect at once, like attribution. */
  setAudience(viewer: User, shareId: string, audience: ShareAudience): Promise<Share> {
    return this.setChoice(viewer, shareId, "audience", audience);
  }

  /** Changes one of the owner's choices for a link; every instance forgets what it cached of the link. */
  private setChoice<K extends "attribution" | "audience">(viewer: User, shareId: string, key: K, value: Share[K]): Promise<Share> {
    return this.transactions.write(async (manager) => {
      const share = await this.getOwned(viewer, shareId, manager);
      if (share[key] !== value) {
        await manager.update(Share, { id: share.id }, { [key]: value });
        await recordShareEvents(manager, [share.id], CHANGED_EVENT[key], { newValue: value });
        share[key] = value;
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
        await recordShareEvents(manager, [share.id], ShareEventKind.REVOKED, {}, share.revokedAt);
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
      await recordShareEvents(manager, shares.map((s) => s.id), ShareEventKind.REVOKED, {}, now);
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
          // The same audience rule as a view; an importer is always signed in.
          if (!live || !mayOpen(live.audience, { signedIn: true })) throw new NotFoundError("Shared conversation");
          const { title } = live.snapshot;
          const messages = await this.withFileCopies(manager, live.shareId, live.snapshot);
          const copy = await this.conversations.insert(manager, viewer.id, title, messages, { title, sharedAt: live.view.sharedAt });
          // Last: the day's count is one row every import of the link locks, so it is held only until the commit.
          await countShareEvent(manager, live.shareId, ShareEventKind.IMPORTED);
          return copy;
        },
        (id) => manager.findOneBy(Conversation, { id, ownerId: viewer.id }),
      ),
    );
  }

  /** The link to give out. */
  urlOf(share: Share): string | null {
    return this.links.urlOf(share);
  }

  /** Views so far: those written (`stored`, null if none were) plus those still batched in memory. */
  viewCountOf(share: Share, stored: ShareViewTotal | null): number {
    return (stored?.viewCount ?? 0) + (this.views.pendingFor(share.id)?.count ?? 0);
  }

  /** Views per UTC day from the written rows and those still batched in memory. */
  dailyViewsOf(share: Share, rows: ShareViewDay[], days: number, now: Date): DailyViews[] {
    return dailyViews(rows, this.views.pendingFor(share.id), days, now);
  }

  /** The last view, written (`stored`) or still batched in memory; null if never viewed. */
  lastViewedAtOf(share: Share, stored: ShareViewTotal | null): Date | null {
    return this.views.pendingFor(share.id)?.lastViewedAt ?? stored?.lastViewedAt ?? null;
  }

  private checkExpiry(expiresAt: Date | null | undefined, now: Date): void {
    if (!expiresAt) return;
    if (expiresAt.getTime() <= now.getTime()) throw new BadInputError("expiresAt must be in the future.", { field: "expiresAt" });
    if (expiresAt.getTime() > now.getTime() + this.maxLifetimeDays * DAY_MS) {
      throw new BadInputError(`expiresAt must be at most ${this.maxLifetimeDays} days from now.`, { field: "expiresAt" });
    }
  }

  /**
   * The conversation as viewers will see it, masked as chosen. Spans and files the client just sent are checked against
   * the messages being shared; a link's stored ones are not (those past a refresh's upToMessageId simply do not apply).
   * With `shareId`, its files are frozen for that share: copies of their references, which a later change to the
   * conversation leaves as they are; without (a preview), the originals are named.
   */
  private async takeSnapshot(
    manager: EntityManager,
    viewer: User,
    conversationId: string,
    upToMessageId: string | null | undefined,
    redactions: Redactions,
    checkGivenSpans: boolean,
    shareId?: string,
  ): Promise<TakenSnapshot> {
    const conversation = await this.conversations.getOwned(viewer, conversationId, manager);
    const sources = await this.conversations.messagesOf(conversationId, manager, upToMessageId);
    const files = await this.attachments.ofMessages(manager, sources.map((m) => m.id));
    if (checkGivenSpans) {
      checkSpans(sources, redactions.spans);
      checkAttachmentIds(new Set([...files.values()].flat().map((a) => a.id)), redactions.attachmentIds ?? []);
    }
    const redacted = redact(sources, redactions);
    const { messages } = redacted;
    const removed = new Set(redactions.attachmentIds);
    const withFiles = await this.withFiles(manager, sources.map((m) => files.get(m.id) ?? []), messages, removed, { ownerId: viewer.id, conversationId, shareId });
    const snapshot: RedactedSnapshot = { title: conversation.title, messages: withFiles, ...(hasRedactions(redactions) ? { redaction: redactions } : {}) };
    return { snapshot, get warnings() { return redacted.warnings; } };
  }

  /**
   * The masked messages with their files (left out of those that have none), frozen for `target.shareId` if given.
   * A removed file is not copied at all: the snapshot keeps only how many of the message's files were left out.
   */
  private async withFiles(
    manager: EntityManager,
    files: readonly Attachment[][],
    masked: MaskedMessage[],
    removed: ReadonlySet<string>,
    target: { ownerId: string; conversationId: string; shareId?: string },
  ): Promise<FrozenMessage[]> {
    const result: FrozenMessage[] = [];
    for (const [i, message] of masked.entries()) {
      const originals = files[i].filter((a) => !removed.has(a.id));
      const removedCount = files[i].length - originals.length;
      const kept = target.shareId ? await this.attachments.copy(manager, originals, target) : originals;
      result.push({
        ...message,
        ...(kept.length ? { attachments: kept.map(freeze) } : {}),
        ...(removedCount ? { removedAttachmentCount: removedCount } : {}),
      });
    }
    return result;
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
