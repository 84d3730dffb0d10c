// Where file bytes live, behind one small interface: the database today (every dialect, every instance, no extra
// service), an object store some day. Writes take the caller's transaction so a file and its reference commit together.
import { createHash } from "node:crypto";
import { In, type DataSource, type EntityManager } from "typeorm";
import { Blob } from "./blob.entity";

export interface BlobStore {
  /** Stores the bytes unless the same content is already there; returns their SHA-256, the blob's key. */
  put(manager: EntityManager, bytes: Buffer): Promise<string>;
  get(sha256: string): Promise<Buffer | null>;
  /** Deletes these blobs; the caller has checked nothing refers to them, in the same transaction. */
  delete(manager: EntityManager, sha256s: string[]): Promise<void>;
}

export function sha256Of(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A content-addressed table: the same bytes uploaded twice (or by two users) are stored once. */
export class DatabaseBlobStore implements BlobStore {
  constructor(private readonly dataSource: DataSource) {}

  async put(manager: EntityManager, bytes: Buffer): Promise<string> {
    const sha256 = sha256Of(bytes);
    await manager.createQueryBuilder().insert().into(Blob).values({ sha256, bytes, size: bytes.length, createdAt: new Date() }).orIgnore().execute();
    return sha256;
  }

  async get(sha256: string): Promise<Buffer | null> {
    const row = await this.dataSource.manager.findOne(Blob, { where: { sha256 }, select: { bytes: true } });
    return row ? Buffer.from(row.bytes) : null;
  }

  async delete(manager: EntityManager, sha256s: string[]): Promise<void> {
    for (let i = 0; i < sha256s.length; i += 500) await manager.delete(Blob, { sha256: In(sha256s.slice(i, i + 500)) });
  }
}
