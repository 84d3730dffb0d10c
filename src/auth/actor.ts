// Who is asking, as a service sees it: the parts of a request its rules need, never the GraphQL context.
import type { User } from "../user/user.entity";

export interface RequestActor {
  /** The signed-in user, or null when signed out. */
  viewer: User | null;
  /** The address the request came from: the key of per-address limits when signed out. */
  clientIp: string;
}
