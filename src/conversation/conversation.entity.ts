import { Directive, Field, ID, ObjectType } from "type-graphql";
import { PRIVATE } from "../common/cache-control";
import { DateTimeResolver } from "graphql-scalars";
import { Column, Entity, Index, ManyToOne, JoinColumn } from "typeorm";
import { NodeType, toGlobalId } from "../common/global-id";
import { Node } from "../node/node.interface";
import { IdColumn, RefColumn, TimestampColumn } from "../db/columns";
import { OwnerOnly } from "../auth/owner-only";
import { User } from "../user/user.entity";

export const TITLE_MAX_LENGTH = 200;

@ObjectType({ implements: Node, description: "A chat conversation in its owner's history. Only its owner can read it." })
@OwnerOnly()
@Directive(PRIVATE)
@Entity({ name: "conversations" })
@Index("conversations_owner_id_idx", ["ownerId", "id"])
export class Conversation {
  /** Database id; the API shows it only inside the global id below. */
  @IdColumn()
  id!: string;

  @Field(() => ID, { name: "id", description: "Opaque, globally unique id of the conversation." })
  get nodeId(): string {
    return toGlobalId(NodeType.Conversation, this.id);
  }

  @RefColumn("owner_id")
  ownerId!: string;

  // Declared for the foreign key only; never loaded (relations go through DataLoaders).
  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "owner_id", foreignKeyConstraintName: "conversations_owner_id_fkey" })
  owner?: never;

  @Field(() => String, { description: `Title of the conversation, 1 to ${TITLE_MAX_LENGTH} characters.` })
  @Column({ type: "varchar", length: TITLE_MAX_LENGTH })
  title!: string;

  @Field(() => DateTimeResolver, { description: "When the conversation was created." })
  @TimestampColumn("created_at")
  createdAt!: Date;

  /** Title of the shared snapshot this conversation was imported from; null when it was not imported. */
  @Column({ type: "varchar", length: TITLE_MAX_LENGTH, name: "imported_from_title", nullable: true })
  importedFromTitle!: string | null;

  @TimestampColumn("imported_from_shared_at", { nullable: true })
  importedFromSharedAt!: Date | null;
}

@ObjectType({ description: "Where an imported conversation came from. Deliberately has no link back to the original owner." })
export class ImportedFrom {
  @Field(() => String, { description: "Title of the shared snapshot, as it was imported." })
  title!: string;

  @Field(() => DateTimeResolver, { description: "When that snapshot was taken by its owner." })
  sharedAt!: Date;
}
