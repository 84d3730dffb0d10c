// Every migration, in order. The server applies pending ones at start; `npm run migrate` does it by hand.
import { Initial1764000000000 } from "./1764000000000-Initial";

export const migrations = [Initial1764000000000];
