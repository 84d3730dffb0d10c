import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { PRIVATE } from "../common/cache-control";
import { DateTimeResolver } from "graphql-scalars";
import { Column, Entity, Index, JoinColumn, ManyToOne, type DataSource, type FindOptionsSelect } from "typeorm";
import { NodeType, toGlobalId } from "../common/global-id";
import { Node } from "../node/node.interface";
import { IdColumn, RefColumn, TimestampColumn } from "../db/columns";
import { OwnerOnly } from "../auth/owner-only";
import { User } from "../user/user.entity";
import { Conversation, TITLE_MAX_LENGTH } from "../conversation/conversation.entity";
import type { MessageRole } from "../conversation/message.entity";
import type { FrozenAttachment } from "../attachment/attachment.entity";

export enum ShareAttribution {
  ANONYMOUS = "ANONYMOUS",
  NAMED = "NAMED",
}
registerEnumType(ShareAttribution, {
  name: "ShareAttribution",
  description: "Whether viewers of a shared link see who shared it.",
  valuesConfig: {
    ANONYMOUS: { description: "Viewers see no name (the default)." },
    NAMED: { description: "Viewers see the owner's display name under the title." },
  },
});

export enum ShareAudience {
  PUBLIC = "PUBLIC",
  SIGNED_IN = "SIGNED_IN",
}
registerEnumType(ShareAudience, {
  name: "ShareAudience",
  description: "Who may open a shared link.",
  valuesConfig: {
    PUBLIC: { description: "Anyone who has the link, signed in or not (the default)." },
    SIGNED_IN: {
      description:
        "Only people signed in to an account on this server (for a company's own deployment, its staff). Without a session the link answers as a dead one does.",
    },
  },
});

export enum ShareStatus {
  ACTIVE = "ACTIVE",
  REVOKED = "REVOKED",
  EXPIRED = "EXPIRED",
  DISABLED = "DISABLED",
}
registerEnumType(ShareStatus, {
  name: "ShareStatus",
  description: "Whether a link works, and if not, why.",
  valuesConfig: {
    ACTIVE: { description: "Anyone with the link can view it." },
    REVOKED: { description: "Its owner revoked it." },
    EXPIRED: { description: "Its expiresAt has passed." },
    DISABLED: { description: "A moderator disabled it; see disabledReason." },
  },
});

/** The frozen content behind a link, stored as one document so a view is one indexed read. */
export interface Snapshot {
  title: string;
  /**
   * `attachments` is left out of messages that have none (and of snapshots taken before attachments existed);
   * `removedAttachmentCount` of messages whose owner removed none of their files.
   */
  messages: { role: MessageRole; content: string; attachments?: FrozenAttachment[]; removedAttachmentCount?: number }[];
}

@ObjectType({ implements: Node, description: "A link to a frozen snapshot of one of your conversations. Only its owner can see it." })
@OwnerOnly()
@Directive(PRIVATE)
@Entity({ name: "shares" })
@Index("shares_owner_id_idx", ["ownerId", "id"])
@Index("shares_conversation_id_idx", ["conversationId", "id"])
export class Share {
  /** Database id; the API shows it only inside the global id below. */
  @IdColumn()
  id!: string;

  @Field(() => ID, { name: "id", description: "Opaque, globally unique id of the share." })
  get nodeId(): string {
    return toGlobalId(NodeType.Share, this.id);
  }

  @RefColumn("owner_id")
  ownerId!: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "owner_id", foreignKeyConstraintName: "shares_owner_id_fkey" })
  owner?: never;

  @RefColumn("conversation_id")
  conversationId!: string;

  @ManyToOne(() => Conversation, { onDelete: "CASCADE" })
  @JoinColumn({ name: "conversation_id", foreignKeyConstraintName: "shares_conversation_id_fkey" })
  conversation?: never;

  /** SHA-256 of the link token: the only form in which a token is looked up. */
  @Index("shares_token_hash_key", { unique: true })
  @Column({ type: "varchar", length: 64, name: "token_hash" })
  tokenHash!: string;

  /** The token sealed with the server's link key, so the owner can see the URL again. */
  @Column({ type: "varchar", length: 255, name: "token_sealed" })
  tokenSealed!: string;

  @Field(() => ShareAttribution, { description: "Whether viewers see the owner's display name." })
  @Column({ type: "varchar", length: 16 })
  attribution!: ShareAttribution;

  @Field(() => ShareAudience, { description: "Who may open the link: anyone with it, or only signed-in accounts." })
  @Column({ type: "varchar", length: 16, default: ShareAudience.PUBLIC })
  audience!: ShareAudience;

  @Field(() => String, { description: "The conversation's title as it is in the snapshot." })
  @Column({ type: "varchar", length: TITLE_MAX_LENGTH })
  title!: string;

  @Field(() => Int, { description: "How many messages the snapshot holds." })
  @Column({ type: "integer", name: "message_count" })
  messageCount!: number;

  /** JSON of a Snapshot; large, so only the view path reads it. */
  @Column({ type: "text", select: false })
  snapshot?: string;

  @Field(() => DateTimeResolver, { description: "When the snapshot behind the link was taken: its creation, or its last refreshShare." })
  @TimestampColumn("snapshot_at")
  snapshotAt!: Date;

  @Field(() => DateTimeResolver, { description: "When the link was created." })
  @TimestampColumn("created_at")
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: "When the owner revoked the link; null if they have not." })
  @TimestampColumn("revoked_at", { nullable: true })
  revokedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "When the link stops working by itself; null for never." })
  @TimestampColumn("expires_at", { nullable: true })
  expiresAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "When a moderator disabled the link; null if none did." })
  @TimestampColumn("disabled_at", { nullable: true })
  disabledAt!: Date | null;

  @Field(() => String, { nullable: true, description: "The moderator's reason for disabling the link, shown to its owner." })
  @Column({ type: "varchar", length: 500, name: "disabled_reason", nullable: true })
  disabledReason!: string | null;
}

/** Whether a link works at `now`; a moderator's decision outranks the owner's, which outranks expiry. */
export function shareStatus(share: Pick<Share, "disabledAt" | "revokedAt" | "expiresAt">, now: Date): ShareStatus {
  if (share.disabledAt) return ShareStatus.DISABLED;
  if (share.revokedAt) return ShareStatus.REVOKED;
  if (share.expiresAt && share.expiresAt.getTime() <= now.getTime()) return ShareStatus.EXPIRED;
  return ShareStatus.ACTIVE;
}

/**
 * shareStatus() as SQL conditions on a share aliased `s`, with `:now` bound: kept beside it so the two never
 * disagree. Whether a link works for viewers also needs its owner not deactivated (see ShareReader).
 */
export const SHARE_STATUS_SQL: Record<ShareStatus, string> = {
  [ShareStatus.DISABLED]: "s.disabled_at IS NOT NULL",
  [ShareStatus.REVOKED]: "s.disabled_at IS NULL AND s.revoked_at IS NOT NULL",
  [ShareStatus.EXPIRED]: "s.disabled_at IS NULL AND s.revoked_at IS NULL AND s.expires_at <= :now",
  [ShareStatus.ACTIVE]: "s.disabled_at IS NULL AND s.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > :now)",
};

/** Every column of a share, the snapshot (left out of ordinary reads) included. */
export function withSnapshot(dataSource: DataSource): FindOptionsSelect<Share> {
  return Object.fromEntries(dataSource.getMetadata(Share).columns.map((c) => [c.propertyName, true]));
}
