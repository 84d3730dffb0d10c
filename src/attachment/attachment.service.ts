// Uploads, the references that messages, snapshots and imports hold to their bytes, and the clean-up that leaves
// no blob behind once nothing refers to it. Knows nothing of conversations or shares beyond their ids.
import { In, IsNull, LessThan, type DataSource, type EntityManager, type FindOptionsWhere } from "typeorm";
import { BadInputError, NotFoundError } from "../common/errors";
import { newId } from "../common/ids";
import { enforce, type RateLimiter } from "../common/rate-limit";
import type { AttachmentLimits } from "../config";
import type { Transactions } from "../db/transactions";
import type { User } from "../user/user.entity";
import { Attachment, type FrozenAttachment } from "./attachment.entity";
import type { BlobStore } from "./blob-store";
import { processUpload } from "./file-types";

/** Most files one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
const NAME_MAX_LENGTH = 255;

/** A per-file or per-user size cap was exceeded: HTTP answers 413. */
export class TooLargeError extends BadInputError {}

export interface StoredFile {
  attachment: Attachment;
  bytes: Buffer;
  thumbnail: boolean;
}

/** Where a copy of an attachment goes: a snapshot (shareId) or an imported message (messageId). */
type CopyTarget = Pick<Attachment, "ownerId" | "conversationId"> & Partial<Pick<Attachment, "messageId" | "shareId">>;

/** A file name as it may be stored and shown: no path, no control characters, not too long. */
function cleanName(name: string | undefined, type: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name ?? "").split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, NAME_MAX_LENGTH);
  return base || `file.${type.startsWith("image/") ? type.slice(6) : type === "application/pdf" ? "pdf" : "txt"}`;
}

export function freeze(a: Attachment): FrozenAttachment {
  return { id: a.id, kind: a.kind, type: a.type, size: a.size, name: a.name, width: a.width, height: a.height, thumbnail: a.thumbnailSha256 !== null };
}

