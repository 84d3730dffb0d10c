// Time-ordered UUIDv7 ids: sorting by id is sorting by creation, which gives stable "newest first" lists and cursors.
import { randomFillSync } from "node:crypto";

let lastMs = 0;
let counter = 0;

// Random bytes drawn 256 ids at a time, as crypto.randomUUID() does: one call per id was 8% of an import's CPU.
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let pooled = 0;
const scratch = Buffer.alloc(16);

function nextRandom16(): Buffer {
  if (pooled === 0) {
    randomFillSync(pool);
    pooled = POOL_IDS;
  }
  pooled--;
  pool.copy(scratch, 0, pooled * 16, pooled * 16 + 16);
  return scratch;
}

/** A UUIDv7 (RFC 9562) whose 12-bit rand_a field is a per-millisecond counter, so ids from one process never go backwards. */
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      ms = ++lastMs;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const bytes = nextRandom16();
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isId(value: string): boolean {
  return UUID.test(value);
}
