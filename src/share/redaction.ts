// Masks what an owner chose not to publish before a snapshot is stored: chosen spans and whole detected kinds.
import { BadInputError } from "../common/errors";
import { NodeType, toGlobalId } from "../common/global-id";
import type { MessageRole } from "../conversation/message.entity";
import { findSensitiveData, SensitiveDataKind, type SensitiveDataWarning } from "./sensitive-data";

/*
 * Offsets are UTF-16 code units, as the detector reports them and as JavaScript, Swift's `String.utf16` and
 * Kotlin/Java strings index text. A span may not cut a surrogate pair (half an emoji), so it always masks whole
 * characters. Messages never change once written (append only), which is why a share can keep its spans by message id
 * and apply them again when it is refreshed.
 */

/** One span the owner chose, by the database id of the message it is in. */
export interface RedactionSpan {
  messageId: string;
  start: number;
  end: number;
  /** Names the placeholder; null gives a plain "[removed]". */
  kind: SensitiveDataKind | null;
}

/** What to mask: every detection of these kinds, plus these spans. Kept with the share so a refresh applies it again. */
export interface Redactions {
  kinds: SensitiveDataKind[];
  spans: RedactionSpan[];
  /** Database ids of the owner's message attachments to leave out of the snapshot; absent in choices stored before. */
  attachmentIds?: string[];
}

/** A placeholder in a masked message: its range in the masked content, and what it replaced. */
export interface RedactedRange {
  start: number;
  end: number;
  kind: SensitiveDataKind | null;
}

export interface SourceMessage {
  id: string;
  role: MessageRole;
  content: string;
}

export interface MaskedMessage {
  role: MessageRole;
  content: string;
  /** Absent when nothing in the message was masked. */
  redactions?: RedactedRange[];
}

/** A detection in the owner's own text, and whether the snapshot masks all of it. */
export interface OwnerWarning extends SensitiveDataWarning {
  /** The message's global id, as the API names it and as a RedactionSpan's messageId takes it back. */
  messageId: string;
  redacted: boolean;
}

/** The JSON stored in a share's snapshot column: what viewers see, and the owner's choice to apply again on refresh. */
export interface RedactedSnapshot {
  title: string;
  messages: MaskedMessage[];
  /** Absent when nothing was chosen. Database ids and offsets only: never any of the masked text. */
  redaction?: Redactions;
}

export const NO_REDACTIONS: Redactions = { kinds: [], spans: [] };

/** Most spans one request may name: a client sends one per highlighted range, never thousands. */
export const MAX_REDACTION_SPANS = 1000;

const PLACEHOLDERS: Record<SensitiveDataKind, string> = {
  [SensitiveDataKind.EMAIL]: "[email address removed]",
  [SensitiveDataKind.PHONE_NUMBER]: "[phone number removed]",
  [SensitiveDataKind.PAYMENT_CARD]: "[card number removed]",
  [SensitiveDataKind.API_KEY_OR_SECRET]: "[API key or secret removed]",
  [SensitiveDataKind.IP_ADDRESS]: "[IP address removed]",
  [SensitiveDataKind.IBAN]: "[IBAN removed]",
};

export function hasRedactions(redactions: Redactions): boolean {
  return redactions.kinds.length > 0 || redactions.spans.length > 0 || (redactions.attachmentIds?.length ?? 0) > 0;
}

export function placeholderOf(kind: SensitiveDataKind | null): string {
  return kind === null ? "[removed]" : PLACEHOLDERS[kind];
}

/**
 * Refuses spans that do not name whole characters of a message being shared, or that overlap each other. A message
 * outside the snapshot (another conversation's, someone else's, past upToMessageId, unknown) is refused alike.
 */
