// How sharing reacts to what the modules below it announce: links to what is gone or changed are forgotten by every
// instance's caches. The rows themselves went in the announcer's transaction, by ON DELETE CASCADE.
import type { EventBus } from "../common/events";
import { ConversationDeleted } from "../conversation/conversation.events";
import { AccountDeactivated, ProfileUpdated } from "../user/user.events";
import type { SnapshotCache } from "./snapshot-cache";

export function subscribeShares(events: EventBus, linkCache: SnapshotCache): void {
  events.subscribe(ConversationDeleted, (event) => linkCache.forgetConversation(event.conversationId));
  events.subscribe(AccountDeactivated, (event) => linkCache.forgetOwner(event.userId));
  // NAMED links show the owner's name.
  events.subscribe(ProfileUpdated, (event) => linkCache.forgetOwner(event.userId));
}
