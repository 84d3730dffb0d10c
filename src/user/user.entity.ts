import { Authorized, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
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

@ObjectType({ description: "A person with an account. Only the person themself can read their own user." })
@Authorized(Rule.SELF)
@Entity({ name: "users" })
export class User {
  @Field(() => ID, { description: "Stable identifier of the user." })
  @IdColumn()
  id!: string;

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
