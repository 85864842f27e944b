/**
 * Times as people read them: how long ago, then the date and time in their locale and time zone
 * ("3 hours ago · 2 Dec 2026, 01:52"). Stored times stay ISO 8601 UTC; this is only for showing them.
 */
export interface TimeTextOptions {
  /** The moment "ago" is counted from; now by default. */
  now?: Date;
  /** BCP 47 locale and IANA time zone; the runtime's (VS Code's display language, the machine's zone) by default. */
  locale?: string;
  timeZone?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `just now`, `5 minutes ago`, `yesterday`, `3 weeks ago`, `in 2 hours` (a clock ahead of ours). */
export function relativeTime(iso: string, options: TimeTextOptions = {}): string | undefined {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  const elapsed = (options.now ?? new Date()).getTime() - time;
  const format = new Intl.RelativeTimeFormat(options.locale, { numeric: 'auto' });
  const size = Math.abs(elapsed);
  if (size < 45_000) return format.format(0, 'second');
  const [unit, length]: [Intl.RelativeTimeFormatUnit, number] =
    size < HOUR ? ['minute', MINUTE] : size < DAY ? ['hour', HOUR] : size < 7 * DAY ? ['day', DAY] : size < 30 * DAY ? ['week', 7 * DAY] : size < 365 * DAY ? ['month', 30 * DAY] : ['year', 365 * DAY];
  return format.format(-Math.round(elapsed / length), unit);
}

/** The date and time in the person's locale: `2 Dec 2026, 01:52`. */
export function localeTime(iso: string, options: TimeTextOptions = {}): string | undefined {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  return new Date(time).toLocaleString(options.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone });
}

/** Both: `3 hours ago · 2 Dec 2026, 01:52`; a string that is not a time is shown as it is. */
export function timeText(iso: string, options: TimeTextOptions = {}): string {
  const relative = relativeTime(iso, options);
  return relative === undefined ? iso : `${relative} · ${localeTime(iso, options)}`;
}
