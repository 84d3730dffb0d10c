import { Field, ID, ObjectType } from "type-graphql";
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
