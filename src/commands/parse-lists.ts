/** The list commands: stalled, new (with its period), contacts, mine. */
import type { Command } from "./types.js";
import { fail, list, ok, readOptions, takeCpi, unexpected, type Args, type Outcome } from "./parse-arguments.js";
import { bare, LIST_FILLER, MY_WORDS, NEW_FILLER, NUMBER_WORDS, PERIOD_UNITS, PERIOD_WORDS, SCOPE_WORDS } from "./parse-vocabulary.js";
import type { ListScope } from "./types.js";
import { normalizeWord, type Token } from "./text.js";

export const NEW_DAYS = { default: 30, min: 1, max: 365 } as const;

export function parseStalled(args: Args): Outcome<Extract<Command, { kind: "stalled" }>> {
  const { rest, scope } = takeScope(args);
  return list(rest, (filters, page) => ({ kind: "stalled", filters, page, ...(scope ? { scope } : {}) }));
}

export function parseNew(args: Args): Outcome<Extract<Command, { kind: "new" }>> {
  const options = readOptions(args, { paging: true });
  if (!options.ok) return options;
  const { others, filters } = takeCpi(options.value.others, options.value.filters);
  const period = readPeriod(others, args);
  if (!period.ok) return period;
  return ok({ kind: "new", days: period.value, filters, page: options.value.page });
}

export function parseContacts(args: Args): Outcome<Extract<Command, { kind: "contacts" }>> {
  const { rest, scope } = takeScope(args);
  return list(rest, (filters, page) => ({ kind: "contacts", filters, page, ...(scope ? { scope } : {}) }));
}

export function parseMine(args: Args): Outcome<Extract<Command, { kind: "mine" }>> {
  return list(args, (filters, page) => ({ kind: "mine", filters, page }));
}

/**
 * `all` / `unassigned` out of the words of stalled and contacts (quoted words are names).
 * "all my …" stays the asker's own.
 */
function takeScope(args: Args): { rest: Args; scope?: ListScope } {
  const mine = args.tokens.some((token) => MY_WORDS.has(bare(token.text)));
  let scope: ListScope | undefined;
  const tokens = args.tokens.filter((token) => {
    const word = token.quoted ? undefined : SCOPE_WORDS.get(bare(token.text))?.value;
    if (word === undefined || (word === "all" && mine)) return true;
    // "unassigned" wins over "all": `stalled all unassigned` lists the unassigned ones.
    if (scope !== "unassigned") scope = word;
    return false;
  });
  return { rest: { ...args, tokens }, ...(scope ? { scope } : {}) };
}

/**
 * The period of `new`: `7`, `7 days`, `14d`, `2 weeks`, `this week`, `in the last 14 days`,
 * `за неделю`, `за последние 2 недели`, `сегодня`. Without one, the default (30 days).
 */
function readPeriod(words: readonly Token[], args: Args): Outcome<number> {
  let amount: number | undefined;
  let amountText: string | undefined;
  let unit: number | undefined;
  const range = (value: string) => fail("commands.errors.daysRange", { value, min: NEW_DAYS.min, max: NEW_DAYS.max });
  for (const token of words) {
    const word = bare(token.text);
    // Digits are read as typed: "-5" is not 5 (normalizeWord would drop the sign).
    const typed = token.text.toLowerCase().replaceAll("ё", "е").replace(/[,;!?.…]+$/u, "");
    const number = /^(\d{1,6})(\p{L}*)$/u.exec(typed);
    if (number) {
      if (amount !== undefined) return unexpected(token, args);
      amount = Number(number[1]);
      amountText = token.text;
      if (number[2]) {
        const glued = PERIOD_UNITS.get(normalizeWord(number[2]));
        if (glued === undefined || unit !== undefined) return range(token.text);
        unit = glued;
      }
    } else if (NUMBER_WORDS.has(word) && amount === undefined && unit === undefined) {
      amount = NUMBER_WORDS.get(word)!;
      amountText = token.text;
    } else if (PERIOD_UNITS.has(word) && unit === undefined) {
      unit = PERIOD_UNITS.get(word)!;
    } else if (PERIOD_WORDS.has(word) && amount === undefined && unit === undefined) {
      amount = 1;
      unit = PERIOD_WORDS.get(word)!;
    } else if (NEW_FILLER.has(word) || LIST_FILLER.has(word)) {
      continue;
    } else if (amount === undefined && unit === undefined) {
      return range(token.text);
    } else {
      return unexpected(token, args);
    }
  }
  if (amount === undefined && unit === undefined) return ok(NEW_DAYS.default);
  const days = (amount ?? 1) * (unit ?? 1);
  if (!(days >= NEW_DAYS.min && days <= NEW_DAYS.max)) return range(amountText ?? String(days));
  return ok(days);
}
