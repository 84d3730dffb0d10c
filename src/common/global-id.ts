// Opaque, globally unique ids (Relay): base64url of "<Type>:<uuid>", so one id names one object of one type.
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
