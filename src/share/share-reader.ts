// The public read path: what a link shows to anyone who has it, through the snapshot cache, read replicas and the
// primary. Managing links (create, refresh, revoke) is ShareService's; whether a link works is decided only here.
import type { DataSource, EntityManager } from "typeorm";
import { enforce, type RateLimiter } from "../common/rate-limit";
import { User } from "../user/user.entity";
import { Share, ShareAttribution, ShareAudience, ShareStatus, shareStatus, type Snapshot } from "./share.entity";
import type { ShareLinks } from "./share-links";
import type { SharedAttachment, SharedConversation, SharedMessage } from "./shared-conversation.type";
import type { RedactedRange } from "./redaction";
import type { FrozenAttachment } from "../attachment/attachment.entity";
import type { ViewCounter } from "./view-counter";
import type { LiveLink, SnapshotCache } from "./snapshot-cache";
import type { ShownLinks } from "./public-responses";
import { utcDate } from "../db/entity-rows";

/** What decides whether a link works and what it shows, short of the snapshot: the cheap revalidation read. */
interface LinkState {
  attribution: ShareAttribution;
  audience: ShareAudience;
  snapshotAt: Date | string;
  revokedAt: Date | string | null;
  expiresAt: Date | string | null;
  disabledAt: Date | string | null;
  displayName: string;
  deactivatedAt: Date | string | null;
}

/** The row behind a token: enough to decide whether the link works and to show it, in one read. */
interface LinkRow extends LinkState {
  id: string;
  ownerId: string;
  conversationId: string;
  snapshot: string;
}

/** Who opens a link: only whether they are signed in matters to a link's audience. */
export interface LinkViewer {
  signedIn: boolean;
  /** The address a view is counted against (none for calls that are not views by a client). */
  clientIp?: string;
  /** Told what the view showed, for a request whose answer the public response cache may keep. */
  shown?: ShownLinks;
}

/**
 * What opening a link gave: the conversation, when this viewer may see it, and the audience of a working link (null
 * for a dead one). A SIGNED_IN link opened without a session shows nothing, as a dead one does, but its answer is
 * private to the asker: no cache may keep it for someone else.
 */
export interface OpenedLink {
  conversation: SharedConversation | null;
  audience: ShareAudience | null;
}

const DEAD: OpenedLink = { conversation: null, audience: null };

/** The one rule for who may open a working link. */
export function mayOpen(audience: ShareAudience, viewer: Pick<LinkViewer, "signedIn">): boolean {
  return audience === ShareAudience.PUBLIC || viewer.signedIn;
}

/** The one rule for "does this link work now": its own status, and an owner who is still here. */
function isLive(state: LinkState, now: Date): boolean {
  const status = shareStatus({ revokedAt: utcDate(state.revokedAt), disabledAt: utcDate(state.disabledAt), expiresAt: utcDate(state.expiresAt) }, now);
  return state.deactivatedAt === null && status === ShareStatus.ACTIVE;
}

/** A snapshot as viewers see it. */
export function presentSnapshot(snapshot: Snapshot, attribution: ShareAttribution, displayName: string, sharedAt: Date): SharedConversation {
  return {
    title: snapshot.title,
    sharedBy: attribution === ShareAttribution.NAMED ? displayName : null,
    sharedAt,
    messages: snapshot.messages.map(presentMessage),
  };
}

const NO_FILES: readonly SharedAttachment[] = Object.freeze([]);

/**
 * A stored message as viewers see it; its redactions pass through as stored. Built field by field: object rest and
 * spread cost ~2 µs a message, a fifth of an uncached view's CPU.
 */
function presentMessage(message: Snapshot["messages"][number] & { redactions?: RedactedRange[] }): SharedMessage {
  const presented: SharedMessage = { role: message.role, content: message.content, attachments: message.attachments ? message.attachments.map((a) => fileAt(a, null)) : (NO_FILES as SharedAttachment[]) };
  if (message.redactions !== undefined) presented.redactions = message.redactions;
  if (message.removedAttachmentCount !== undefined) presented.removedAttachmentCount = message.removedAttachmentCount;
  return presented;
}

function fileAt(a: FrozenAttachment, base: string | null): SharedAttachment {
  return { ...a, url: base && base + a.id, thumbnailUrl: base && a.thumbnail ? `${base}${a.id}/thumbnail` : null };
}

/** The view with its files' addresses under `base` (e.g. <link>/files/); the same object when it has no files. */
export function withFileUrls(view: SharedConversation, base: string): SharedConversation {
  if (!view.messages.some((m) => m.attachments.length > 0)) return view;
  return { ...view, messages: view.messages.map((m) => (m.attachments.length ? { ...m, attachments: m.attachments.map((a) => fileAt(a, base)) } : m)) };
}

// Aliases are quoted so PostgreSQL keeps their case.
const STATE_COLUMNS = [
  's.attribution AS "attribution"',
  's.audience AS "audience"',
  's.snapshot_at AS "snapshotAt"',
  's.revoked_at AS "revokedAt"',
  's.expires_at AS "expiresAt"',
  's.disabled_at AS "disabledAt"',
  'u.display_name AS "displayName"',
  'u.deactivated_at AS "deactivatedAt"',
];
const ROW_COLUMNS = ['s.id AS "id"', 's.owner_id AS "ownerId"', 's.conversation_id AS "conversationId"', 's.snapshot AS "snapshot"', ...STATE_COLUMNS];

