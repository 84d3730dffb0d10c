import { Authorized, Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { PRIVATE } from "../common/cache-control";
import { Column, Entity, Index } from "typeorm";
import { NodeType, toGlobalId } from "../common/global-id";
import { Node } from "../node/node.interface";
import { IdColumn, TimestampColumn } from "../db/columns";
import { Rule } from "../auth/rules";

export enum UserRole {
  USER = "USER",
  ADMIN = "ADMIN",
}
registerEnumType(UserRole, {
  name: "UserRole",
  description: "What an account may do. ADMIN is granted only from the command line (`npm run user:role`), never through the API.",
  valuesConfig: {
    USER: { description: "An ordinary account." },
    ADMIN: { description: "A moderator: may list reports and disable links." },
  },
});

@ObjectType({ implements: Node, description: "A person with an account. Only the person themself can read their own user." })
@Authorized(Rule.SELF)
@Directive(PRIVATE)
@Entity({ name: "users" })
export class User {
  /** Database id; the API shows it only inside the global id below. */
  @IdColumn()
  id!: string;

  @Field(() => ID, { name: "id", description: "Opaque, globally unique id of the user." })
  get nodeId(): string {
    return toGlobalId(NodeType.User, this.id);
  }

  @Field(() => String, { description: "The name shown under the title of shares whose attribution is NAMED." })
  @Column({ type: "varchar", length: 80, name: "display_name" })
  displayName!: string;

  @Field(() => String, { nullable: true, description: "Email address used to log in. Readable only by the user themself." })
  @Column({ type: "varchar", length: 254 })
  email!: string;

  @Field(() => UserRole, { description: "What this account may do." })
  @Column({ type: "varchar", length: 16, default: UserRole.USER })
  role!: UserRole;

  /** Lower-cased email: uniqueness and login are case-insensitive. */
  @Index("users_email_normalized_key", { unique: true })
  @Column({ type: "varchar", length: 254, name: "email_normalized" })
  emailNormalized!: string;

  /** scrypt hash with its parameters; never exposed. */
  @Column({ type: "varchar", length: 255, name: "password_hash" })
  passwordHash!: string;

  /** Bumped to invalidate every session token issued before (deactivation). */
  @Column({ type: "integer", name: "token_version", default: 0 })
  tokenVersion!: number;

  @TimestampColumn("created_at")
  createdAt!: Date;

  @TimestampColumn("deactivated_at", { nullable: true })
  deactivatedAt!: Date | null;
}
