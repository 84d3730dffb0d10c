// Link tokens: minted from a CSPRNG, looked up by hash, kept sealed for the owner, and told apart from look-alikes.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import { BadInputError } from "../common/errors";

/** 256 random bits, base64url: 43 URL-safe characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const LINK_MAX_LENGTH = 2048;

export interface MintedToken {
  token: string;
  tokenHash: string;
  tokenSealed: string;
}

/** Why an owner sees no URL for one of their links; the link itself still works for whoever has it. */
export const URL_UNAVAILABLE =
  "This link's URL cannot be shown: it was sealed under a SHARE_LINK_KEY this server no longer has. The link still works for anyone who has it; share the conversation again for a URL you can copy.";

/** Seals with the first key and unseals with any (GCM's tag tells which fits), so keys can be rotated without an outage. */
export class ShareLinks {
  private readonly keys: Buffer[];
  /**
   * URLs unsealed lately, by hash and sealed token: a list of 20 links unsealed each on every request (4% of its CPU).
   * Bounded by count (a URL is under 200 bytes); the tokens are no more exposed than the key that unseals them.
   */
  private readonly unsealed = new LRUCache<string, string>({ max: 10_000 });

  constructor(
    readonly baseUrl: string,
    secrets: Buffer[],
  ) {
    if (secrets.length === 0) throw new Error("ShareLinks needs at least one key");
    this.keys = secrets.map((secret) => Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "chat-share link tokens v1", 32)));
  }

  mint(): MintedToken {
    const token = randomBytes(32).toString("base64url");
    const tokenHash = this.hash(token);
    return { token, tokenHash, tokenSealed: this.seal(token, tokenHash) };
  }

  hash(token: string): string {
    return createHash("sha256").update(token).digest("hex");
  }

  /** The link to give out, or null when no key this server has can unseal it (see URL_UNAVAILABLE). */
  urlOf(share: { tokenHash: string; tokenSealed: string }): string | null {
    const id = `${share.tokenHash}.${share.tokenSealed}`;
    const known = this.unsealed.get(id);
    if (known !== undefined) return known;
    for (const key of this.keys) {
      const token = this.unseal(key, share.tokenSealed, share.tokenHash);
      if (token !== null) {
        this.unsealed.set(id, this.baseUrl + token);
        return this.baseUrl + token;
      }
    }
    return null;
  }

  /**
   * The token inside a link a client pasted: the full URL under SHARE_BASE_URL, or the bare token.
   * Anything else, including URLs under any other prefix, is refused before the database is asked.
   */
  tokenOf(link: string): string {
    if (link.length > LINK_MAX_LENGTH) throw new BadInputError(`A link is at most ${LINK_MAX_LENGTH} characters.`);
    const candidate = link.trim();
    if (TOKEN.test(candidate)) return candidate;
    if (candidate.startsWith(this.baseUrl)) {
      const token = candidate.slice(this.baseUrl.length);
      if (TOKEN.test(token)) return token;
      throw new BadInputError("This share link is malformed: check that it was copied whole.");
    }
    if (/[:/]/.test(candidate)) {
      throw new BadInputError(`This is not a chat-share link: share links start with ${this.baseUrl}`);
    }
    throw new BadInputError("This is not a share link or share token.");
  }

  // AES-256-GCM bound to the token's hash, so a sealed token cannot be moved to another row.
  private seal(token: string, tokenHash: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys[0], iv).setAAD(Buffer.from(tokenHash));
    const body = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
  }

  /** The token, or null when `key` is not the one it was sealed with (the auth tag does not match). */
  private unseal(key: Buffer, sealed: string, tokenHash: string): string | null {
    const raw = Buffer.from(sealed, "base64url");
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12)).setAAD(Buffer.from(tokenHash));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      return null;
    }
  }
}
