// The report form (plain HTML, no script) and the reading of what it posts.
import { ReportReason, REPORT_DETAILS_MAX_LENGTH } from "../moderation/report.entity";
import { isStorableText, UNSTORABLE_TEXT } from "../common/validation";
import { html, type Html } from "./html";
import { renderDocument } from "./layout";

/** The form's labels, in the order shown; a new ReportReason fails the build until it has one. */
const REASON_LABELS: Record<ReportReason, string> = {
  [ReportReason.SPAM]: "Spam or scams",
  [ReportReason.HARASSMENT]: "Harassment or bullying",
  [ReportReason.HATE]: "Hateful content",
  [ReportReason.SEXUAL_CONTENT]: "Sexual content",
  [ReportReason.VIOLENCE]: "Violent or graphic content",
  [ReportReason.SELF_HARM]: "Self-harm or suicide",
  [ReportReason.PERSONAL_INFORMATION]: "Someone’s personal information is exposed",
  [ReportReason.ILLEGAL]: "Illegal content",
  [ReportReason.OTHER]: "Something else (say what below)",
};

export interface ReportFormState {
  reason?: ReportReason;
  details?: string;
  error?: string;
}

export type ParsedReport = { ok: true; reason: ReportReason; details: string | null } | { ok: false; state: ReportFormState };

function isReason(value: string | null): value is ReportReason {
  return value !== null && Object.prototype.hasOwnProperty.call(REASON_LABELS, value);
}

/** Validates the posted fields; on failure, returns what to show the form again with. */
export function parseReportForm(fields: URLSearchParams): ParsedReport {
  const reason = fields.get("reason");
  // Browsers send a textarea's line breaks as CRLF, while its maxlength counted them as one character.
  const details = (fields.get("details") ?? "").replace(/\r\n?/g, "\n");
  if (!isReason(reason)) return { ok: false, state: { details, error: "Choose what the problem is." } };
  // The same rule as GraphQL's: the report form is another door to the same table.
  if (!isStorableText(details)) return { ok: false, state: { reason, details: "", error: `Details ${UNSTORABLE_TEXT}: retype them without those characters.` } };
  if (details.length > REPORT_DETAILS_MAX_LENGTH) {
    return { ok: false, state: { reason, details, error: `Details can be at most ${REPORT_DETAILS_MAX_LENGTH.toLocaleString("en-US")} characters.` } };
  }
  return { ok: true, reason, details: details.trim() || null };
}

function choice(reason: ReportReason, checked: boolean): Html {
  return html`<label class="choice"><input type="radio" name="reason" value="${reason}" required${checked ? html` checked` : ""}>
<span>${REASON_LABELS[reason]}</span></label>
`;
}

export function renderReportForm(paths: { action: string; conversation: string }, state: ReportFormState = {}): Html {
  const error = state.error ? html`<p class="form-error" id="report-error">${state.error}</p>` : "";
  const main = html`<div class="panel">
<h1>Report this conversation</h1>
<p>Tell the moderators what’s wrong with this shared conversation. The person who shared it won’t see who reported it.</p>
<form method="post" action="${paths.action}"${state.error ? html` aria-describedby="report-error"` : ""}>
${error}<fieldset>
<legend>What’s the problem?</legend>
<div class="choices">
${(Object.keys(REASON_LABELS) as ReportReason[]).map((reason) => choice(reason, reason === state.reason))}</div>
</fieldset>
<label class="field-label" for="details">Details <span>(optional)</span></label>
<textarea id="details" name="details" rows="5" maxlength="${REPORT_DETAILS_MAX_LENGTH}" aria-describedby="details-hint">${state.details ?? ""}</textarea>
<p class="hint" id="details-hint">Up to ${REPORT_DETAILS_MAX_LENGTH.toLocaleString("en-US")} characters.</p>
<div class="actions">
<button class="button" type="submit">Send report</button>
<a href="${paths.conversation}">Back to the conversation</a>
</div>
</form>
</div>`;
  return renderDocument({ title: `${state.error ? "Error: " : ""}Report this conversation · chat-share`, main });
}
