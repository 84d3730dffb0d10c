// Small class-validator building blocks shared by the input types.
import { IsUUID, Matches } from "class-validator";

/** An id this API issued (a UUID). */
export function IsEntityId(): PropertyDecorator {
  return IsUUID("all", { message: ({ property }) => `${property} is not a valid id` });
}

/** At least one character that is not white space. */
export function IsNotBlank(): PropertyDecorator {
  return Matches(/\S/, { message: ({ property }) => `${property} must not be empty` });
}
