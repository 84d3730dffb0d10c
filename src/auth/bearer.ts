// Who a request speaks for: the user behind its `Authorization: Bearer <token>`, or null.
import type { User } from "../user/user.entity";
import type { UserService } from "../user/user.service";
import type { SessionTokens } from "./tokens";

export function bearerViewer(tokens: SessionTokens, users: UserService): (authorization: string | undefined) => Promise<User | null> {
  return async (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    const claims = match ? tokens.verify(match[1]) : null;
    return claims ? users.viewerFor(claims) : null;
  };
}
