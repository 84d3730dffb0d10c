// Breaks a card's texts into lines that fit, and says which way each runs. SVG has no line wrapping of its own.
import { textWidth } from "./fonts";

export interface TextStyle {
  size: number;
  bold: boolean;
  maxWidth: number;
  maxLines: number;
}

const ELLIPSIS = "…";
// Chinese and Japanese have no spaces: a line may break between any two of their characters.
const IDEOGRAPHIC = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef`;
/** Runs of white space, single ideographs, and words: the places a line may break are between tokens. */
const TOKENS = new RegExp(String.raw`\s+|[${IDEOGRAPHIC}]|[^\s${IDEOGRAPHIC}]+`, "gu");
const RTL_LETTER = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}]/u;
const LETTER = /\p{L}/u;

/** The direction of a paragraph, from its first letter (Unicode's rule P2, letters only). */
export function directionOf(text: string): "ltr" | "rtl" {
  for (const char of text) {
    if (LETTER.test(char)) return RTL_LETTER.test(char) ? "rtl" : "ltr";
  }
  return "ltr";
}

/** Cuts `text` so that it and an ellipsis fit in `maxWidth`. */
function withEllipsis(text: string, style: TextStyle): string {
  const chars = [...text.trimEnd()];
  while (chars.length > 0 && textWidth(chars.join("") + ELLIPSIS, style.size, style.bold) > style.maxWidth) chars.pop();
  return chars.join("").trimEnd() + ELLIPSIS;
}

/** A token wider than a whole line (a long URL, say) is split between characters. */
function pieces(token: string, style: TextStyle): string[] {
  if (textWidth(token, style.size, style.bold) <= style.maxWidth) return [token];
  const out: string[] = [];
  let current = "";
  for (const char of token) {
    if (current && textWidth(current + char, style.size, style.bold) > style.maxWidth) {
      out.push(current);
      current = "";
    }
    current += char;
  }
  return current ? [...out, current] : out;
}

/**
 * Greedy line breaking of paragraphs (each starts a new line), at most `maxLines`; whatever does not fit ends the
 * last line with an ellipsis.
 */
export function wrapLines(paragraphs: readonly string[], style: TextStyle): string[] {
  const lines: string[] = [];
  let truncated = false;
  for (let p = 0; p < paragraphs.length; p++) {
    const paragraph = paragraphs[p];
    let line = "";
    for (const token of (paragraph.match(TOKENS) ?? []).flatMap((t) => pieces(t, style))) {
      if (/^\s+$/.test(token)) {
        if (line) line += " ";
        continue;
      }
      if (!line || textWidth(line + token, style.size, style.bold) <= style.maxWidth) {
        line += token;
        continue;
      }
      lines.push(line.trimEnd());
      line = token;
      if (lines.length === style.maxLines) break;
    }
    if (lines.length === style.maxLines) {
      truncated = true;
      break;
    }
    if (line.trim()) lines.push(line.trimEnd());
    if (lines.length === style.maxLines) {
      truncated = p < paragraphs.length - 1;
      break;
    }
  }
  if (truncated) lines[lines.length - 1] = withEllipsis(lines[lines.length - 1], style);
  return lines;
}
