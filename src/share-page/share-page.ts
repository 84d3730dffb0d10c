// Answers every request under SHARE_BASE_URL's path: the conversation a link shows, its preview card, its files, and
// the form to report it.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import type { Config } from "../config";
import type { ClientAddress } from "../common/client-address";
import type { Services } from "../context";
import type { OpenedLink } from "../share/share-reader";
import { ShareAudience } from "../share/share.entity";
import { CACHE_CONTROL_PRIVATE } from "../share/public-responses";
import { BadInputError, NotFoundError, RateLimitedError } from "../common/errors";
import { importUrlFor, renderConversationPage } from "./conversation";
import { readFormBody } from "./form-body";
import type { Html } from "./html";
import { NOT_FOUND_PAGE, reportThanksPage, requestErrorPage, signInNeededPage, tooManyReportsPage, tooManyViewsPage } from "./pages";
import { parseReportForm, renderReportForm } from "./report-form";
import { CACHE_CONTROL_DEAD, cacheControlLive, sendPage, sendPng } from "./respond";
import { ShareCards } from "../share-card/card";
import type { Route } from "../http/routes";
import { parseFilePath, sendFile } from "../attachment/attachment-http";

export interface SharePageOptions {
  config: Config;
  services: Services;
  /** The same client address the GraphQL door uses, so both share one view limit per client. */
  clientAddress: ClientAddress;
  /** Whether the request carries a working session: an app's web view sends its bearer token; browsers never do. */
  signedIn: (req: IncomingMessage) => Promise<boolean>;
}

/** Room for 2,000 characters of details, percent-encoded, and still small. */
export const REPORT_FORM_MAX_BYTES = 32 * 1024;

// Only what a token is made of. Anything else (%-escapes, a pasted URL, dots) is not one of our pages, and must
// not reach tokenOf, which would also accept a whole URL and so give one page a second address.
const TOKEN_SEGMENT = /^[A-Za-z0-9_-]+$/;

interface Paths {
  conversation: string;
  report: string;
  files: string;
}

/** What follows a token for its preview image; og:image points here. */
export const CARD_PATH = "card.png";

function notFound(res: ServerResponse): void {
  sendPage(res, 404, NOT_FOUND_PAGE, CACHE_CONTROL_DEAD);
}

/** Sends 405 and returns false unless the method is one of `methods`. */
function methodAllowed(req: IncomingMessage, res: ServerResponse, methods: string[]): boolean {
  if (methods.includes(req.method ?? "GET")) return true;
  sendPage(res, 405, requestErrorPage("Not allowed", "This address can only be opened in a browser."), CACHE_CONTROL_DEAD, {
    allow: methods.join(", "),
  });
  return false;
}

function tooManyRequests(res: ServerResponse, retryAfter: number, page: (retryAfterSeconds: number) => Html): void {
  sendPage(res, 429, page(retryAfter), CACHE_CONTROL_DEAD, { "retry-after": String(retryAfter) });
}

// Browsers say where a form post comes from; anything but our own page is refused, so another site cannot file
// reports from its visitors' addresses. (Origin cannot be used: with no-referrer, browsers send "Origin: null".)
function fromOurOwnForm(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  return site === undefined || site === "same-origin";
}

/** The path as it may be logged: a share link's token is replaced by a prefix of its hash. */
export function loggablePathFor(shareBaseUrl: string): (path: string) => string {
  const prefix = new URL(shareBaseUrl).pathname;
  return (path) => {
    if (!path.startsWith(prefix) || path.length === prefix.length) return path;
    const [token, ...rest] = path.slice(prefix.length).split("/");
    const digest = createHash("sha256").update(token).digest("hex").slice(0, 8);
    return [`${prefix}<token ${digest}>`, ...rest].join("/");
  };
}

