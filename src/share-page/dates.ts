// Dates as the pages show them. Without script the reader's time zone is unknown, so they are shown in UTC and say so.
const DAY = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" });
const TIME = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });

/** "March 5, 2026" */
export function formatDay(date: Date): string {
  return DAY.format(date);
}

/** "March 5, 2026 at 14:03 UTC" */
export function formatDayAndTime(date: Date): string {
  return `${DAY.format(date)} at ${TIME.format(date)} UTC`;
}
