// Types that only their owner may read, every field checked against the viewer as `@Authorized(Rule.OWNER)` on the
// class would check it, but synchronously. type-graphql runs a class-level rule as an async middleware on every
// field read: a list of 20 conversations with 20 messages each spent most of its CPU on those promises (issue 17).
// The rule, its errors and the viewer it reads are the same as @Authorized's (see auth-checker.ts). The guard covers
// the field resolvers other modules add to these types too, so those need no @Authorized(Rule.OWNER) of their own.
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { AuthorizationError, getMetadataStorage } from "type-graphql";
import { UnauthenticatedError } from "../common/errors";
import type { Context } from "../context";
import { isOwner } from "./auth-checker";

const ownerOnly = new Set<Function>();

/** Marks an object type whose every field only the owner of its object (`ownerId`) may read. */
export function OwnerOnly(): ClassDecorator {
  return (target) => {
    ownerOnly.add(target);
  };
}

function guarded(resolve: GraphQLFieldResolver<unknown, Context>): GraphQLFieldResolver<unknown, Context> {
  return (root, args, context, info) => {
    // passesRules(root, viewer, [Rule.OWNER]) spelled out: this runs for every field of every owned object.
    if (!context.viewer) throw new UnauthenticatedError();
    if (!isOwner(root, context.viewer)) throw new AuthorizationError();
    return resolve(root, args, context, info);
  };
}

/** Wraps every field of the @OwnerOnly types of a built schema in the owner check; throws if one is missing. */
export function guardOwnerOnlyTypes(schema: GraphQLSchema): void {
  const names = getMetadataStorage().objectTypes.filter((type) => ownerOnly.has(type.target)).map((type) => type.name);
  if (names.length !== ownerOnly.size) throw new Error("An @OwnerOnly class is not an @ObjectType of the schema.");
  for (const name of names) {
    const type = schema.getType(name);
    if (!isObjectType(type)) throw new Error(`@OwnerOnly type ${name} is not in the schema.`);
    for (const field of Object.values(type.getFields())) field.resolve = guarded(field.resolve ?? defaultFieldResolver);
  }
}
