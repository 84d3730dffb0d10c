// The pages' only stylesheet, inlined into each page and allowed by the CSP through its hash (computed once, here).
import { createHash } from "node:crypto";

const LIGHT = `
  --bg: #f6f7f9; --surface: #ffffff; --text: #1b1f24; --muted: #57606a; --border: #d8dde3; --border-strong: #6e7781;
  --link: #0a58ca; --accent: #0a58ca; --accent-hover: #0848a6; --accent-text: #ffffff; --focus: #0a58ca;
  --user-bg: #e8f0fe; --user-border: #c6d7f5; --code-bg: #f3f5f8; --code-head: #e9edf2; --inline-code: #eceff3;
  --error: #b42318; --shadow: 0 1px 2px rgba(16, 24, 40, .05);`;

const DARK = `
  --bg: #0e1116; --surface: #161b22; --text: #e6edf3; --muted: #9ea8b3; --border: #2d333b; --border-strong: #768390;
  --link: #7cb4ff; --accent: #2563d0; --accent-hover: #1d55bd; --accent-text: #ffffff; --focus: #7cb4ff;
  --user-bg: #1b2a44; --user-border: #2a3f63; --code-bg: #0b0e13; --code-head: #1c222b; --inline-code: #252c36;
  --error: #ff8a80; --shadow: none;`;

const MONO = `ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace`;

