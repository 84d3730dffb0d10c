// Session tokens: HS256 JWTs with a pinned algorithm, issuer, audience and expiry, tied to the user's token version.
import jwt from "jsonwebtoken";

const ISSUER = "chat-share";
const AUDIENCE = "chat-share-api";

export interface SessionClaims {
  userId: string;
  tokenVersion: number;
}

export class SessionTokens {
  constructor(
    private readonly secret: Buffer,
    private readonly ttlSeconds: number,
  ) {}

  issue(claims: SessionClaims): string {
    return jwt.sign({ ver: claims.tokenVersion }, this.secret, {
      algorithm: "HS256",
      subject: claims.userId,
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: this.ttlSeconds,
    });
  }

  /** The claims of a valid token, or null for anything else (bad signature, `alg: none`, expired, malformed). */
  verify(token: string): SessionClaims | null {
    try {
      const payload = jwt.verify(token, this.secret, { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE });
      if (typeof payload !== "object" || typeof payload.sub !== "string" || typeof payload.ver !== "number") return null;
      return { userId: payload.sub, tokenVersion: payload.ver };
    } catch {
      return null;
    }
  }
}
