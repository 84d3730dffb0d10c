// The fonts a card is drawn with. They come from npm packages (Noto, SIL Open Font License), so a card looks the same
// on every machine and never depends on the fonts installed there.
import path from "node:path";
import * as fontkit from "fontkit";

export interface CardFont {
  /** Family name as the font file states it: what the SVG's font-family names. */
  family: string;
  regular: string;
  bold: string;
}

function fontFile(pkg: string, file: string): string {
  // The packages export only their index (in dist/), so the fonts folder is found next to it.
  return path.join(path.dirname(require.resolve(pkg)), "..", "fonts", file);
}

/** In fallback order: Latin (and Greek, Cyrillic), Hebrew, Arabic, then CJK (Chinese, Japanese kana and kanji). */
export const CARD_FONTS: readonly CardFont[] = [
  { family: "Noto Sans", regular: fontFile("@embedpdf/fonts-latin", "NotoSans-Regular.ttf"), bold: fontFile("@embedpdf/fonts-latin", "NotoSans-Bold.ttf") },
  { family: "Noto Sans Hebrew", regular: fontFile("@embedpdf/fonts-hebrew", "NotoSansHebrew-Regular.ttf"), bold: fontFile("@embedpdf/fonts-hebrew", "NotoSansHebrew-Bold.ttf") },
  { family: "Noto Naskh Arabic", regular: fontFile("@embedpdf/fonts-arabic", "NotoNaskhArabic-Regular.ttf"), bold: fontFile("@embedpdf/fonts-arabic", "NotoNaskhArabic-Bold.ttf") },
  { family: "Noto Sans S Chinese", regular: fontFile("@embedpdf/fonts-sc", "NotoSansHans-Regular.otf"), bold: fontFile("@embedpdf/fonts-sc", "NotoSansHans-Bold.otf") },
];


type Face = fontkit.Font;
let faces: { regular: Face[]; bold: Face[] } | undefined;

/** Parsed once, on the first card: fontkit reads tables lazily, so this costs little until a glyph is measured. */
function loadFaces(): { regular: Face[]; bold: Face[] } {
  faces ??= {
    regular: CARD_FONTS.map((font) => fontkit.openSync(font.regular) as Face),
    bold: CARD_FONTS.map((font) => fontkit.openSync(font.bold) as Face),
  };
  return faces;
}

/**
 * The fonts in the order a line is drawn with: first the one for the line's first letter, then the fallbacks. The
 * renderer falls back per character but not per weight, so a Hebrew or Chinese title is bold only when its own font
 * comes first.
 */
function orderFor(text: string): number[] {
  const letter = [...text].find((char) => /\p{L}/u.test(char));
  const first = letter === undefined ? 0 : Math.max(0, loadFaces().regular.findIndex((f) => f.hasGlyphForCodePoint(letter.codePointAt(0)!)));
  return [first, ...CARD_FONTS.keys()].filter((index, i, all) => all.indexOf(index) === i);
}

/** The SVG font-family of a line of text. */
export function fontFamilyFor(text: string): string {
  return orderFor(text)
    .map((index) => `'${CARD_FONTS[index].family}'`)
    .join(", ");
}

/**
 * Width of `text` at `size` pixels, each character in the first font that has it (as the renderer falls back).
 * Kerning and Arabic joining are left out; joined Arabic forms are narrower, so the estimate errs wide, never narrow.
 */
export function textWidth(text: string, size: number, bold: boolean): number {
  const all = bold ? loadFaces().bold : loadFaces().regular;
  const list = orderFor(text).map((index) => all[index]);
  let width = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    const face = list.find((f) => f.hasGlyphForCodePoint(codePoint)) ?? list[0];
    width += face.glyphForCodePoint(codePoint).advanceWidth / face.unitsPerEm;
  }
  return width * size;
}

/**
 * The font files a text needs: Latin always, the others only when one of its characters is theirs alone. The
 * renderer reads every file it is given on every render, and the CJK fonts are 8 MB each.
 */
export function fontFilesFor(text: string): string[] {
  const { regular } = loadFaces();
  const used = new Set([0]);
  for (const char of new Set(text)) {
    const index = regular.findIndex((f) => f.hasGlyphForCodePoint(char.codePointAt(0)!));
    if (index > 0) used.add(index);
  }
  return [...used].flatMap((index) => [CARD_FONTS[index].regular, CARD_FONTS[index].bold]);
}

/**
 * `text` without the characters none of the fonts has (Hangul, Thai, emoji…), which would be drawn as empty boxes
 * (invisible format characters, such as bidi marks, stay);
 * white space left doubled by a removal is folded.
 */
export function drawable(text: string): string {
  const { regular } = loadFaces();
  let out = "";
  for (const char of text) {
    if (/[\s\p{Cf}]/u.test(char) || regular.some((f) => f.hasGlyphForCodePoint(char.codePointAt(0)!))) out += char;
  }
  return out === text ? text : out.replace(/[ \t]{2,}/g, " ").trim();
}
