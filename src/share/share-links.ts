// Link tokens: minted from a CSPRNG, looked up by hash, kept sealed for the owner, and told apart from look-alikes.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { BadInputError } from "../common/errors";

/** 256 random bits, base64url: 43 URL-safe characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const LINK_MAX_LENGTH = 2048;

export interface MintedToken {
  token: string;
  tokenHash: string;
  tokenSealed: string;
}

export class ShareLinks {
  private readonly key: Buffer;

  constructor(
    readonly baseUrl: string,
    secret: Buffer,
  ) {
    this.key = Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "chat-share link tokens v1", 32));
  }

  mint(): MintedToken {
    const token = randomBytes(32).toString("base64url");
    const tokenHash = this.hash(token);
    return { token, tokenHash, tokenSealed: this.seal(token, tokenHash) };
  }

  hash(token: string): string {
    return createHash("sha256").update(token).digest("hex");
  }

  urlOf(share: { tokenHash: string; tokenSealed: string }): string {
    return this.baseUrl + this.unseal(share.tokenSealed, share.tokenHash);
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
    const cipher = createCipheriv("aes-256-gcm", this.key, iv).setAAD(Buffer.from(tokenHash));
    const body = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
  }

  private unseal(sealed: string, tokenHash: string): string {
    const raw = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12)).setAAD(Buffer.from(tokenHash));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}
