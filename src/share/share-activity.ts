// A link's history as its owner reads it: stored events plus EXPIRED, which no write records (time alone causes it).
import { encodeCursor, toPage, type Page } from "../common/pagination";
import type { Share } from "./share.entity";
import { ShareEventKind, type ShareEvent, type ShareViewDay, utcDay } from "./share-event.entity";
import { activityOf, DailyViews, ShareActivity } from "./share-activity.type";
import type { PendingViews } from "./view-counter";

const DAY_MS = 24 * 3600 * 1000;

/**
 * The EXPIRED entry of a link whose expiresAt has passed while it still worked (not after it was revoked). Its id
 * is a UUIDv7 of expiresAt with zero random bits, so it sorts among stored events by time and its cursor is stable.
 */
export function expiredActivity(share: Pick<Share, "expiresAt" | "revokedAt">, now: Date): ShareActivity | null {
  const { expiresAt, revokedAt } = share;
  if (!expiresAt || expiresAt.getTime() > now.getTime()) return null;
  if (revokedAt && revokedAt.getTime() <= expiresAt.getTime()) return null;
  const hex = expiresAt.getTime().toString(16).padStart(12, "0");
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
  return Object.assign(new ShareActivity(), { id, kind: ShareEventKind.EXPIRED, at: expiresAt, day: null, count: null, messageCount: null, newValue: null, reason: null });
}

/** Stored events and the derived EXPIRED entry, newest first. */
export function historyOf(events: ShareEvent[], expired: ShareActivity | null): ShareActivity[] {
  const entries = events.map(activityOf);
  if (expired) entries.push(expired);
  return entries.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** A page from up to first+1 stored events (newest first, older than the cursor) and the derived EXPIRED entry. */
export function activityPage(events: ShareEvent[], expired: ShareActivity | null, first: number, beforeId: string | null): Page<ShareActivity> {
  const entries = historyOf(events, expired && (!beforeId || expired.id < beforeId) ? expired : null);
  return toPage(entries.slice(0, first + 1), first, (entry) => encodeCursor(entry.id));
}

/** The first UTC day of a `days`-long window that ends today. */
export function firstDayOf(days: number, now: Date): string {
  return utcDay(new Date(now.getTime() - (days - 1) * DAY_MS));
}

/** One entry per UTC day, oldest first, zeros included (a chart needs no gaps filled), with unflushed views added. */
export function dailyViews(rows: ShareViewDay[], pending: PendingViews | undefined, days: number, now: Date): DailyViews[] {
  const written = new Map(rows.map((r) => [r.day, r.views]));
  return Array.from({ length: days }, (_, i) => {
    const day = utcDay(new Date(now.getTime() - (days - 1 - i) * DAY_MS));
    return { day, views: (written.get(day) ?? 0) + (pending?.byDay.get(day) ?? 0) };
  });
}
