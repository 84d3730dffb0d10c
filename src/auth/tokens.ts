// Session tokens: HS256 JWTs with a pinned algorithm, issuer, audience and expiry, tied to the user's token version.
import { createSecretKey, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { LRUCache } from "lru-cache";

const ISSUER = "chat-share";
const AUDIENCE = "chat-share-api";

export interface SessionClaims {
  userId: string;
  tokenVersion: number;
}

/** Signs with the first key and verifies with any, so a new key can be put first and an old one dropped later. */
export class SessionTokens {
  /**
   * As key objects: given a Buffer, jsonwebtoken first tries to parse it as a PEM public key and catches the
   * failure on every call, which cost ~0.5 ms of CPU per signed-in request.
   */
  private readonly secrets: KeyObject[];
  /**
   * Tokens verified lately, until they expire: the same token verifies the same way with the same keys (a change
   * of keys restarts the process), so only expiry is checked again. Bounded by count (a token is ~250 bytes).
   */
  private readonly verified = new LRUCache<string, { claims: SessionClaims; expiresAt: number }>({ max: 10_000 });

  constructor(
    secrets: Buffer[],
    private readonly ttlSeconds: number,
  ) {
    if (secrets.length === 0) throw new Error("SessionTokens needs at least one key");
    this.secrets = secrets.map((secret) => createSecretKey(secret));
  }

  issue(claims: SessionClaims): string {
    return jwt.sign({ ver: claims.tokenVersion }, this.secrets[0], {
      algorithm: "HS256",
      subject: claims.userId,
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: this.ttlSeconds,
    });
  }

  /** The claims of a valid token, or null for anything else (bad signature, `alg: none`, expired, malformed). */
  verify(token: string): SessionClaims | null {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt > Date.now()) return known.claims;
      this.verified.delete(token);
    }
    for (const secret of this.secrets) {
      const verified = this.verifyWith(token, secret);
      if (verified) {
        this.verified.set(token, verified);
        return verified.claims;
      }
    }
    return null;
  }

  private verifyWith(token: string, secret: KeyObject): { claims: SessionClaims; expiresAt: number } | null {
    try {
      const payload = jwt.verify(token, secret, { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE });
      if (typeof payload !== "object" || typeof payload.sub !== "string" || typeof payload.ver !== "number" || typeof payload.exp !== "number") return null;
      return { claims: { userId: payload.sub, tokenVersion: payload.ver }, expiresAt: payload.exp * 1000 };
    } catch {
      return null;
    }
  }
}
