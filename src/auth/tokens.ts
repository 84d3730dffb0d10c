// Session tokens: HS256 JWTs with a pinned algorithm, issuer, audience and expiry, tied to the user's token version.
import { createSecretKey, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";

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
    for (const secret of this.secrets) {
      const claims = this.verifyWith(token, secret);
      if (claims) return claims;
    }
    return null;
  }

  private verifyWith(token: string, secret: KeyObject): SessionClaims | null {
    try {
      const payload = jwt.verify(token, secret, { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE });
      if (typeof payload !== "object" || typeof payload.sub !== "string" || typeof payload.ver !== "number") return null;
      return { userId: payload.sub, tokenVersion: payload.ver };
    } catch {
      return null;
    }
  }
}
