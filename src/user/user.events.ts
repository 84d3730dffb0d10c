// What the user module announces; modules built on users (sharing) react. Announced after the transaction ends,
// also when it failed: a reaction too many (a cache forgetting what was still true) is harmless, one too few is not.

/** The account ended: its sessions are void and its conversations, messages and snapshots erased. */
export class AccountDeactivated {
  constructor(readonly userId: string) {}
}

/** The user's profile changed (the display name that NAMED links show). */
export class ProfileUpdated {
  constructor(readonly userId: string) {}
}