// Kept readable rather than minified: it is a few kilobytes, sent once per page, and nobody reads it twice.
export const STYLESHEET = `
:root { color-scheme: light dark;${LIGHT} }
@media (prefers-color-scheme: dark) { :root {${DARK} } }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 400 1.0625rem/1.65 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", Arial, sans-serif;
  display: flex; flex-direction: column; min-height: 100vh;
}
.wrap { width: 100%; max-width: 48rem; margin: 0 auto; padding: 0 1.25rem; }
a { color: var(--link); text-decoration-thickness: 1px; text-underline-offset: .15em; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
/* Code sits in a box that clips its corners, which would clip an outer ring too. */
pre:focus-visible, .table-wrap:focus-visible { outline-offset: -3px; }
.skip-link { position: absolute; left: 1rem; top: -4rem; z-index: 1; padding: .5rem 1rem; background: var(--surface); color: var(--link); border-radius: .5rem; }
.skip-link:focus { top: .5rem; }

.site-header { background: var(--surface); border-bottom: 1px solid var(--border); }
.site-header .wrap { display: flex; align-items: center; justify-content: space-between; gap: 1rem; min-height: 3.25rem; }
.brand { display: flex; align-items: center; gap: .5rem; font-weight: 650; letter-spacing: -.01em; }
.brand-mark { width: 1.25rem; height: 1rem; border-radius: .4rem .4rem .4rem .1rem; background: var(--accent); }
.badge { font-size: .8125rem; color: var(--muted); border: 1px solid var(--border); border-radius: 999px; padding: .1rem .65rem; }

main { flex: 1; padding: 2.25rem 0 1rem; }
main:focus { outline: none; }
h1 { font-size: clamp(1.5rem, 1.15rem + 1.6vw, 2.125rem); line-height: 1.2; letter-spacing: -.02em; margin: 0 0 .625rem; overflow-wrap: anywhere; }
.byline { margin: 0; color: var(--muted); font-size: .9375rem; }
.byline strong { color: var(--text); font-weight: 600; }
.byline time { white-space: nowrap; }

.messages { list-style: none; margin: 2rem 0 0; padding: 0; display: flex; flex-direction: column; gap: 1.5rem; }
.message { display: flex; flex-direction: column; align-items: flex-start; min-width: 0; }
.message-role { margin: 0 0 .375rem; font-size: .75rem; font-weight: 650; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); }
.message-body { max-width: 100%; min-width: 0; padding: .875rem 1.125rem; border-radius: 1.125rem; overflow-wrap: anywhere; }
.message-user { align-items: flex-end; }
.message-user .message-body { max-width: min(85%, 36rem); background: var(--user-bg); border: 1px solid var(--user-border); border-bottom-right-radius: .375rem; }
.message-assistant .message-body { width: 100%; background: var(--surface); border: 1px solid var(--border); border-bottom-left-radius: .375rem; box-shadow: var(--shadow); }
.message-system { align-items: center; }
.message-system .message-body { border: 1px dashed var(--border-strong); color: var(--muted); font-size: .9375rem; }
.message-body > :first-child { margin-top: 0; }
.message-body > :last-child { margin-bottom: 0; }
.message-body p, .message-body ul, .message-body ol, .message-body blockquote, .message-body figure, .message-body .table-wrap { margin: 0 0 .875rem; }
.message-body h3, .message-body h4, .message-body h5, .message-body h6 { margin: 1.375rem 0 .5rem; line-height: 1.3; letter-spacing: -.01em; }
/* Markdown's # to ### arrive as h3 to h5 (see markdown.ts); sized as a chat app would size them. */
.message-body h3 { font-size: 1.3125rem; }
.message-body h4 { font-size: 1.1875rem; }
.message-body h5 { font-size: 1.0625rem; }
.message-body h6 { font-size: 1rem; }
/* Files under a message: images as thumbnails that open the original, other files as download links. */
.attachments { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; margin: .5rem 0 0; padding: 0; max-width: 100%; }
.attachment-image img { display: block; max-width: min(100%, 16rem); max-height: 16rem; width: auto; height: auto; border-radius: .75rem; border: 1px solid var(--border); }
.attachment-file a { display: inline-block; padding: .5rem .875rem; border: 1px solid var(--border); border-radius: .75rem; background: var(--surface); }
.attachment-size { color: var(--muted); }
/* A file left out before sharing: the size of a file chip, in the dashed style of hidden text (.redacted). */
.attachment-removed .redacted { display: inline-block; padding: .5rem .875rem; border-radius: .75rem; }
.message-body ul, .message-body ol { padding-left: 1.5rem; }
/* Messages sit in a list themselves, so browsers would start their lists at the nested "circle" style. */
.message-body ul { list-style-type: disc; }
.message-body ul ul { list-style-type: circle; }
.message-body li + li { margin-top: .25rem; }
.message-body li > p { margin: 0; }
.message-body blockquote { padding: .125rem 0 .125rem 1rem; border-left: 3px solid var(--border-strong); color: var(--muted); }
.message-body hr { border: 0; border-top: 1px solid var(--border); margin: 1.25rem 0; }
code { font-family: ${MONO}; font-size: .875em; }
:not(pre) > code { padding: .1em .35em; border-radius: .3rem; background: var(--inline-code); }
figure.code { border: 1px solid var(--border); border-radius: .625rem; overflow: hidden; background: var(--code-bg); }
figure.code figcaption { padding: .375rem .875rem; font: 600 .75rem/1.5 ${MONO}; color: var(--muted); background: var(--code-head); border-bottom: 1px solid var(--border); }
pre { margin: 0; padding: .875rem 1rem; overflow-x: auto; font-size: .875rem; line-height: 1.55; tab-size: 4; }
pre code { font-size: inherit; }
/* Text hidden before sharing: set apart from the words around it, in code too, so nobody takes it for a quote. */
.redacted { padding: 0 .3em; border: 1px dashed var(--border-strong); border-radius: .3rem; color: var(--muted); font-style: italic; white-space: nowrap; }
.table-wrap { overflow-x: auto; border: 1px solid var(--border); border-radius: .625rem; }
/* Words in cells stay whole: a narrow screen scrolls the table instead of breaking "Postgres" in two. */
table { width: 100%; border-collapse: collapse; font-size: .9375rem; overflow-wrap: normal; }
th, td { padding: .5rem .75rem; text-align: left; vertical-align: top; border-bottom: 1px solid var(--border); }
thead th { background: var(--code-head); font-weight: 650; }
tbody tr:last-child td { border-bottom: 0; }
th.align-center, td.align-center { text-align: center; }
th.align-right, td.align-right { text-align: right; font-variant-numeric: tabular-nums; }

.card { margin: 2.5rem 0 0; padding: 1.25rem 1.5rem; background: var(--surface); border: 1px solid var(--border); border-radius: 1rem; box-shadow: var(--shadow); }
.card h2 { margin: 0 0 .375rem; font-size: 1.125rem; }
.card p { margin: 0 0 1rem; color: var(--muted); }
.card p:last-child { margin-bottom: 0; }
.button {
  display: inline-flex; align-items: center; justify-content: center; min-height: 2.75rem; padding: .625rem 1.25rem;
  border: 0; border-radius: .625rem; background: var(--accent); color: var(--accent-text);
  font: inherit; font-weight: 600; text-decoration: none; cursor: pointer;
}
.button:hover { background: var(--accent-hover); }

.notice { max-width: 34rem; margin: 3rem auto 0; text-align: center; }
.notice p { color: var(--muted); }
.panel { padding: 1.5rem; background: var(--surface); border: 1px solid var(--border); border-radius: 1rem; }
.panel > p { color: var(--muted); margin-top: 0; }
fieldset { margin: 0 0 1.25rem; padding: 0; border: 0; }
legend { margin-bottom: .5rem; padding: 0; font-weight: 650; }
.choices { display: grid; gap: .125rem; }
.choice { display: flex; align-items: flex-start; gap: .625rem; padding: .4rem .625rem; border-radius: .5rem; cursor: pointer; }
.choice:hover { background: var(--bg); }
.choice input { flex: none; width: 1.05rem; height: 1.05rem; margin: .3rem 0 0; accent-color: var(--accent); }
.field-label { display: block; margin-bottom: .375rem; font-weight: 650; }
.field-label span, .hint { font-weight: 400; color: var(--muted); font-size: .9375rem; }
.hint { margin: .375rem 0 0; }
textarea {
  display: block; width: 100%; padding: .625rem .75rem; resize: vertical;
  font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--border-strong); border-radius: .5rem;
}
.form-error { margin: 0 0 .75rem; color: var(--error); font-weight: 600; }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem 1.25rem; margin-top: 1.5rem; }

.site-footer { margin-top: 3rem; padding: 1.5rem 0 2.5rem; border-top: 1px solid var(--border); color: var(--muted); font-size: .875rem; }
.site-footer p { margin: 0 0 .5rem; }

@media (max-width: 36rem) {
  body { font-size: 1rem; }
  .wrap { padding: 0 1rem; }
  main { padding-top: 1.5rem; }
  .message-user .message-body { max-width: 92%; }
  .message-body { padding: .75rem .9rem; }
  .card, .panel { padding: 1.125rem; }
}
@media print {
  .site-header, .skip-link, .card, .report-link { display: none; }
  .message-body { break-inside: avoid; box-shadow: none; }
}
`;

/** The CSP source that allows exactly this stylesheet and no other inline style. */
export const STYLESHEET_CSP_HASH = `'sha256-${createHash("sha256").update(STYLESHEET, "utf8").digest("base64")}'`;

// A speech bubble as the tab icon, inline so the page makes no second request (allowed by img-src data:).
export const FAVICON =
  "data:image/svg+xml," +
  encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#0a58ca" d="M6 4h20a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4H13l-7 5v-5a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z"/></svg>`);
