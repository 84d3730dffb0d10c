// The small pages around the conversation: the one dead-link page, and the answers to a report.
import { html, type Html } from "./html";
import { renderDocument } from "./layout";

function notice(title: string, heading: string, body: Html): Html {
  return renderDocument({ title: `${title} · chat-share`, main: html`<div class="notice">
<h1>${heading}</h1>
${body}
</div>` });
}

/**
 * The page for every link that does not work. It is a constant: the same bytes whatever the reason
 * (unknown, malformed, revoked, expired, deleted, deactivated, moderated), so it tells nobody which.
 */
export const NOT_FOUND_PAGE: Html = notice(
  "Link not available",
  "This link doesn’t work",
  html`<p>The conversation isn’t available. The person who shared it may have turned the link off, it may have
expired, or it may not have been copied whole.</p>
<p>If someone sent it to you, ask them for a new link.</p>`,
);

/**
 * A working SIGNED_IN link opened without a session. Nothing of the conversation, not even its title: the same
 * words for every such link, with a way into the app (APP_IMPORT_URL) when one is configured.
 */
export function signInNeededPage(appUrl: string | null): Html {
  const next =
    appUrl === null
      ? html`<p>Open this link in a chat app where you are signed in to see it.</p>`
      : html`<p>Open it in the app, where you are signed in, to see it.</p>
<p><a class="button" href="${appUrl}">Open in the app</a></p>`;
  return notice(
    "Sign in to view",
    "Sign in to see this conversation",
    html`<p>Whoever shared this conversation made it visible only to people signed in to an account on this server.</p>
${next}`,
  );
}

export function reportThanksPage(conversationPath: string): Html {
  return notice(
    "Report sent",
    "Thanks for your report",
    html`<p>Moderators will look at this conversation. If it breaks the rules, the link will be turned off.</p>
<p><a href="${conversationPath}">Back to the conversation</a></p>`,
  );
}

function waitFor(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return minutes === 1 ? "a minute" : `${minutes} minutes`;
}

export function tooManyReportsPage(retryAfterSeconds: number, conversationPath: string): Html {
  return notice(
    "Too many reports",
    "Too many reports",
    html`<p>You’ve sent several reports in a short time. Please try again in ${waitFor(retryAfterSeconds)}.</p>
<p><a href="${conversationPath}">Back to the conversation</a></p>`,
  );
}

/** Said before the link is even looked up, so it tells nothing about whether the link works. */
export function tooManyViewsPage(retryAfterSeconds: number): Html {
  return notice(
    "Too many requests",
    "Too many requests",
    html`<p>Shared conversations were opened from your address many times in a short time. Please try again in ${waitFor(retryAfterSeconds)}.</p>`,
  );
}

/** Requests a browser following our own links and form never makes: a plain page with the status's reason. */
export function requestErrorPage(heading: string, text: string): Html {
  return notice(heading, heading, html`<p>${text}</p>`);
}
