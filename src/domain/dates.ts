/** Calendar dates (no time of day) as "YYYY-MM-DD", the grain LCA works in. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

export function toDate(iso: IsoDate): Date {
  return new Date(`${iso}T00:00:00.000Z`);
}

export function fromDate(date: Date): IsoDate {
  return date.toISOString().slice(0, 10);
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / DAY_MS);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDate(new Date(toDate(date).getTime() + days * DAY_MS));
}

/** Today's calendar date in a time zone (the LCA day a CSM lives in). */
export function todayIn(timeZone: string, now: Date = new Date()): IsoDate {
  let format = dayFormats.get(timeZone);
  if (!format) dayFormats.set(timeZone, (format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })));
  return format.format(now);
}

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than formatting with one (every card asks). */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false; // RangeError is the documented answer for an unknown zone.
  }
}

/** An ISO week (Monday to Sunday): "2026-W49", its Monday and its Sunday. */
export interface IsoWeek {
  label: string;
  monday: IsoDate;
  sunday: IsoDate;
}

/** The ISO week a date falls in (ISO 8601: the week with the year's first Thursday is week 1). */
export function isoWeekOf(date: IsoDate): IsoWeek {
  const d = toDate(date);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = addDays(date, -weekday);
  const thursday = toDate(addDays(monday, 3));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7);
  return { label: `${year}-W${String(week).padStart(2, "0")}`, monday, sunday: addDays(monday, 6) };
}

/** The instant a calendar date begins in a time zone (its local midnight). */
export function startOfDayIn(timeZone: string, date: IsoDate): Date {
  const utcMidnight = toDate(date).getTime();
  const offsetAt = (instant: number): number => {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(instant));
    const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - instant;
  };
  // Twice: the offset at the guess may differ from the offset at the answer (a DST change that day).
  let instant = utcMidnight - offsetAt(utcMidnight);
  instant = utcMidnight - offsetAt(instant);
  return new Date(instant);
}

/** Saturday or Sunday: LCA refreshes, and the bot's working-day jobs run, Monday to Friday. */
export function isWeekend(day: IsoDate): boolean {
  const weekday = toDate(day).getUTCDay();
  return weekday === 0 || weekday === 6;
}
