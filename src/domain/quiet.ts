/**
 * Quiet hours (issue 17): a CSM's nightly window ("19:00-08:00", in their own time zone) and
 * optionally whole weekends, during which nothing new is posted to them. Pure: the wall clock
 * of a zone is read with Intl, so daylight-saving changes and zone offsets come from the
 * platform's time-zone data, not from arithmetic on hours.
 */

import { isValidTimeZone } from "./dates.js";

export interface QuietHours {
  /** "HH:MM" local; both null: no nightly window. from > to spans midnight. */
  from: string | null;
  to: string | null;
  /** Saturday and Sunday are quiet all day. */
  weekends: boolean;
}

export const NO_QUIET_HOURS: QuietHours = { from: null, to: null, weekends: false };

export function hasQuietHours(q: QuietHours): boolean {
  return q.weekends || (q.from !== null && q.to !== null && q.from !== q.to);
}

interface Wall {
  year: number;
  month: number;
  day: number;
  /** Minutes since local midnight. */
  minutes: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short" });
    formatters.set(zone, f);
  }
  return f;
}

function wallOf(zone: string, at: number): Wall & { second: number } {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday!] ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetMs(zone: string, at: number): number {
  const w = wallOf(zone, at);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, 0, w.minutes, w.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a local wall time (a calendar day and minutes since midnight) happens in the
 * zone. A time skipped by a spring-forward change gives the first instant after the gap.
 */
export function instantOf(zone: string, year: number, month: number, day: number, minutes: number): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  const first = wall - offsetMs(zone, wall);
  const second = wall - offsetMs(zone, first);
  if (second === first) return new Date(first);
  const w = wallOf(zone, second);
  const exact = Date.UTC(w.year, w.month - 1, w.day, 0, w.minutes) === wall;
  return new Date(exact ? second : Math.max(first, second));
}

/** A CSM's zone: their own, else the one a chat reported for them, else the partner's; a zone Intl does not know is skipped. */
export function readerZone(own: string | null, reported: string | null, partnerZone: string): string {
  if (own && isValidTimeZone(own)) return own;
  if (reported && isValidTimeZone(reported)) return reported;
  return partnerZone;
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The wall day after (year, month, day), by the calendar. */
function nextDay(year: number, month: number, day: number, add = 1): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(year, month - 1, day + add));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * When the quiet time `at` falls in ends, in `zone`; null when `at` is not quiet (send now).
 * A nightly window ending on a weekend day of a CSM with quiet weekends ends on Monday
 * morning, after both.
 */
export function quietUntil(q: QuietHours, zone: string, at: Date): Date | null {
  if (!hasQuietHours(q)) return null;
  let t = at.getTime();
  let moved = false;
  // Each step leaves one window; three are enough (night → weekend → Monday night), eight are a bound.
  for (let step = 0; step < 8; step++) {
    const w = wallOf(zone, t);
    const end = windowEnd(q, zone, w);
    if (end === null || end <= t) return moved ? new Date(t) : null;
    t = end;
    moved = true;
  }
  return new Date(t);
}

/** The end of the window the wall time is in, as an instant; null when none holds it. */
function windowEnd(q: QuietHours, zone: string, w: Wall): number | null {
  if (q.weekends && (w.weekday === 6 || w.weekday === 0)) {
    const monday = nextDay(w.year, w.month, w.day, w.weekday === 6 ? 2 : 1);
    return instantOf(zone, monday.year, monday.month, monday.day, 0).getTime();
  }
  if (q.from === null || q.to === null || q.from === q.to) return null;
  const from = toMinutes(q.from);
  const to = toMinutes(q.to);
  if (from < to) {
    return w.minutes >= from && w.minutes < to ? instantOf(zone, w.year, w.month, w.day, to).getTime() : null;
  }
  if (w.minutes >= from) {
    const tomorrow = nextDay(w.year, w.month, w.day);
    return instantOf(zone, tomorrow.year, tomorrow.month, tomorrow.day, to).getTime();
  }
  return w.minutes < to ? instantOf(zone, w.year, w.month, w.day, to).getTime() : null;
}

/**
 * How an outbox row waiting out quiet hours is known: its last_error starts with this (the
 * dispatcher's markDeferred writes it). Such a row holds no place in its destination's line
 * while it waits, and is released when its CSM's quiet hours change.
 */
export const QUIET_DEFERRED_MARK = "quiet hours";