export class ShareReader {
  /** The SQL of the hot reads, built once: the query builder would build the same text on every view. */
  private readonly sql: { byTokenHash?: string; stateById?: string } = {};

  constructor(
    private readonly dataSource: DataSource,
    private readonly links: ShareLinks,
    private readonly views: ViewCounter,
    private readonly cache: SnapshotCache,
    private readonly viewsPerIp: RateLimiter,
    /** How long shared caches (CDNs) may keep a public view. */
    readonly cacheMaxAgeSeconds: number,
    /** Hears a replica read that failed (the view then reads the primary): for the logs. */
    private readonly onReplicaError: (error: unknown) => void = () => {},
  ) {}

  /** The token in a full link or a bare token; BadInputError for anything else. */
  tokenOf(link: string): string {
    return this.links.tokenOf(link);
  }

  /**
   * What this viewer sees through the link: nothing for a link that does not work, whatever the reason, nor for a
   * SIGNED_IN link without a session. The audience is checked here on every view, cached or not.
   */
  async view(link: string, viewer: LinkViewer): Promise<OpenedLink> {
    const token = this.links.tokenOf(link);
    if (viewer.clientIp) await enforce(this.viewsPerIp, viewer.clientIp, "link views from this address");
    const found = await this.findLiveCached(this.links.hash(token));
    if (!found) return DEAD;
    const { shareId, audience } = found.link;
    if (audience === ShareAudience.SIGNED_IN) viewer.shown?.private();
    if (!mayOpen(audience, viewer)) return { conversation: null, audience };
    this.views.record(shareId);
    const expiry = found.link.expiresAt?.getTime() ?? Infinity;
    viewer.shown?.shown(shareId, new Date(Math.min(found.trustedUntil, expiry)));
    return { conversation: withFileUrls(found.link.view, `${this.links.baseUrl}${token}/files/`), audience };
  }

  /**
   * Counts a view of these shares served from a cached response; false once the address's allowance is spent, or
   * when the response may no longer be shown by the time the allowance was checked (`stillShown`).
   */
  async countCachedView(clientIp: string, shareIds: readonly string[], stillShown: () => boolean): Promise<boolean> {
    if (!(await this.viewsPerIp.consume(clientIp)).allowed || !stillShown()) return false;
    for (const shareId of shareIds) this.views.record(shareId);
    return true;
  }

  /** The id of the share behind a working link, or null; the same check as a view, without counting one. */
  async liveShareId(token: string): Promise<string | null> {
    return (await this.findLiveCached(this.links.hash(token)))?.link.shareId ?? null;
  }

  /** The share behind a working link that this viewer may open, with its audience; null as for a dead link. */
  async openable(token: string, viewer: Pick<LinkViewer, "signedIn">): Promise<{ shareId: string; audience: ShareAudience } | null> {
    const found = await this.findLiveCached(this.links.hash(token));
    if (!found || !mayOpen(found.link.audience, viewer)) return null;
    return { shareId: found.link.shareId, audience: found.link.audience };
  }

  /**
   * What a working link shows, without counting a view but spending the address's view allowance (a preview card:
   * crawlers fetch it without anyone reading). Null for a dead link, and for a SIGNED_IN link without a session, as
   * a view; RateLimitedError once the allowance is spent.
   */
  async preview(token: string, viewer: Required<Pick<LinkViewer, "signedIn" | "clientIp">>): Promise<{ shareId: string; view: SharedConversation; audience: ShareAudience } | null> {
    await enforce(this.viewsPerIp, viewer.clientIp, "link views from this address");
    const found = await this.findLiveCached(this.links.hash(token));
    if (!found || !mayOpen(found.link.audience, viewer)) return null;
    return { shareId: found.link.shareId, view: found.link.view, audience: found.link.audience };
  }

  /** A working link read inside `manager`'s transaction, never from a cache: for a copy of what the database holds now. */
  async findLiveIn(manager: EntityManager, token: string): Promise<LiveLink | null> {
    const row = await this.linkByTokenHash(manager, this.links.hash(token));
    return row && isLive(row, new Date()) ? this.liveLinkOf(row) : null;
  }

  /** The snapshot behind any share, dead or alive, as a viewer sees it: for moderators reviewing a report. */
  async snapshotsForModeration(shareIds: readonly string[]): Promise<Map<string, SharedConversation>> {
    const rows = await this.rows(this.dataSource.manager, ROW_COLUMNS).where("s.id IN (:...shareIds)", { shareIds }).getRawMany<LinkRow>();
    return new Map(rows.map((row) => [row.id, this.liveLinkOf(row).view]));
  }

