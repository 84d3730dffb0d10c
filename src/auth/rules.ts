// The authorization rules that @Authorized(...) names; auth-checker.ts evaluates them against the field's root.
export const Rule = {
  /** The root is the viewer's own User. */
  SELF: "SELF",
  /** The root (conversation, message, share) belongs to the viewer. */
  OWNER: "OWNER",
  /** The viewer is a moderator (User.role ADMIN). */
  ADMIN: "ADMIN",
} as const;
export type Rule = (typeof Rule)[keyof typeof Rule];
