// The document around every share page: head (meta, preview tags, stylesheet), site header, main, footer.
import { html, trustedHtml, type Html } from "./html";
import { FAVICON, STYLESHEET } from "./styles";

export interface LinkPreview {
  title: string;
  description: string;
  url: string;
  /** Absolute URL of the link's 1200×630 preview card. */
  image: string;
}

export interface DocumentParts {
  title: string;
  /** Open Graph and Twitter card tags; only the conversation page has them. */
  preview?: LinkPreview;
  main: Html;
  footer?: Html;
}

function previewTags(preview: LinkPreview): Html {
  return html`
<meta name="description" content="${preview.description}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="chat-share">
<meta property="og:title" content="${preview.title}">
<meta property="og:description" content="${preview.description}">
<meta property="og:url" content="${preview.url}">
<meta property="og:image" content="${preview.image}">
<meta property="og:image:type" content="image/png">
<meta property="og:image:width" content="1200">
<meta property="og:image:height" content="630">
<meta property="og:image:alt" content="${preview.title}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="${preview.title}">
<meta name="twitter:description" content="${preview.description}">
<meta name="twitter:image" content="${preview.image}">`;
}

export function renderDocument({ title, preview, main, footer }: DocumentParts): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<meta name="theme-color" content="#ffffff" media="(prefers-color-scheme: light)">
<meta name="theme-color" content="#161b22" media="(prefers-color-scheme: dark)">
<title>${title}</title>${preview ? previewTags(preview) : ""}
<link rel="icon" href="${FAVICON}">
<style>${trustedHtml(STYLESHEET)}</style>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="wrap"><span class="brand"><span class="brand-mark" aria-hidden="true"></span>chat-share</span><span class="badge">Shared conversation</span></div>
</header>
<main id="main" tabindex="-1">
<div class="wrap">
${main}
</div>
</main>
<footer class="site-footer">
<div class="wrap">
${footer ?? html`<p>chat-share: conversations shared by link, as snapshots.</p>`}
</div>
</footer>
</body>
</html>
`;
}
