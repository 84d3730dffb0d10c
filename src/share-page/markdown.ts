// Message content to safe HTML: markdown-it with raw HTML off, then sanitize-html with an explicit allowlist.
import { randomBytes } from "node:crypto";
import MarkdownIt from "markdown-it";
import sanitizeHtml from "sanitize-html";
import type { RedactedRange } from "../share/redaction";
import { escapeHtml, trustedHtml, type Html } from "./html";

/** Every link in a message gets this: no SEO credit for shared content, no window.opener, no Referer. */
export const MESSAGE_LINK_REL = "nofollow noopener noreferrer";

// Checked on markdown-it's normalized (percent-encoded) URL, so "java\tscript:" and friends cannot slip through.
const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i;
// A code fence's language is shown as a label and used in a class name: keep it to what language names use.
const LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/;
const TABLE_ALIGN = /^text-align:(left|center|right)$/;

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
// "main.py" is not a link to Paraguay: only URLs with a scheme (and plain email addresses) become links.
md.linkify.set({ fuzzyLink: false });
md.validateLink = (url) => SAFE_HREF.test(url);

// The page's h1 is the title and each message has an h2, so headings inside a message start at h3.
md.core.ruler.push("chat_share_structure", (state) => {
  for (const token of state.tokens) {
    if (token.type === "heading_open" || token.type === "heading_close") {
      token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 2)}`;
    }
    // The CSP forbids style attributes, so table alignment becomes a class.
    if (token.type === "th_open" || token.type === "td_open") {
      const align = TABLE_ALIGN.exec(token.attrGet("style") ?? "");
      token.attrs = align ? [["class", `align-${align[1]}`]] : null;
    }
  }
});

md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  tokens[idx].attrSet("rel", MESSAGE_LINK_REL);
  return self.renderToken(tokens, idx, options);
};

// Wide tables and code scroll sideways; tabindex lets keyboard users scroll them.
md.renderer.rules.table_open = () => '<div class="table-wrap" tabindex="0" role="region" aria-label="Table">\n<table>\n';
md.renderer.rules.table_close = () => "</table>\n</div>\n";

function codeBlock(content: string, info: string): string {
  const language = info.trim().split(/\s+/)[0] ?? "";
  const lang = LANGUAGE.test(language) ? language : "";
  const caption = lang ? `<figcaption>${escapeHtml(lang)}</figcaption>` : "";
  const cls = lang ? ` class="language-${escapeHtml(lang)}"` : "";
  return `<figure class="code">${caption}<pre tabindex="0"><code${cls}>${escapeHtml(content)}</code></pre></figure>\n`;
}
md.renderer.rules.fence = (tokens, idx) => codeBlock(tokens[idx].content, tokens[idx].info);
md.renderer.rules.code_block = (tokens, idx) => codeBlock(tokens[idx].content, "");

function insideLink(tokens: MarkdownIt.Token[], idx: number): boolean {
  let depth = 0;
  for (let i = 0; i < idx; i++) depth += tokens[i].type === "link_open" ? 1 : tokens[i].type === "link_close" ? -1 : 0;
  return depth > 0;
}

// No <img> ever: a remote image would tell its host who reads the page. An image becomes a plain link to it
// (or just its description inside another link, since links cannot nest).
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const alt = self.renderInlineAsText(token.children ?? [], options, env).trim();
  const label = escapeHtml(alt ? `Image: ${alt}` : "Image");
  if (insideLink(tokens, idx)) return label;
  return `<a class="image-link" href="${escapeHtml(token.attrGet("src") ?? "")}" rel="${MESSAGE_LINK_REL}">${label}</a>`;
};

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    "p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "div",
  ],
  allowedAttributes: {
    a: ["href", "rel"],
    ol: ["start"],
    pre: [{ name: "tabindex", values: ["0"] }],
    div: [{ name: "tabindex", values: ["0"] }, { name: "role", values: ["region"] }, { name: "aria-label", values: ["Table"] }],
  },
  allowedClasses: {
    a: ["image-link"],
    code: ["language-*"],
    th: ["align-left", "align-center", "align-right"],
    td: ["align-left", "align-center", "align-right"],
    figure: ["code"],
    div: ["table-wrap"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  // Whatever reaches this layer, a link never goes without its rel.
  transformTags: { a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: MESSAGE_LINK_REL } }) },
};

/**
 * One message's markdown as HTML that cannot run script or load anything. The owner's redactions show as
 * `<span class="redacted">`: each placeholder goes through Markdown as a marker no text can contain (private-use
 * characters around a random nonce, so not even an HTML entity in the message can forge one), and only markers that
 * reach a text node become spans, so a placeholder is never read as Markdown (a `[link]`) nor lands in an attribute.
 */
export function renderMessage(content: string, redactions: readonly RedactedRange[] = []): Html {
  if (redactions.length === 0) return trustedHtml(sanitizeHtml(md.render(content), SANITIZE));
  const nonce = randomBytes(9).toString("hex");
  let marked = "";
  let from = 0;
  redactions.forEach((range, i) => {
    marked += `${content.slice(from, range.start)}\uE000${nonce}.${i}\uE001`;
    from = range.end;
  });
  marked += content.slice(from);
  const marker = new RegExp(`\uE000${nonce}\\.(\\d+)\uE001`, "g");
  const spanOf = (i: number) => `<span class="redacted">${escapeHtml(content.slice(redactions[i].start, redactions[i].end))}</span>`;
  const textFilter = (text: string) => text.replace(marker, (_, i: string) => spanOf(Number(i)));
  return trustedHtml(sanitizeHtml(md.render(marked), { ...SANITIZE, textFilter }));
}
