// What the user module announces; modules built on users (sharing, files) react. Announced after the transaction
// ends, also when it failed: a reaction too many (a cache forgetting what was still true) is harmless, one too few is
// not. AccountErasing alone is announced inside the transaction, for writes that must commit or fail with it.
import type { EntityManager } from "typeorm";

/** The account ended: its sessions are void and its conversations, messages and snapshots erased. */
export class AccountDeactivated {
  constructor(readonly userId: string) {}
}

/**
 * The account's content is being erased, inside that transaction (`manager`): modules whose rows no foreign key
 * cascades from (files, whose bytes may be shared) erase theirs with it, so all of it goes or none does.
 */
export class AccountErasing {
  constructor(
    readonly userId: string,
    readonly manager: EntityManager,
  ) {}
}

/** The user's profile changed (the display name that NAMED links show). */
export class ProfileUpdated {
  constructor(readonly userId: string) {}
}
