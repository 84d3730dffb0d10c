// Evaluates @Authorized(...) rules against the viewer and the object being read. Unknown rules deny.
import { createParameterDecorator, type AuthCheckerFn } from "type-graphql";
import { UnauthenticatedError } from "../common/errors";
import type { Context } from "../context";
import { User, UserRole } from "../user/user.entity";
import type { RequestActor } from "./actor";
import { Rule } from "./rules";

/** Rule.OWNER: the object belongs to the viewer. */
export function isOwner(root: unknown, viewer: User): boolean {
  return typeof root === "object" && root !== null && (root as { ownerId?: unknown }).ownerId === viewer.id;
}

const RULES: Record<string, (root: unknown, viewer: User) => boolean> = {
  [Rule.SELF]: (root, viewer) => root instanceof User && root.id === viewer.id,
  [Rule.OWNER]: isOwner,
  [Rule.ADMIN]: (_root, viewer) => viewer.role === UserRole.ADMIN,
};

/** Whether the viewer passes every rule for this root; UnauthenticatedError when nobody is signed in. */
export function passesRules(root: unknown, viewer: User | null, roles: readonly string[]): boolean {
  if (!viewer) throw new UnauthenticatedError();
  return roles.every((role) => RULES[role]?.(root, viewer) ?? false);
}

export const authChecker: AuthCheckerFn<Context, string> = ({ root, context }, roles) => passesRules(root, context.viewer, roles);

/** Injects the signed-in viewer; refuses the operation when there is none. */
export function Viewer() {
  return createParameterDecorator<Context>(({ context }) => {
    if (!context.viewer) throw new UnauthenticatedError();
    return context.viewer;
  });
}

/** Injects who is asking (signed in or not), for services whose rules depend on it. */
export function Actor() {
  return createParameterDecorator<Context>(({ context }): RequestActor => ({ viewer: context.viewer, clientIp: context.clientIp }));
}