  /**
   * A working link by its token's hash: from the cache while its entry is trusted, after a cheap check on the
   * primary once that trust ran out, else one indexed read. Every reason a link may not work ends here the same way.
   */
  private async findLiveCached(tokenHash: string): Promise<{ link: LiveLink; trustedUntil: number } | null> {
    // An invalidation another instance published before this request was sent is already in our Redis socket; one
    // event-loop turn lets it be applied before the cache is read.
    if (this.cache.shared) await new Promise((resolve) => setImmediate(resolve));
    const now = new Date();
    const cached = this.cache.get(tokenHash);
    // Nothing but time can kill a trusted entry unnoticed: every other change invalidates it.
    if (cached && cached.trustedUntil > now.getTime()) return shareStatus({ revokedAt: null, disabledAt: null, expiresAt: cached.link.expiresAt }, now) === ShareStatus.ACTIVE ? cached : null;
    const generation = this.cache.generation;
    const link = (cached && (await this.revalidate(cached.link, now))) ?? (await this.readLive(tokenHash, now));
    if (!link) {
      this.cache.delete(tokenHash);
      return null;
    }
    this.cache.set(tokenHash, link, generation);
    return { link, trustedUntil: this.cache.trustedUntilFromNow() };
  }

  /**
   * The cached link confirmed on the primary in one small read by primary key: null if it died, undefined if its
   * snapshot was refreshed (then only a full read will do), else the link with its live audience, attribution and name.
   */
  private async revalidate(link: LiveLink, now: Date): Promise<LiveLink | null | undefined> {
    const state = await this.stateById(link.shareId);
    if (!state || !isLive(state, now)) return null;
    if (utcDate(state.snapshotAt).getTime() !== link.view.sharedAt.getTime()) return undefined;
    return { ...link, audience: state.audience, attribution: state.attribution, view: presentSnapshot(link.snapshot, state.attribution, state.displayName, link.view.sharedAt) };
  }

  private async readLive(tokenHash: string, now: Date): Promise<LiveLink | null> {
    const row = await this.readLinkForView(tokenHash);
    return row && isLive(row, now) ? this.liveLinkOf(row) : null;
  }

  private liveLinkOf(row: LinkRow): LiveLink {
    const snapshot = JSON.parse(row.snapshot) as Snapshot;
    return {
      shareId: row.id,
      ownerId: row.ownerId,
      conversationId: row.conversationId,
      snapshot,
      audience: row.audience,
      attribution: row.attribution,
      view: presentSnapshot(snapshot, row.attribution, row.displayName, utcDate(row.snapshotAt)),
      expiresAt: utcDate(row.expiresAt),
      bytes: 2 * row.snapshot.length + 1024,
    };
  }

  private rows(manager: EntityManager, columns: string[]) {
    return manager.createQueryBuilder(Share, "s").innerJoin(User, "u", "u.id = s.owner_id").select(columns);
  }

  private async linkByTokenHash(manager: EntityManager, tokenHash: string): Promise<LinkRow | undefined> {
    this.sql.byTokenHash ??= this.rows(manager, ROW_COLUMNS).where("s.token_hash = :tokenHash", { tokenHash: "" }).getQueryAndParameters()[0];
    const rows: LinkRow[] = await manager.query(this.sql.byTokenHash, [tokenHash]);
    return rows[0];
  }

  /** Always on the primary: what a cache or a replica holds is checked against it. */
  private async stateById(shareId: string): Promise<LinkState | undefined> {
    const manager = this.dataSource.manager;
    this.sql.stateById ??= this.rows(manager, STATE_COLUMNS).where("s.id = :id", { id: "" }).getQueryAndParameters()[0];
    const rows: LinkState[] = await manager.query(this.sql.stateById, [shareId]);
    return rows[0];
  }

  /**
   * The view path's read. With read replicas, the large row comes from a replica, but what decides whether the link
   * works (and what it shows, and to whom) is confirmed on the primary in a small indexed read, so a link revoked,
   * refreshed, re-attributed or restricted a moment ago is never served from a lagging replica.
   */
  private async readFromReplica(tokenHash: string): Promise<LinkRow | undefined> {
    const replica = this.dataSource.createQueryRunner("slave");
    try {
      return await this.rows(this.dataSource.manager, ROW_COLUMNS).setQueryRunner(replica).where("s.token_hash = :tokenHash", { tokenHash }).getRawOne<LinkRow>();
    } finally {
      await replica.release();
    }
  }

  private async readLinkForView(tokenHash: string): Promise<LinkRow | undefined> {
    const primary = () => this.linkByTokenHash(this.dataSource.manager, tokenHash);
    const replication = (this.dataSource.options as { replication?: unknown }).replication;
    if (!replication) return primary();
    let row: LinkRow | undefined;
    try {
      row = await this.readFromReplica(tokenHash);
    } catch (error) {
      // A replica is an optimisation: when it is down, the primary (which decides everything anyway) answers.
      this.onReplicaError(error);
      return primary();
    }
    if (!row) return primary(); // not replicated yet, or gone: the primary decides
    const fresh = await this.stateById(row.id);
    if (!fresh) return undefined;
    // A refresh since the replica's copy means its snapshot is old: read the whole row from the primary.
    if (utcDate(fresh.snapshotAt).getTime() !== utcDate(row.snapshotAt).getTime()) return primary();
    return { ...row, ...fresh };
  }
}
