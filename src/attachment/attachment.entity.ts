import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne } from "typeorm";
import { PRIVATE } from "../common/cache-control";
import { IdColumn, RefColumn, TimestampColumn } from "../db/columns";
import { OwnerOnly } from "../auth/owner-only";
import { Blob } from "./blob.entity";

export enum AttachmentKind {
  IMAGE = "IMAGE",
  FILE = "FILE",
}
registerEnumType(AttachmentKind, {
  name: "AttachmentKind",
  description: "How an attachment is shown.",
  valuesConfig: {
    IMAGE: { description: "A PNG, JPEG, WebP or GIF image, re-encoded without metadata, with a thumbnail." },
    FILE: { description: "A PDF or plain-text file, offered as a download." },
  },
});

/**
 * One reference to stored bytes. A row is an upload not attached yet (no message, no share), a message's attachment,
 * or a snapshot's frozen copy (share_id set): deleting a row never touches the bytes another row still refers to.
 */
@ObjectType({ description: "A file attached to one of your messages. Only the conversation's owner can read it." })
@OwnerOnly()
@Directive(PRIVATE)
@Entity({ name: "attachments" })
@Index("attachments_owner_id_idx", ["ownerId"])
@Index("attachments_message_id_idx", ["messageId", "position"])
@Index("attachments_conversation_id_idx", ["conversationId"])
@Index("attachments_share_id_idx", ["shareId"])
@Index("attachments_blob_idx", ["blobSha256"])
@Index("attachments_thumbnail_idx", ["thumbnailSha256"])
export class Attachment {
  @Field(() => ID, { description: "Id of the attachment: what appendMessage's attachmentIds take." })
  @IdColumn()
  id!: string;

  @RefColumn("owner_id")
  ownerId!: string;

  /** The conversation it is attached in (or was shared from); null while it is an upload. */
  @RefColumn("conversation_id", { nullable: true })
  conversationId!: string | null;

  @RefColumn("message_id", { nullable: true })
  messageId!: string | null;

  /** Set on a snapshot's frozen copy: only that link serves it. */
  @RefColumn("share_id", { nullable: true })
  shareId!: string | null;

  /** Order within its message. */
  @Column({ type: "integer", default: 0 })
  position!: number;

  @Field(() => AttachmentKind, { description: "IMAGE (shown inline) or FILE (downloaded)." })
  @Column({ type: "varchar", length: 16 })
  kind!: AttachmentKind;

  @Field(() => String, { description: "Media type, as detected from the bytes (never as the client said): image/png, application/pdf, text/plain..." })
  @Column({ type: "varchar", length: 100 })
  type!: string;

  @Field(() => Int, { description: "Size of the stored file in bytes (images after metadata was stripped)." })
  @Column({ type: "integer" })
  size!: number;

  @Field(() => String, { description: "File name given at upload." })
  @Column({ type: "varchar", length: 255 })
  name!: string;

  @Field(() => Int, { nullable: true, description: "Width in pixels of an image, as displayed; null for files." })
  @Column({ type: "integer", nullable: true })
  width!: number | null;

  @Field(() => Int, { nullable: true, description: "Height in pixels of an image, as displayed; null for files." })
  @Column({ type: "integer", nullable: true })
  height!: number | null;

  @Column({ type: "varchar", length: 64, name: "blob_sha256" })
  blobSha256!: string;

  @ManyToOne(() => Blob, { onDelete: "NO ACTION" })
  @JoinColumn({ name: "blob_sha256", foreignKeyConstraintName: "attachments_blob_sha256_fkey" })
  blob?: never;

  @Column({ type: "varchar", length: 64, name: "thumbnail_sha256", nullable: true })
  thumbnailSha256!: string | null;

  @ManyToOne(() => Blob, { onDelete: "NO ACTION" })
  @JoinColumn({ name: "thumbnail_sha256", foreignKeyConstraintName: "attachments_thumbnail_sha256_fkey" })
  thumbnail?: never;

  @TimestampColumn("created_at")
  createdAt!: Date;

  @Field(() => String, { description: "Address of the file, relative to the API's origin; fetch it with your bearer token." })
  get url(): string {
    return `/files/${this.id}`;
  }

  @Field(() => String, { nullable: true, description: "Address of an image's thumbnail (at most 512 pixels a side), like url; null for files." })
  get thumbnailUrl(): string | null {
    return this.thumbnailSha256 ? `/files/${this.id}/thumbnail` : null;
  }
}

/** An attachment as a snapshot freezes it: what a viewer may know, by the id of the snapshot's own copy. */
export interface FrozenAttachment {
  id: string;
  kind: AttachmentKind;
  type: string;
  size: number;
  name: string;
  width: number | null;
  height: number | null;
  thumbnail: boolean;
}
