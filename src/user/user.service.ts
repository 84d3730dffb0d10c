import { entityRows } from "../db/entity-rows";
import type { DataSource } from "typeorm";
import { BadInputError, UnauthenticatedError } from "../common/errors";
import { newId } from "../common/ids";
import type { Transactions } from "../db/transactions";
import type { PasswordHasher } from "../auth/passwords";
import type { SessionClaims, SessionTokens } from "../auth/tokens";
import { Conversation } from "../conversation/conversation.entity";
import { Message } from "../conversation/message.entity";
import { User } from "./user.entity";
import { enforce, type RateLimiter } from "../common/rate-limit";
import type { EventBus } from "../common/events";
import { AccountDeactivated, AccountErasing, ProfileUpdated } from "./user.events";

export interface Session {
  token: string;
  user: User;
}

const BAD_CREDENTIALS = "The email or password is incorrect.";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface AccountLimits {
  signupsPerIp: RateLimiter;
  loginsPerAccount: RateLimiter;
  loginsPerIp: RateLimiter;
}

export class UserService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly passwords: PasswordHasher,
    private readonly tokens: SessionTokens,
    private readonly limits: AccountLimits,
    private readonly events: EventBus,
  ) {}

  async signUp(input: { email: string; password: string; displayName: string }, clientIp: string): Promise<Session> {
    await enforce(this.limits.signupsPerIp, clientIp, "sign-ups from this address");
    const emailNormalized = normalizeEmail(input.email);
    // Hash before queueing: the write queue is never held while scrypt runs.
    const passwordHash = await this.passwords.hash(input.password);
    const user = await this.transactions.write(async (manager) => {
      if (await manager.existsBy(User, { emailNormalized })) {
        throw new BadInputError("An account with this email already exists.", { field: "email" });
      }
      const created = manager.create(User, {
        id: newId(),
        email: input.email.trim(),
        emailNormalized,
        displayName: input.displayName.trim(),
        passwordHash,
        tokenVersion: 0,
        createdAt: new Date(),
        deactivatedAt: null,
      });
      return manager.save(created);
    });
    return { user, token: this.tokens.issue({ userId: user.id, tokenVersion: user.tokenVersion }) };
  }

  /** Brute force meets two walls: attempts per account (whether it exists or not) and per address. */
  async logIn(input: { email: string; password: string }, clientIp: string): Promise<Session> {
    const emailNormalized = normalizeEmail(input.email);
    await enforce(this.limits.loginsPerIp, clientIp, "login attempts from this address");
    await enforce(this.limits.loginsPerAccount, emailNormalized, "login attempts for this account");
    const user = await this.dataSource.manager.findOneBy(User, { emailNormalized });
    const ok = user ? await this.passwords.verify(input.password, user.passwordHash) : await this.passwords.verifyNothing(input.password);
    if (!user || !ok || user.deactivatedAt) throw new UnauthenticatedError(BAD_CREDENTIALS);
    return { user, token: this.tokens.issue({ userId: user.id, tokenVersion: user.tokenVersion }) };
  }

  /** The user a session token speaks for, or null when that account is gone or the token was invalidated. */
  async viewerFor(claims: SessionClaims): Promise<User | null> {
    // On every signed-in request: a plain row, without TypeORM building and hydrating the query each time.
    const [user] = await entityRows(this.dataSource, User).whereIn(this.dataSource.manager, "id", [claims.userId]);
    if (!user || user.deactivatedAt || user.tokenVersion !== claims.tokenVersion) return null;
    return user;
  }

  /** NAMED shares show the new name from the next view on: attribution is live, content is a snapshot. */
  updateProfile(viewer: User, displayName: string): Promise<User> {
    return this.transactions.write(async (manager) => {
      await manager.update(User, { id: viewer.id }, { displayName: displayName.trim() });
      return manager.findOneByOrFail(User, { id: viewer.id });
    }).finally(() => this.events.publish(new ProfileUpdated(viewer.id)));
  }

  /** Invalidates every session token of the viewer, this one included. */
  async logOutEverywhere(viewer: User): Promise<void> {
    await this.transactions.write((manager) => manager.update(User, { id: viewer.id }, { tokenVersion: () => "token_version + 1" }));
  }

  /**
   * Ends the account: every session and every share link of the user stops working at once, and their
   * conversations, messages and snapshots are erased (the account row stays, so the email cannot be taken over).
   * The password check spends the same allowances as logIn, so a stolen session token is no faster way to guess it.
   * Snapshots go with their conversations (ON DELETE CASCADE), in the same transaction; the announcement is awaited.
   */
  async deactivate(viewer: User, password: string, clientIp: string): Promise<string> {
    await enforce(this.limits.loginsPerIp, clientIp, "password attempts from this address");
    await enforce(this.limits.loginsPerAccount, viewer.emailNormalized, "password attempts for this account");
    if (!(await this.passwords.verify(password, viewer.passwordHash))) {
      throw new BadInputError("The password is incorrect.", { field: "password" });
    }
    await this.transactions.erase(async (manager) => {
      await manager.update(User, { id: viewer.id }, { deactivatedAt: new Date(), tokenVersion: () => "token_version + 1" });
      // Rows of modules built on users that no foreign key cascades from (files) go in this same transaction.
      await this.events.publish(new AccountErasing(viewer.id, manager));
      await manager.delete(Message, { ownerId: viewer.id });
      await manager.delete(Conversation, { ownerId: viewer.id });
    }).finally(() => this.events.publish(new AccountDeactivated(viewer.id)));
    return viewer.id;
  }
}
