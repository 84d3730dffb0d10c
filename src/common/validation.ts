// Small class-validator building blocks shared by the input types, and the validation step type-graphql runs on them.
import { IsOptional, Matches, ValidateBy, validateOrReject, type ValidationError, type ValidatorOptions } from "class-validator";
import { ArgumentValidationError, Field } from "type-graphql";
import { fromGlobalId, type NodeType } from "./global-id";

/** The @NodeId fields of each input class (by prototype), so validation can convert them. */
const NODE_ID_FIELDS = new WeakMap<object, Map<string, NodeType>>();

/**
 * A global id this API issued for an object of `type` (see global-id.ts). Once the input is valid, `validateInput`
 * replaces it with the database id it names, so the resolver hands the service a local id without decoding again.
 */
export function NodeId(type: NodeType): PropertyDecorator {
  const validate = ValidateBy({
    name: "isNodeId",
    validator: {
      validate: (value: unknown) => typeof value === "string" && fromGlobalId(value)?.type === type,
      defaultMessage: (args) => `${args?.property} is not a valid ${type} id`,
    },
  });
  return (target, property) => {
    validate(target, property);
    const fields = NODE_ID_FIELDS.get(target) ?? new Map<string, NodeType>();
    NODE_ID_FIELDS.set(target, fields.set(String(property), type));
  };
}

/** Replaces each @NodeId field that holds a (validated) global id with its database id; null and absent stay. */
function toLocalIds(input: object): void {
  for (let proto = Object.getPrototypeOf(input); proto; proto = Object.getPrototypeOf(proto)) {
    for (const property of NODE_ID_FIELDS.get(proto)?.keys() ?? []) {
      const value = (input as Record<string, unknown>)[property];
      if (typeof value === "string") (input as Record<string, unknown>)[property] = fromGlobalId(value)!.id;
    }
  }
}

// What type-graphql's built-in validation uses: a missing optional field is not checked, a plain object is allowed.
const VALIDATOR_OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

/**
 * type-graphql's `validateFn`: validates each argument object as type-graphql's own validation would (same errors,
 * so the same BAD_USER_INPUT answers), then converts its @NodeId fields to database ids.
 */
export async function validateInput(argValue: unknown): Promise<void> {
  const inputs = ([] as unknown[]).concat(argValue).filter((v): v is object => v !== null && typeof v === "object");
  try {
    await Promise.all(inputs.map((input) => validateOrReject(input, VALIDATOR_OPTIONS)));
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[]);
  }
  inputs.forEach(toLocalIds);
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
