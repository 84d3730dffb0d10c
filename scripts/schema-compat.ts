// Breaking-change detection between two SDL versions, with graphql's own rules.
import { buildSchema, findBreakingChanges, findDangerousChanges } from "graphql";

export function checkSchemaCompatibility(releasedSdl: string, currentSdl: string): { breaking: string[]; dangerous: string[] } {
  const released = buildSchema(releasedSdl);
  const current = buildSchema(currentSdl);
  return {
    breaking: findBreakingChanges(released, current).map((c) => `${c.type}: ${c.description}`),
    dangerous: findDangerousChanges(released, current).map((c) => `${c.type}: ${c.description}`),
  };
}
