/** Dates, numbers and the recurring words of a card, for one reader. */
import type { Locale } from "../config.js";
import { todayIn, type IsoDate } from "../domain/dates.js";
import type { RecommendationAction } from "../domain/recommendations.js";
import type { Stage } from "../domain/stages.js";
import { translator, type Translate } from "../i18n.js";
import type { DeliveryBarrier, Message } from "../protocol/views.js";

/** Intl formatters by what they format: building one costs far more than using it, and every card builds a Format. */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function intl<F extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => F): F {
  let format = formatters.get(key) as F | undefined;
  if (!format) formatters.set(key, (format = make()));
  return format;
}

/** Formatting for one reader: language, time zone, now. */
export class Format {
  readonly t: Translate;
  private readonly dateFormat: Intl.DateTimeFormat;
  private readonly numberFormat: Intl.NumberFormat;

  constructor(
    readonly locale: Locale,
    readonly timeZone: string,
    readonly now: Date = new Date(),
  ) {
    this.t = translator(locale);
    // Calendar dates carry no time of day: format them in UTC so no zone shifts the day.
    this.dateFormat = intl(`date:${locale}`, () => new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }));
    this.numberFormat = intl(`number:${locale}`, () => new Intl.NumberFormat(locale));
  }

  /** "March 4, 2025" / "4 марта 2025 г."; the input as is if it is not a date. */
  date(iso: IsoDate): string {
    const date = new Date(`${iso}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? iso : this.dateFormat.format(date);
  }

  /** "14:02" when it is today in the zone, else "Mar 4, 14:02" / "4 мар., 14:02"; the input as is if it is not a time. */
  dateTime(iso: string, timeZone: string = this.timeZone): string {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const today = todayIn(timeZone, date) === todayIn(timeZone, this.now);
    const locale = this.locale;
    return intl(`time:${locale}:${timeZone}:${today}`, () =>
      new Intl.DateTimeFormat(locale, {
        ...(today ? {} : { day: "numeric", month: "short" }),
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone,
      }),
    ).format(date);
  }

  number(n: number): string {
    return this.numberFormat.format(n);
  }

  /** "1 day", "62 days" / "1 день", "2 дня", "5 дней", "21 день". */
  days(n: number): string {
    return this.t("cards.unit.days", { count: n });
  }

  stage(stage: Stage): string {
    return this.t(`cards.stage.${stage}`);
  }

  barrier(barrier: DeliveryBarrier | "missing"): string {
    return this.t(`cards.barrier.${barrier}`);
  }

  action(action: RecommendationAction): string {
    return this.t(`cards.action.${action}`);
  }

  message(message: Message): string {
    return "key" in message ? this.t(message.key, message.params) : message.text;
  }

  today(): IsoDate {
    return todayIn(this.timeZone, this.now);
  }

  /** A person's words quoted as the language quotes: “…” / «…». */
  quote(text: string): string {
    return this.t("cards.quote", { text });
  }

  yesNo(value: boolean): string {
    return this.t(value ? "cards.fact.yes" : "cards.fact.no");
  }
}
