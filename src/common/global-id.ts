// Opaque, globally unique ids (Relay): base64url of "<Type>:<uuid>", so one id names one object of one type.
import { BadInputError } from "./errors";
import { isId } from "./ids";

export const NodeType = {
  User: "User",
  Conversation: "Conversation",
  Message: "Message",
  Share: "Share",
  ShareReport: "ShareReport",
} as const;
export type NodeType = (typeof NodeType)[keyof typeof NodeType];

const TYPES = new Set<string>(Object.values(NodeType));

export function toGlobalId(type: NodeType, id: string): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64url");
}

/** The type and database id inside a global id, or null when it is not one this API issued. */
export function fromGlobalId(globalId: string): { type: NodeType; id: string } | null {
  if (globalId.length > 100 || !/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const decoded = Buffer.from(globalId, "base64url").toString("utf8");
  const colon = decoded.indexOf(":");
  const type = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  return colon > 0 && TYPES.has(type) && isId(id) ? { type: type as NodeType, id } : null;
}

/** The database id of a global id that must name a `type`; anything else is the client's mistake. */
export function localId(type: NodeType, globalId: string, field = "id"): string {
  const parsed = fromGlobalId(globalId);
  if (!parsed || parsed.type !== type) throw new BadInputError(`${field} is not a valid ${type} id.`, { field });
  return parsed.id;
}

/** localId for optional arguments. */
export function optionalLocalId(type: NodeType, globalId: string | null | undefined, field: string): string | null {
  return globalId === null || globalId === undefined ? null : localId(type, globalId, field);
}
