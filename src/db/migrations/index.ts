// Every migration, in order. The server applies pending ones at start; `npm run migrate` does it by hand.
import { Initial1764000000000 } from "./1764000000000-Initial";
import { ManagedSharing1764100000000 } from "./1764100000000-ManagedSharing";
import { IdempotencyKeys1764200000000 } from "./1764200000000-IdempotencyKeys";

export const migrations = [Initial1764000000000, ManagedSharing1764100000000, IdempotencyKeys1764200000000];
