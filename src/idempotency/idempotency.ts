// Safe retries: a mutation sent again with the same idempotencyKey returns what the first one created.
import { LessThan, type EntityManager } from "typeorm";
import { BadInputError } from "../common/errors";
import { IdempotencyKey } from "./idempotency-key.entity";

/** How long a key is remembered; a retry later than this creates anew. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600 * 1000;

export interface IdempotencyScope {
  userId: string;
  key: string | null | undefined;
  operation: string;
}

/**
 * Runs `create` once per (user, key) inside the caller's write transaction; a repeat returns `find` of the first
 * result instead. Without a key it simply creates.
 */
export async function idempotent<T extends { id: string }>(
  manager: EntityManager,
  scope: IdempotencyScope,
  create: () => Promise<T>,
  find: (id: string) => Promise<T | null>,
): Promise<T> {
  if (!scope.key) return create();
  const earlier = await manager.findOneBy(IdempotencyKey, { userId: scope.userId, key: scope.key });
  if (earlier && earlier.createdAt.getTime() > Date.now() - IDEMPOTENCY_KEY_TTL_MS) {
    if (earlier.operation !== scope.operation) {
      throw new BadInputError(`This idempotencyKey was already used for ${earlier.operation}; use a new key for each new request.`, { field: "idempotencyKey" });
    }
    const result = await find(earlier.resultId);
    if (result) return result;
    throw new BadInputError("What this idempotencyKey created no longer exists; use a new key.", { field: "idempotencyKey" });
  }
  const result = await create();
  const row = { userId: scope.userId, key: scope.key, operation: scope.operation, resultId: result.id, createdAt: new Date() };
  if (earlier) await manager.update(IdempotencyKey, { userId: scope.userId, key: scope.key }, row);
  else await manager.insert(IdempotencyKey, row);
  return result;
}

export async function purgeExpiredIdempotencyKeys(manager: EntityManager, now = new Date()): Promise<void> {
  await manager.delete(IdempotencyKey, { createdAt: LessThan(new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS)) });
}
