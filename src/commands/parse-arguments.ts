/**
 * What an argument parser sees and the helpers every one uses: the filters and page read
 * out of the words (`readOptions`), the list commands' shape (`list`), and the outcomes.
 */
import type { Locale } from "../config.js";
import { commandKeyword, isKeyword } from "./parse-keywords.js";
import type { ErrorKey } from "./parse-messages.js";
import { BARE_FILTERS, bare, CPI_PREPOSITION, CPI_WORDS, FILTER_PREFIXES, FILTER_TOKEN, LIST_FILLER, NAME_STOP, PAGE_WORDS, PERIOD_UNITS } from "./parse-vocabulary.js";
import { normalizeWord, type Token } from "./text.js";
import type { Filters, ParseError } from "./types.js";

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ParseError; suggestion?: string };

/** What an argument parser sees: the words after the keyword, and the raw rest of the line. */
export type Args = {
  tokens: Token[];
  rest: string;
  /** The command's main keyword in the language it was typed in, and that language: for messages. */
  keyword: string;
  language: Locale;
};

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail(key: ErrorKey, params?: Record<string, string | number>): { ok: false; error: ParseError } {
  return params === undefined ? { ok: false, error: { key } } : { ok: false, error: { key, params } };
}

/** A word after the command that it does not take; the message says how to get its help. */
export function unexpected(token: Token | string, args: Args): { ok: false; error: ParseError } {
  const text = typeof token === "string" ? token : token.text;
  return fail("commands.errors.unexpected", { token: text, command: args.keyword, help: commandKeyword("help", args.language) });
}

export function filterLike(text: string): boolean {
  return FILTER_TOKEN.test(text);
}

/** stalled, contacts, mine: filters and a page, nothing else. */
export function list<C>(args: Args, build: (filters: Filters, page: number) => C): Outcome<C> {
  const options = readOptions(args, { paging: true });
  if (!options.ok) return options;
  const { others, filters } = takeCpi(options.value.others, options.value.filters);
  const extra = others.find((token) => !LIST_FILLER.has(bare(token.text)) && !isKeyword(token));
  if (extra) return unexpected(extra, args);
  return ok(build(filters, options.value.page));
}

/**
 * The lists' CPI filter (`stalled cpi`, `застрявшие с CPI`): the word, and a preposition
 * right before it, leave the words and set `cpi`. Lists only: a subscription cannot take it.
 */
export function takeCpi(others: readonly Token[], filters: Filters): { others: Token[]; filters: Filters } {
  const isCpi = (token: Token | undefined) => token !== undefined && !token.quoted && CPI_WORDS.has(bare(token.text));
  if (!others.some(isCpi)) return { others: [...others], filters };
  const kept = others.filter((token, i) => !isCpi(token) && !(CPI_PREPOSITION.has(bare(token.text)) && isCpi(others[i + 1])));
  return { others: kept, filters: { ...filters, cpi: true } };
}

type Options = { filters: Filters; page: number; others: Token[] };

/**
 * Takes the filters (`tag:…`, `arch:…`, `customer:…`, in any language, repeated ones
 * accumulating) and `page:N` out of the words, wherever they are; the rest is left in order.
 * `tag: Enterprise` (a space after the colon) is read as `tag:Enterprise`.
 */
export function readOptions(args: Args, { paging }: { paging: boolean }): Outcome<Options> {
  const filters: Filters = { tags: [], architectures: [], customers: [] };
  const others: Token[] = [];
  let page = 1;
  const { tokens } = args;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const prefix = FILTER_TOKEN.exec(token.raw)?.[1];
    if (prefix === undefined) {
      const word = bare(token.text);
      const next = tokens[i + 1];
      // `page 2`, `стр. 2`, `страница 2`, and `p2`-less forms: a page word and a number.
      const glued = /^(?:page|стр|p)(\d{1,4})$/u.exec(word);
      if (glued && paging) {
        if (Number(glued[1]) < 1) return fail("commands.errors.page", { value: glued[1]! });
        page = Number(glued[1]);
        continue;
      }
      if (PAGE_WORDS.has(word) && next && /^(?:№|#)?\d/u.test(next.text) && !token.quoted) {
        const value = next.text.replace(/^(?:№|#)/u, "").replace(/[.,;!?]+$/u, "");
        if (!paging) return unexpected(`${token.raw} ${next.raw}`, args);
        if (!/^\d{1,4}$/.test(value) || Number(value) < 1) return fail("commands.errors.page", { value });
        page = Number(value);
        i++;
        continue;
      }
      // `customer Acme`, `у заказчика «ООО Ромашка»`, `tag Enterprise`: a filter name without its colon.
      const bareFilter = token.quoted ? undefined : BARE_FILTERS.get(word)?.value;
      if (bareFilter && next && !filterLike(next.raw) && !NAME_STOP.has(bare(next.text)) && !LIST_FILLER.has(bare(next.text))) {
        const words = [next];
        if (bareFilter === "customers" && !next.quoted) {
          for (let j = i + 2; j < tokens.length; j++) {
            const more = tokens[j]!;
            if (more.quoted || filterLike(more.raw) || /\d/.test(more.text) || NAME_STOP.has(bare(more.text)) || PERIOD_UNITS.has(bare(more.text)) || isKeyword(more)) break;
            words.push(more);
          }
        }
        const value = words.map((w) => w.text).join(" ").replace(/[?!.,;]+$/u, "").trim();
        if (value && !filters[bareFilter].includes(value)) filters[bareFilter].push(value);
        i += words.length;
        continue;
      }
      others.push(token);
      continue;
    }
    const name = FILTER_PREFIXES.get(normalizeWord(prefix))?.value;
    if (name === undefined) return fail("commands.errors.filter", { filter: token.raw });
    let value = token.text.slice(prefix.length + 1).trim();
    if (!token.quoted) value = value.replace(/[.,;]+$/u, "");
    let raw = token.raw;
    const next = tokens[i + 1];
    if (value === "" && !token.quoted && next && !filterLike(next.raw)) {
      value = next.text.trim();
      raw = `${token.raw} ${next.raw}`;
      i++;
    }
    if (value === "") return fail("commands.errors.filter", { filter: raw });
    if (name === "page") {
      if (!paging) return unexpected(raw, args);
      if (!/^\d{1,4}$/.test(value) || Number(value) < 1) return fail("commands.errors.page", { value });
      page = Number(value);
    } else if (!filters[name].includes(value)) {
      filters[name].push(value);
    }
  }
  return ok({ filters, page, others });
}