/** Every request under SHARE_BASE_URL's path; the handler gets as `rest` what follows it (the token, and more). */
export function sharePageRoute({ config, services, clientAddress: clientIp, signedIn }: SharePageOptions): Route {
  const prefix = new URL(config.shareBaseUrl).pathname;
  const pathsOf = (token: string): Paths => ({ conversation: prefix + token, report: `${prefix}${token}/report`, files: `${prefix}${token}/files/` });
  const cards = new ShareCards();
  /** A SIGNED_IN link's page and card depend on who asks: no cache may keep them for anyone else. */
  const cacheControlFor = (audience: ShareAudience | null) =>
    audience === ShareAudience.SIGNED_IN ? CACHE_CONTROL_PRIVATE : cacheControlLive(config.shareCacheMaxAgeSeconds);

  /** The token in a path segment, or null for anything that cannot be one: both end on the same 404 page. */
  function tokenIn(segment: string): string | null {
    if (!TOKEN_SEGMENT.test(segment)) return null;
    try {
      return services.shareReader.tokenOf(segment);
    } catch (error) {
      if (error instanceof BadInputError) return null;
      throw error;
    }
  }

  async function showConversation(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    // The same rate limit, liveness check and view count as the GraphQL view.
    let opened: OpenedLink;
    try {
      opened = await services.shareReader.view(token, { signedIn: await signedIn(req), clientIp: clientIp(req) });
    } catch (error) {
      if (error instanceof RateLimitedError) return tooManyRequests(res, error.retryAfterSeconds, tooManyViewsPage);
      throw error;
    }
    const { conversation, audience } = opened;
    const importUrl = importUrlFor(config.appImportUrl, token);
    // 401 as HTTP means it: this works with credentials (a bearer token), which the request did not carry.
    if (audience === ShareAudience.SIGNED_IN && !conversation) {
      return sendPage(res, 401, signInNeededPage(importUrl), CACHE_CONTROL_PRIVATE, { "www-authenticate": 'Bearer realm="chat-share"' });
    }
    if (!conversation) return notFound(res);
    const page = renderConversationPage(conversation, {
      shareUrl: config.shareBaseUrl + token,
      cardUrl: `${config.shareBaseUrl}${token}/${CARD_PATH}`,
      reportPath: pathsOf(token).report,
      filesPath: pathsOf(token).files,
      importUrl,
    });
    sendPage(res, 200, page, cacheControlFor(audience));
  }

  /**
   * The link's preview image. Not a view (link previews and crawlers fetch it without anyone reading the page), but
   * it spends the address's view allowance like one, and dies with the link: the same liveness check as a page, on
   * every request, before any cached card is looked at. A SIGNED_IN link's card answers a request without a session
   * as a dead link's does (link unfurlers never sign in), and a request with one privately.
   */
  async function showCard(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    let live;
    try {
      live = await services.shareReader.preview(token, { signedIn: await signedIn(req), clientIp: clientIp(req) });
    } catch (error) {
      if (error instanceof RateLimitedError) return tooManyRequests(res, error.retryAfterSeconds, tooManyViewsPage);
      throw error;
    }
    if (!live) return notFound(res);
    sendPng(res, await cards.png(live.shareId, live.view), cacheControlFor(live.audience));
  }

  async function showReportForm(res: ServerResponse, token: string): Promise<void> {
    if (!(await services.shareReader.liveShareId(token))) return notFound(res);
    const paths = pathsOf(token);
    sendPage(res, 200, renderReportForm({ action: paths.report, conversation: paths.conversation }), CACHE_CONTROL_DEAD);
  }

  async function fileReport(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const paths = pathsOf(token);
    if (!fromOurOwnForm(req)) {
      return sendPage(res, 403, requestErrorPage("Not allowed", "Reports can only be sent from the report form on this site."), CACHE_CONTROL_DEAD);
    }
    const body = await readFormBody(req, REPORT_FORM_MAX_BYTES);
    if (!body.ok) {
      return body.status === 413
        ? sendPage(res, 413, requestErrorPage("Report too long", "That report is too long to send."), CACHE_CONTROL_DEAD, { connection: "close" })
        : sendPage(res, 415, requestErrorPage("Not a form", "Reports can only be sent from the report form."), CACHE_CONTROL_DEAD);
    }
    if (!(await services.shareReader.liveShareId(token))) return notFound(res);
    const parsed = parseReportForm(body.fields);
    if (!parsed.ok) {
      return sendPage(res, 400, renderReportForm({ action: paths.report, conversation: paths.conversation }, parsed.state), CACHE_CONTROL_DEAD);
    }
    try {
      await services.moderation.report(
        { viewer: null, clientIp: clientIp(req) },
        { link: token, reason: parsed.reason, details: parsed.details },
      );
    } catch (error) {
      if (error instanceof RateLimitedError) return tooManyRequests(res, error.retryAfterSeconds, (seconds) => tooManyReportsPage(seconds, paths.conversation));
      // The link died between the check above and the report.
      if (error instanceof NotFoundError || error instanceof BadInputError) return notFound(res);
      throw error;
    }
    sendPage(res, 200, reportThanksPage(paths.conversation), CACHE_CONTROL_DEAD);
  }

  /**
   * A file frozen with the snapshot, checked on every request through the same read path as the page (the share
   * reader's cache and its staleness bound), so it dies with the link within the same bound; cached by others no
   * longer than the page. Not a view, and it spends no view allowance: a page with ten images is still one view.
   */
  async function sendSharedFile(req: IncomingMessage, res: ServerResponse, token: string | null, rest: string[]): Promise<void> {
    const path = parseFilePath(rest);
    // The page's audience rule too: a SIGNED_IN link's files need a session, and no shared cache may keep them.
    const share = token && path ? await services.shareReader.openable(token, { signedIn: await signedIn(req) }) : null;
    if (!share || !path) return notFound(res);
    try {
      const file = await services.attachments.sharedFile(share.shareId, path.id, path.thumbnail);
      sendFile(res, file, cacheControlFor(share.audience), req.method === "HEAD");
    } catch (error) {
      if (error instanceof NotFoundError) return notFound(res);
      throw error;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    const [segment, action, ...more] = rest.split("/");
    if (action === "files") {
      if (methodAllowed(req, res, ["GET", "HEAD"])) await sendSharedFile(req, res, tokenIn(segment), more);
      return;
    }
    const token = more.length === 0 ? tokenIn(segment) : null;
    if (token === null) return notFound(res);
    if (action === undefined) {
      if (methodAllowed(req, res, ["GET", "HEAD"])) await showConversation(req, res, token);
      return;
    }
    if (action === CARD_PATH) {
      if (methodAllowed(req, res, ["GET", "HEAD"])) await showCard(req, res, token);
      return;
    }
    if (action === "report") {
      if (req.method === "POST") return fileReport(req, res, token);
      if (methodAllowed(req, res, ["GET", "HEAD", "POST"])) await showReportForm(res, token);
      return;
    }
    notFound(res);
  }

  return { prefix, handle: (req, res, { rest }) => handle(req, res, rest) };
}
