// Small class-validator building blocks shared by the input types.
import { IsOptional, Matches, ValidateBy } from "class-validator";
import { Field } from "type-graphql";
import { fromGlobalId, type NodeType } from "./global-id";

/**
 * Text any door may pass to the database: no NUL (PostgreSQL cannot store it, SQLite's LIKE stops at it) and no
 * unpaired UTF-16 surrogate (not text a person wrote). GraphQL's text-safety plugin and the HTML forms both use it.
 */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && value.isWellFormed();
}

export const UNSTORABLE_TEXT = "must not contain NUL characters or unpaired surrogates";

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

/**
 * The optional `idempotencyKey` input field of the mutations that create something: a client-chosen key, 1 to 100 of
 * A-Z a-z 0-9 . _ : -, that makes a retry safe.
 */
export function IdempotencyKeyField(): PropertyDecorator {
  const decorators = [
    Field(() => String, {
      nullable: true,
      description: "Makes a retry safe: sending the same key again within 24 hours returns what the first request created and creates nothing new.",
    }),
    IsOptional(),
    Matches(/^[A-Za-z0-9._:-]{1,100}$/, { message: "idempotencyKey must be 1 to 100 letters, digits or . _ : -" }),
  ];
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property);
  };
}
