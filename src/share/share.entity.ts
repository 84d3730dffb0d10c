import { Authorized, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { Column, Entity, Index, JoinColumn, ManyToOne } from "typeorm";
import { IdColumn, RefColumn, TimestampColumn } from "../db/columns";
import { Rule } from "../auth/rules";
import { User } from "../user/user.entity";
import { Conversation, TITLE_MAX_LENGTH } from "../conversation/conversation.entity";
import type { MessageRole } from "../conversation/message.entity";

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

/** The frozen content behind a link, stored as one document so a view is one indexed read. */
export interface Snapshot {
  title: string;
  messages: { role: MessageRole; content: string }[];
}

@ObjectType({ description: "A link to a frozen snapshot of one of your conversations. Only its owner can see it." })
@Authorized(Rule.OWNER)
@Entity({ name: "shares" })
@Index("shares_owner_id_idx", ["ownerId", "id"])
@Index("shares_conversation_id_idx", ["conversationId", "id"])
export class Share {
  @Field(() => ID, { description: "Stable identifier of the share." })
  @IdColumn()
  id!: string;

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

  /** The conversation's title when the snapshot was taken. */
  @Column({ type: "varchar", length: TITLE_MAX_LENGTH })
  title!: string;

  @Column({ type: "integer", name: "message_count" })
  messageCount!: number;

  /** JSON of a Snapshot; large, so only the view path reads it. */
  @Column({ type: "text", select: false })
  snapshot?: string;

  @Field(() => DateTimeResolver, { description: "When the link was created, which is when its snapshot was taken." })
  @TimestampColumn("created_at")
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: "When the link was revoked; null while it works." })
  @TimestampColumn("revoked_at", { nullable: true })
  revokedAt!: Date | null;
}
