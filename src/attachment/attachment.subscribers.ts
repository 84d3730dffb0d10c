// How files react to what the modules below them announce. Conversations call AttachmentService directly (a message
// carries files); users do not know of files at all, so an account's files go when it announces its erasure.
import type { EventBus } from "../common/events";
import { AccountErasing } from "../user/user.events";
import type { AttachmentService } from "./attachment.service";

export function subscribeAttachments(events: EventBus, attachments: AttachmentService): void {
  // Every reference of the user's (uploads, attachments, their snapshots' copies) and every blob left unreferenced.
  events.subscribe(AccountErasing, (event) => attachments.erase(event.manager, { ownerId: event.userId }));
}
