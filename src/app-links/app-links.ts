// The association files that let iOS and Android open a share link in the app (which then calls importShare)
// instead of the browser. Each platform fetches its file from the link's host, at a fixed path.
import type { AppLinks } from "../config";
import { sendJson } from "../http/errors";
import { GET_OR_HEAD, type Route } from "../http/routes";

export const APPLE_PATH = "/.well-known/apple-app-site-association";
export const ANDROID_PATH = "/.well-known/assetlinks.json";

/**
 * Apple's current format (iOS 13 and later): `components` patterns, matched in order. The legacy `paths` form for
 * iOS 12 is left out: iOS 12 gets no updates since 2023, and an app that imports shares targets newer systems.
 * The report form under a link stays in the browser, where it works without the app.
 */
export function appleAppSiteAssociation(appIds: string[], sharePath: string): unknown {
  return {
    applinks: {
      details: [
        {
          appIDs: appIds,
          components: [
            { "/": `${sharePath}*/report`, exclude: true, comment: "The report form stays on the web." },
            { "/": `${sharePath}*`, comment: "A shared conversation: the app shows it and offers to import it." },
          ],
        },
      ],
    },
  };
}

/** Digital Asset Links: the whole host is associated; which paths the app takes is its manifest's intent filter. */
export function assetLinks(apps: AppLinks["androidApps"]): unknown {
  return apps.map((app) => ({
    relation: ["delegate_permission/common.handle_all_urls"],
    target: { namespace: "android_app", package_name: app.packageName, sha256_cert_fingerprints: app.sha256CertFingerprints },
  }));
}

/** The files to serve, by path; a platform with nothing configured has no file (a 404, as if unsupported). */
export function appLinkFiles(appLinks: AppLinks, shareBaseUrl: string): Map<string, unknown> {
  const files = new Map<string, unknown>();
  if (appLinks.appleAppIds.length > 0) files.set(APPLE_PATH, appleAppSiteAssociation(appLinks.appleAppIds, new URL(shareBaseUrl).pathname));
  if (appLinks.androidApps.length > 0) files.set(ANDROID_PATH, assetLinks(appLinks.androidApps));
  return files;
}

/** One route per file to serve. */
export function appLinkRoutes(appLinks: AppLinks, shareBaseUrl: string): Route[] {
  return [...appLinkFiles(appLinks, shareBaseUrl)].map(([path, file]) => ({
    path,
    methods: GET_OR_HEAD,
    // Fetched by Apple's and Google's crawlers from the share host; an hour keeps a new app ID's wait short.
    handle: (_req, res) => sendJson(res, 200, file, { "cache-control": "public, max-age=3600" }),
  }));
}
