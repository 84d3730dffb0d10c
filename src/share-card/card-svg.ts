// The card as SVG: the product's mark, the title, the first lines of the first message, and the sharer's name only
// when the share is NAMED. Text stays text, laid out by the renderer with the shipped fonts (shaping, bidi).
import type { SharedConversation } from "../share/shared-conversation.type";
import { drawable, fontFamilyFor } from "./fonts";
import { directionOf, wrapLines, type TextStyle } from "./text";

export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;
const MARGIN = 80;
const TEXT_WIDTH = CARD_WIDTH - 2 * MARGIN;

export const CARD_COLORS = { background: "#ffffff", ink: "#0f172a", muted: "#475569", accent: "#0a58ca" };

const TITLE: TextStyle = { size: 60, bold: true, maxWidth: TEXT_WIDTH, maxLines: 2 };
const TITLE_LINE_HEIGHT = 76;
const EXCERPT: TextStyle = { size: 32, bold: false, maxWidth: TEXT_WIDTH, maxLines: 3 };
const EXCERPT_LINE_HEIGHT = 46;
const BYLINE: TextStyle = { size: 28, bold: false, maxWidth: TEXT_WIDTH, maxLines: 1 };
/** Enough for three lines of excerpt: the rest of a long first message is never even measured. */
const EXCERPT_SOURCE_CHARS = 600;

// XML 1.0 forbids these; a message may hold them, and one would make the whole SVG unreadable.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

function xmlText(text: string): string {
  return text.replace(NOT_XML, "").replace(/[&<>"]/g, (c) => XML_ENTITIES[c]);
}

/** A message's first lines as plain text: Markdown's markers and code fences would only be noise on a card. */
export function excerptParagraphs(content: string): string[] {
  return content
    .slice(0, EXCERPT_SOURCE_CHARS)
    .split("\n")
    .filter((line) => !/^\s*(```|~~~)/.test(line))
    .map((line) =>
      line
        .replace(/^\s*(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)/, "")
        .replace(/(\*\*|__|`)/g, "")
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
        .trim(),
    )
    .filter((line) => line.length > 0);
}

// The renderer lays every line out left to right at the top level, so a right-to-left line is isolated (RLI … PDI):
// then its neutral characters (a final full stop) and any Latin words inside it land where a reader expects them.
const RLI = "\u2067";
const PDI = "\u2069";

/** Lines of text starting at baseline `y`, each aligned to the side its paragraph starts from. */
function textLines(lines: string[], style: TextStyle, y: number, lineHeight: number, fill: string, direction: "ltr" | "rtl"): string {
  const x = direction === "rtl" ? CARD_WIDTH - MARGIN : MARGIN;
  const anchor = direction === "rtl" ? "end" : "start";
  return lines
    .map(
      (line, i) =>
        `<text x="${x}" y="${y + i * lineHeight}" text-anchor="${anchor}" direction="${direction}" font-size="${style.size}"` +
        ` font-family="${fontFamilyFor(line)}" font-weight="${style.bold ? 700 : 400}" fill="${fill}">` +
        `${direction === "rtl" ? RLI + xmlText(line) + PDI : xmlText(line)}</text>`,
    )
    .join("\n");
}

// The chat-bubble mark of the page's favicon and header, drawn larger.
const MARK = `<path transform="translate(${MARGIN} 58) scale(1.5)" fill="${CARD_COLORS.accent}" d="M6 4h20a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4H13l-7 5v-5a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z"/>`;

export function cardSvg(view: Pick<SharedConversation, "title" | "sharedBy" | "messages">): string {
  const titleLines = wrapLines([drawable(view.title).replace(/\s+/g, " ")], TITLE);
  const titleTop = 236;
  const excerptTop = titleTop + (titleLines.length - 1) * TITLE_LINE_HEIGHT + 78;
  const first = view.messages[0]?.content ?? "";
  const excerpt = excerptParagraphs(drawable(first.slice(0, EXCERPT_SOURCE_CHARS)));
  const byline = view.sharedBy === null ? [] : wrapLines([`Shared by ${drawable(view.sharedBy)}`], BYLINE);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}" viewBox="0 0 ${CARD_WIDTH} ${CARD_HEIGHT}">
<rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" fill="${CARD_COLORS.background}"/>
${MARK}
<text x="${MARGIN + 64}" y="100" font-family="${fontFamilyFor("chat-share")}" font-size="34" font-weight="700" fill="${CARD_COLORS.ink}">chat-share</text>
<text x="${CARD_WIDTH - MARGIN}" y="98" text-anchor="end" font-family="${fontFamilyFor("Shared")}" font-size="26" fill="${CARD_COLORS.muted}">Shared conversation</text>
${textLines(titleLines, TITLE, titleTop, TITLE_LINE_HEIGHT, CARD_COLORS.ink, directionOf(view.title))}
${textLines(wrapLines(excerpt, EXCERPT), EXCERPT, excerptTop, EXCERPT_LINE_HEIGHT, CARD_COLORS.muted, directionOf(excerpt.join(" ")))}
${textLines(byline, BYLINE, 560, 0, CARD_COLORS.ink, "ltr")}
<rect y="${CARD_HEIGHT - 14}" width="${CARD_WIDTH}" height="14" fill="${CARD_COLORS.accent}"/>
</svg>`;
}