export function checkSpans(messages: readonly SourceMessage[], spans: readonly RedactionSpan[]): void {
  const byId = new Map(messages.map((m) => [m.id, m.content]));
  spans.forEach((span, i) => {
    const field = `redactions.spans[${i}]`;
    const content = byId.get(span.messageId);
    if (content === undefined) throw new BadInputError(`${field}.messageId is not a message being shared.`, { field });
    if (!(span.start >= 0 && span.start < span.end && span.end <= content.length)) {
      throw new BadInputError(`${field} must have 0 <= start < end <= ${content.length}, the message's length in UTF-16 code units.`, { field });
    }
    if (splitsSurrogatePair(content, span.start) || splitsSurrogatePair(content, span.end)) {
      throw new BadInputError(`${field} cuts a character in half (inside a UTF-16 surrogate pair).`, { field });
    }
  });
  const sorted = [...spans].sort((a, b) => a.messageId.localeCompare(b.messageId) || a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].messageId === sorted[i - 1].messageId && sorted[i].start < sorted[i - 1].end) {
      throw new BadInputError("redactions.spans overlap: each character may be in one span only.", { field: "redactions.spans" });
    }
  }
}

/**
 * Refuses ids that are not files of the messages being shared, all alike: another user's, another conversation's,
 * past upToMessageId, an upload not attached yet, or no file at all.
 */
export function checkAttachmentIds(shared: ReadonlySet<string>, ids: readonly string[]): void {
  ids.forEach((id, i) => {
    const field = `redactions.attachmentIds[${i}]`;
    if (!shared.has(id)) throw new BadInputError(`${field} is not a file of a message being shared.`, { field });
  });
}

function splitsSurrogatePair(text: string, offset: number): boolean {
  const before = text.charCodeAt(offset - 1);
  const after = text.charCodeAt(offset);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/**
 * The messages as viewers will see them, and every detection in the owner's text with whether it is masked. Spans of
 * messages not in `messages` are ignored (a refresh up to an earlier message); checkSpans has refused bad ones.
 * The text is scanned only when a kind is to be masked or `warnings` is read: a client that shares without asking for
 * the warnings does not pay for the scan (its regular expressions were a sixth of a share's CPU).
 */
export function redact(messages: readonly SourceMessage[], redactions: Redactions): { messages: MaskedMessage[]; readonly warnings: OwnerWarning[] } {
  let detected: SensitiveDataWarning[] | undefined;
  const detect = () => (detected ??= findSensitiveData(messages));
  const kinds = new Set(redactions.kinds);
  const masked = messages.map((message, index) => {
    const ranges = mergeRanges([
      ...redactions.spans.filter((s) => s.messageId === message.id),
      ...(kinds.size > 0 ? detect().filter((w) => w.messageIndex === index && kinds.has(w.kind)) : []),
    ]);
    return { ranges, message: mask(message, ranges) };
  });
  let warnings: OwnerWarning[] | undefined;
  return {
    messages: masked.map(({ message }) => message),
    get warnings() {
      return (warnings ??= detect().map((w) => ({
        ...w,
        messageId: toGlobalId(NodeType.Message, messages[w.messageIndex].id),
        redacted: masked[w.messageIndex].ranges.some((r) => r.start <= w.start && w.end <= r.end),
      })));
    },
  };
}

/** Overlapping ranges become one; it keeps a kind only when all its parts agree on it. Sorted by start. */
function mergeRanges(ranges: readonly RedactedRange[]): RedactedRange[] {
  const merged: RedactedRange[] = [];
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && range.start < last.end) {
      last.end = Math.max(last.end, range.end);
      if (last.kind !== range.kind) last.kind = null;
    } else {
      merged.push({ start: range.start, end: range.end, kind: range.kind });
    }
  }
  return merged;
}

/** Replaces each range by its placeholder, noting where the placeholders land in the new text. */
function mask(source: SourceMessage, ranges: readonly RedactedRange[]): MaskedMessage {
  if (ranges.length === 0) return { role: source.role, content: source.content };
  let content = "";
  let from = 0;
  const placed: RedactedRange[] = [];
  for (const range of ranges) {
    content += source.content.slice(from, range.start);
    const placeholder = placeholderOf(range.kind);
    placed.push({ start: content.length, end: content.length + placeholder.length, kind: range.kind });
    content += placeholder;
    from = range.end;
  }
  content += source.content.slice(from);
  return { role: source.role, content, redactions: placed };
}
