import { Field, InputType } from "type-graphql";
import { IsEmail, Length, MaxLength } from "class-validator";
import { IsNotBlank } from "../common/validation";

export const DISPLAY_NAME_MAX_LENGTH = 80;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 1024;

@InputType({ description: "What a new account needs." })
export class SignUpInput {
  @Field(() => String, { description: "Email address to log in with; unique regardless of letter case." })
  @MaxLength(254, { message: "email must be at most 254 characters" })
  @IsEmail({}, { message: "email must be a valid email address" })
  email!: string;

  @Field(() => String, { description: `Password, ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters. Stored only as a scrypt hash.` })
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, {
    message: `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`,
  })
  password!: string;

  @Field(() => String, { description: `Name shown on shares with NAMED attribution, 1 to ${DISPLAY_NAME_MAX_LENGTH} characters.` })
  @IsNotBlank()
  @MaxLength(DISPLAY_NAME_MAX_LENGTH, { message: `displayName must be at most ${DISPLAY_NAME_MAX_LENGTH} characters` })
  displayName!: string;
}

@InputType({ description: "Credentials of an existing account." })
export class LogInInput {
  @Field(() => String, { description: "The account's email address, in any letter case." })
  @MaxLength(254, { message: "email must be at most 254 characters" })
  email!: string;

  @Field(() => String, { description: "The account's password." })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `password must be at most ${PASSWORD_MAX_LENGTH} characters` })
  password!: string;
}

@InputType({ description: "Confirms that the signed-in person really wants to end their account." })
export class DeactivateAccountInput {
  @Field(() => String, { description: "The account's current password." })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `password must be at most ${PASSWORD_MAX_LENGTH} characters` })
  password!: string;
}

@InputType({ description: "Changes to your profile." })
export class UpdateProfileInput {
  @Field(() => String, { description: `New display name, 1 to ${DISPLAY_NAME_MAX_LENGTH} characters. NAMED shares show it at once.` })
  @IsNotBlank()
  @MaxLength(DISPLAY_NAME_MAX_LENGTH, { message: `displayName must be at most ${DISPLAY_NAME_MAX_LENGTH} characters` })
  displayName!: string;
}
