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
