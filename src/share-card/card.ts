// The preview image of a share link (og:image): rendered once per version of what it shows, then served from memory.
import { renderAsync } from "@resvg/resvg-js";
import { LRUCache } from "lru-cache";
import type { SharedConversation } from "../share/shared-conversation.type";
import { cardSvg } from "./card-svg";
import { fontFilesFor } from "./fonts";

/**
 * Rendered cards kept in memory. A card is 30–80 KB, so this holds a few hundred of the most requested ones; the
 * bytes bound it, not the count. Never stale: the key holds everything the card shows (a refresh changes sharedAt,
 * an attribution change or a rename changes sharedBy or the title), and whether the link still works is checked on every request
 * before the cache is read, so a revoked link's card is never served from here.
 */
export const CARD_CACHE_MAX_BYTES = 16 * 1024 * 1024;

export type CardContent = Pick<SharedConversation, "title" | "sharedBy" | "sharedAt" | "messages">;

/** Draws a card: resvg lays the text out with the shipped fonts only, never the machine's. */
export async function renderCard(view: CardContent): Promise<Buffer> {
  // renderAsync runs on libuv's thread pool: loading the fonts and rasterizing
  // (40–100 ms for a Latin card, 250–400 ms with CJK fonts, on a busy 2-core machine) never block the event loop.
  const svg = cardSvg(view);
  const image = await renderAsync(svg, {
    font: { fontFiles: fontFilesFor(svg), loadSystemFonts: false, defaultFontFamily: "Noto Sans" },
    fitTo: { mode: "original" },
  });
  return image.asPng();
}

export class ShareCards {
  // fetch() shares one render between requests that arrive while it runs, so a burst renders a card once.
  private readonly cache = new LRUCache<string, Buffer, CardContent>({
    maxSize: CARD_CACHE_MAX_BYTES,
    sizeCalculation: (png) => png.length,
    fetchMethod: (_key, _stale, { context }) => renderCard(context),
  });

  async png(shareId: string, view: CardContent): Promise<Buffer> {
    const key = JSON.stringify([shareId, view.sharedAt.toISOString(), view.sharedBy, view.title]);
    const png = await this.cache.fetch(key, { context: view });
    return png!;
  }
}
