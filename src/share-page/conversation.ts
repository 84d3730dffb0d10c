// The page a working share link shows: the snapshot's title, attribution, messages, and how to continue it.
import { MessageRole } from "../conversation/message.entity";
import type { SharedAttachment, SharedConversation, SharedMessage } from "../share/shared-conversation.type";
import { AttachmentKind } from "../attachment/attachment.entity";
import { formatDay, formatDayAndTime } from "./dates";
import { html, type Html } from "./html";
import { renderDocument } from "./layout";
import { renderMessage } from "./markdown";

export interface ConversationPageLinks {
  /** The share link itself, as the owner copied it (for og:url). */
  shareUrl: string;
  /** Absolute URL of the link's preview card (for og:image). */
  cardUrl: string;
  /** Same-origin path of the report form. */
  reportPath: string;
  /** Where "Continue this conversation" goes, token included; null when no app is configured. */
  importUrl: string | null;
  /** Same-origin path the snapshot's files are under (ends with a slash). */
  filesPath: string;
}

const ROLES: Record<MessageRole, { label: string; className: string }> = {
  [MessageRole.USER]: { label: "User", className: "message-user" },
  [MessageRole.ASSISTANT]: { label: "Assistant", className: "message-assistant" },
  [MessageRole.SYSTEM]: { label: "System", className: "message-system" },
};

/** APP_IMPORT_URL with `token=<token>` added; its own query parameters stay. */
export function importUrlFor(appImportUrl: string | null, token: string): string | null {
  if (appImportUrl === null) return null;
  const url = new URL(appImportUrl);
  url.searchParams.set("token", token);
  return url.toString();
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * The text of a link preview (chat apps, email clients): the title the owner shared and neutral facts. Never the
 * owner's name, never message text; the preview card (og:image) is where the first message's opening lines appear.
 */
function previewDescription(view: SharedConversation): string {
  return `A shared conversation: ${plural(view.messages.length, "message", "messages")}, as of ${formatDay(view.sharedAt)}.`;
}

function byline(view: SharedConversation): Html {
  const when = html`<time datetime="${view.sharedAt.toISOString()}">${formatDay(view.sharedAt)}</time>`;
  // sharedBy is null for anonymous shares: then there is no attribution at all, not even "anonymous".
  if (view.sharedBy === null) return html`<p class="byline">Shared on ${when}</p>`;
  return html`<p class="byline">Shared by <strong>${view.sharedBy}</strong> on ${when}</p>`;
}

/** 1,234 bytes as people read sizes: B, KB, MB (powers of 1,024). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** An image as its thumbnail, opening the original; any other file as a download link with its name and size. */
function attachment(a: SharedAttachment, filesPath: string): Html {
  const href = filesPath + a.id;
  if (a.kind === AttachmentKind.IMAGE) {
    const size = a.width && a.height ? html` width="${String(a.width)}" height="${String(a.height)}"` : html``;
    return html`<li class="attachment attachment-image"><a href="${href}" target="_blank" rel="noopener"><img src="${href}/thumbnail" alt="${a.name}"${size} loading="lazy"></a></li>
`;
  }
  return html`<li class="attachment attachment-file"><a href="${href}" download="${a.name}"><span class="attachment-name">${a.name}</span> <span class="attachment-size">(${formatSize(a.size)})</span></a></li>
`;
}

/** Files the owner left out of the snapshot: shown like hidden text, so nobody thinks the message came without them. */
function removedFiles(count: number): Html {
  if (count === 0) return html``;
  return html`<li class="attachment attachment-removed"><span class="redacted">${count === 1 ? "1 file removed" : `${count} files removed`}</span></li>
`;
}

function attachments(m: SharedMessage, filesPath: string): Html {
  const removed = m.removedAttachmentCount ?? 0;
  if (m.attachments.length === 0 && removed === 0) return html``;
  return html`<ul class="attachments" aria-label="Attachments">
${m.attachments.map((a) => attachment(a, filesPath))}${removedFiles(removed)}</ul>
`;
}

function message(m: SharedMessage, filesPath: string): Html {
  const role = ROLES[m.role];
  return html`<li class="message ${role.className}">
<h2 class="message-role">${role.label}</h2>
<div class="message-body">
${renderMessage(m.content, m.redactions)}</div>
${attachments(m, filesPath)}</li>
`;
}

function continueCard(importUrl: string | null): Html {
  const explanation = html`<p>Importing copies this snapshot into your own chat history, where you can pick up where it
left off. Your copy is yours alone: the shared page stays as it is, and whoever shared it is not told.</p>`;
  if (importUrl === null) {
    return html`<section class="card" aria-labelledby="continue-title">
<h2 id="continue-title">Want to keep going?</h2>
${explanation}
<p>To do that, open this link in a chat app that can import shared conversations.</p>
</section>`;
  }
  return html`<section class="card" aria-labelledby="continue-title">
<h2 id="continue-title">Want to keep going?</h2>
${explanation}
<a class="button" href="${importUrl}">Continue this conversation</a>
</section>`;
}

export function renderConversationPage(view: SharedConversation, links: ConversationPageLinks): Html {
  const main = html`<article aria-labelledby="conversation-title">
<header>
<h1 id="conversation-title">${view.title}</h1>
${byline(view)}
</header>
<ol class="messages" aria-label="Messages">
${view.messages.map((m) => message(m, links.filesPath))}</ol>
</article>
${continueCard(links.importUrl)}`;
  const footer = html`<p>This page is a snapshot of the conversation as it was on
<time datetime="${view.sharedAt.toISOString()}">${formatDayAndTime(view.sharedAt)}</time>. Messages added later are not shown.</p>
<p class="report-link">Something wrong with it? <a href="${links.reportPath}">Report this conversation</a></p>`;
  return renderDocument({
    title: `${view.title} · Shared conversation`,
    preview: { title: view.title, description: previewDescription(view), url: links.shareUrl, image: links.cardUrl },
    main,
    footer,
  });
}