export class AttachmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly blobs: BlobStore,
    readonly limits: AttachmentLimits,
    private readonly uploadsPerUser: RateLimiter,
  ) {}

  /** Stores an upload of the viewer's, not attached to anything yet. */
  async upload(viewer: User, bytes: Buffer, name?: string): Promise<Attachment> {
    await enforce(this.uploadsPerUser, viewer.id, "uploads");
    const file = await processUpload(bytes);
    return this.transactions.write(async (manager) => {
      const used = await this.bytesOf(manager, viewer.id);
      if (used + file.bytes.length > this.limits.maxBytesPerUser) {
        throw new TooLargeError(`Your files would take more than your limit of ${this.limits.maxBytesPerUser} bytes; delete some conversations first.`, { field: "file" });
      }
      const attachment = manager.create(Attachment, {
        id: newId(),
        ownerId: viewer.id,
        conversationId: null,
        messageId: null,
        shareId: null,
        position: 0,
        kind: file.kind,
        type: file.type,
        size: file.bytes.length,
        name: cleanName(name, file.type),
        width: file.width,
        height: file.height,
        blobSha256: await this.blobs.put(manager, file.bytes),
        thumbnailSha256: file.thumbnail ? await this.blobs.put(manager, file.thumbnail) : null,
        createdAt: new Date(),
      });
      await manager.insert(Attachment, attachment);
      return attachment;
    });
  }

  /** Bytes of the user's own files: uploads and message attachments (a snapshot's copies share their bytes). */
  private async bytesOf(manager: EntityManager, ownerId: string): Promise<number> {
    const row = await manager
      .createQueryBuilder(Attachment, "a")
      .select("COALESCE(SUM(a.size), 0)", "bytes")
      .where("a.owner_id = :ownerId AND a.share_id IS NULL", { ownerId })
      .getRawOne<{ bytes: string | number }>();
    return Number(row?.bytes ?? 0);
  }

  /** Attaches uploads of the owner's, not attached yet, to a new message, in the order given. */
  async attach(manager: EntityManager, target: { ownerId: string; conversationId: string; messageId: string }, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const unique = [...new Set(ids)];
    if (unique.length > MAX_ATTACHMENTS_PER_MESSAGE) {
      throw new BadInputError(`A message can carry at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments.`, { field: "attachmentIds" });
    }
    const rows = await manager.findBy(Attachment, { id: In(unique), ownerId: target.ownerId, messageId: IsNull(), shareId: IsNull() });
    if (rows.length !== unique.length) {
      throw new BadInputError("attachmentIds must be uploads of yours that are not attached to a message yet.", { field: "attachmentIds" });
    }
    for (const [position, id] of unique.entries()) await manager.update(Attachment, { id }, { ...target, position });
  }

  /** Each message's attachments, in order: what a snapshot freezes. */
  async ofMessages(manager: EntityManager, messageIds: string[]): Promise<Map<string, Attachment[]>> {
    const byMessage = new Map<string, Attachment[]>();
    for (let i = 0; i < messageIds.length; i += 500) {
      const rows = await manager.find(Attachment, { where: { messageId: In(messageIds.slice(i, i + 500)) }, order: { messageId: "ASC", position: "ASC" } });
      for (const row of rows) byMessage.set(row.messageId!, [...(byMessage.get(row.messageId!) ?? []), row]);
    }
    return byMessage;
  }

  /**
   * New references to the same bytes, for a snapshot or an imported conversation: later changes to the originals
   * (or their deletion) leave the copies as they are. Returns the copies in the order of `rows`.
   */
  async copy(manager: EntityManager, rows: Attachment[], target: CopyTarget): Promise<Attachment[]> {
    const copies = rows.map((row) => manager.create(Attachment, { ...row, ...target, id: newId(), messageId: target.messageId ?? null, shareId: target.shareId ?? null, createdAt: new Date() }));
    for (let i = 0; i < copies.length; i += 50) await manager.insert(Attachment, copies.slice(i, i + 50));
    return copies;
  }

  /** A snapshot's frozen copies by id, for an import to copy again. */
  frozenIn(manager: EntityManager, shareId: string, ids: string[]): Promise<Attachment[]> {
    return ids.length === 0 ? Promise.resolve([]) : manager.findBy(Attachment, { shareId, id: In(ids) });
  }

  /**
   * Deletes these references and then every blob none refers to any more, in the caller's transaction (which, for
   * content, is Transactions.erase: no remnant in the database files either).
   */
  async erase(manager: EntityManager, where: FindOptionsWhere<Attachment>): Promise<void> {
    const rows = await manager.find(Attachment, { where, select: { id: true, blobSha256: true, thumbnailSha256: true } });
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) await manager.delete(Attachment, { id: In(ids.slice(i, i + 500)) });
    const candidates = [...new Set(rows.flatMap((r) => [r.blobSha256, r.thumbnailSha256]).filter((h): h is string => h !== null))];
    await this.blobs.delete(manager, await this.unreferenced(manager, candidates));
  }

  private async unreferenced(manager: EntityManager, hashes: string[]): Promise<string[]> {
    const referenced = new Set<string>();
    for (let i = 0; i < hashes.length; i += 250) {
      const chunk = hashes.slice(i, i + 250);
      const rows = await manager.find(Attachment, { where: [{ blobSha256: In(chunk) }, { thumbnailSha256: In(chunk) }], select: { blobSha256: true, thumbnailSha256: true } });
      for (const row of rows) for (const h of [row.blobSha256, row.thumbnailSha256]) if (h) referenced.add(h);
    }
    return hashes.filter((h) => !referenced.has(h));
  }

  /** Uploads never attached within the configured hours are deleted, bytes included. */
  purgeUnattached(now = new Date()): Promise<void> {
    const before = new Date(now.getTime() - this.limits.unattachedTtlHours * 3600_000);
    return this.transactions.erase((manager) => this.erase(manager, { messageId: IsNull(), shareId: IsNull(), createdAt: LessThan(before) }));
  }

  /** One of the viewer's own files (an upload or a message's attachment); NOT_FOUND for anyone else's. */
  ownFile(viewer: User, id: string, thumbnail: boolean): Promise<StoredFile> {
    return this.fileWhere({ id, ownerId: viewer.id, shareId: IsNull() }, thumbnail);
  }

  /** A file frozen in a snapshot; the caller has checked that the link works. */
  sharedFile(shareId: string, id: string, thumbnail: boolean): Promise<StoredFile> {
    return this.fileWhere({ id, shareId }, thumbnail);
  }

  private async fileWhere(where: FindOptionsWhere<Attachment>, thumbnail: boolean): Promise<StoredFile> {
    const attachment = await this.dataSource.manager.findOneBy(Attachment, where);
    const sha256 = thumbnail ? attachment?.thumbnailSha256 : attachment?.blobSha256;
    const bytes = sha256 ? await this.blobs.get(sha256) : null;
    if (!attachment || !bytes) throw new NotFoundError("File");
    return { attachment, bytes, thumbnail };
  }
}
