import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { User } from "./user.entity";

@ObjectType({ description: "A session: send the token as `Authorization: Bearer <token>`." })
export class AuthPayload {
  @Field(() => String, { description: "Session token (a JWT). It expires, and stops working if the account is deactivated." })
  token!: string;

  @Field(() => User, { description: "The signed-in user, whose email is readable here." })
  user!: User;
}

@ObjectType({ description: "Result of deactivateAccount." })
export class DeactivateAccountPayload {
  @Field(() => ID, { description: "Id of the account that was deactivated." })
  deactivatedUserId!: string;
}

@ObjectType({ description: "Result of updateProfile." })
export class UpdateProfilePayload {
  @Field(() => User, { description: "You, as updated." })
  user!: User;
}

@ObjectType({ description: "Everything the service keeps about you, for your own records or to move elsewhere." })
export class DataExport {
  @Field(() => DateTimeResolver, { description: "When this export was made." })
  exportedAt!: Date;

  @Field(() => JSONObjectResolver, {
    description: "Your profile, conversations with their messages, and share links with their snapshots, as one JSON document (format version 1).",
  })
  data!: Record<string, unknown>;
}

@ObjectType({ description: "Result of logOutEverywhere." })
export class LogOutEverywherePayload {
  @Field(() => ID, { description: "Id of the user whose sessions all ended; log in again to get a new token." })
  userId!: string;
}
