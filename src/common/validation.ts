// Small class-validator building blocks shared by the input types.
import { Matches, ValidateBy } from "class-validator";
import { fromGlobalId, type NodeType } from "./global-id";

/** A global id this API issued for an object of `type` (see global-id.ts). */
export function IsNodeId(type: NodeType): PropertyDecorator {
  return ValidateBy({
    name: "isNodeId",
    validator: {
      validate: (value: unknown) => typeof value === "string" && fromGlobalId(value)?.type === type,
      defaultMessage: (args) => `${args?.property} is not a valid ${type} id`,
    },
  });
}

/** At least one character that is not white space. */
export function IsNotBlank(): PropertyDecorator {
  return Matches(/\S/, { message: ({ property }) => `${property} must not be empty` });
}

/** A client-chosen key that makes a retried mutation safe: 1 to 100 of A-Z a-z 0-9 . _ : - */
export function IsIdempotencyKey(): PropertyDecorator {
  return Matches(/^[A-Za-z0-9._:-]{1,100}$/, { message: "idempotencyKey must be 1 to 100 letters, digits or . _ : -" });
}
