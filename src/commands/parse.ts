/**
 * The command language CSMs type in Webex or after Slack's `/lca`, in English or Russian:
 * text in, a typed `Command` (or a message key saying what is wrong) out. Pure, no I/O, and
 * it never throws for anything a user can type.
 *
 * One entry per command in `COMMANDS` below: its keywords in each language and the parser
 * of its arguments. Help texts are `commands.help.commands.<name>` in locales/.
 */
import type { Locale } from "../config.js";
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import type { MessageKey } from "../i18n.js";
import { cleanText, editDistance, normalizeWord, otherLayout, scriptLanguage, tokenize, unquote, type Token } from "./text.js";
import type { Command, CommandName, Filters, ParseError, ParseResult } from "./types.js";

export type { Command, CommandName, Filters, ParseError, ParseResult } from "./types.js";

/** Every error key parseCommand can return (typed: it returns no other); the tests render each in both languages. */
export const PARSE_ERROR_KEYS = [
  "commands.errors.unknown",
  "commands.errors.unexpected",
  "commands.errors.filter",
  "commands.errors.page",
  "commands.errors.daysRange",
  "commands.errors.usecaseId",
  "commands.errors.customerQuery",
  "commands.errors.deploymentId",
  "commands.errors.email",
  "commands.errors.kinds",
  "commands.errors.digestSwitch",
  "commands.errors.digestTime",
  "commands.errors.lang",
] as const satisfies readonly MessageKey[];
type ErrorKey = (typeof PARSE_ERROR_KEYS)[number];

export const NEW_DAYS = { default: 30, min: 1, max: 365 } as const;

// ---------------------------------------------------------------------------------------
// Vocabulary. Words are compared after normalizeWord: lower case, "ё" → "е", no "-" or "_".

type Words = { en: readonly string[]; ru: readonly string[] };

/** Each word list as a lookup from the normalised word to its meaning and language. */
function lookup<T>(entries: readonly (readonly [T, Words])[]): Map<string, { value: T; language: Locale }> {
  const map = new Map<string, { value: T; language: Locale }>();
  for (const [value, words] of entries) {
    for (const language of ["en", "ru"] as const) {
      for (const word of words[language]) map.set(normalizeWord(word), { value, language });
    }
  }
  return map;
}

const FILTER_PREFIXES = lookup<keyof Filters | "page">([
  ["tags", { en: ["tag", "tags"], ru: ["тег", "теги", "метка"] }],
  ["architectures", { en: ["arch", "architecture"], ru: ["арх", "архитектура"] }],
  ["customers", { en: ["customer", "cust"], ru: ["заказчик", "клиент"] }],
  ["page", { en: ["page", "p"], ru: ["стр", "страница"] }],
]);

const KIND_WORDS = lookup<AlertKind | "all">([
  ["new_use_case", { en: ["new", "new_use_case", "new_use_cases"], ru: ["новые", "новый", "новое"] }],
  ["stalled", { en: ["stalled", "stuck"], ru: ["застрявшие", "застой", "застрял"] }],
  ["bounced_contact", { en: ["bounced", "bounce", "bounced_contact", "bounced_contacts"], ru: ["отказы", "отказ", "недоставленные", "недоставка"] }],
  ["missing_contact", { en: ["missing", "missing_contact", "missing_contacts"], ru: ["без-контакта", "без-контактов", "нет-контакта", "нет-контактов", "отсутствующие"] }],
  ["regression", { en: ["regression", "regressions", "regressed"], ru: ["регресс", "регрессия", "откат"] }],
  ["all", { en: ["all", "everything"], ru: ["все", "всё"] }],
]);

const MODE_WORDS = lookup<"immediate" | "digest">([
  ["immediate", { en: ["immediate", "immediately", "instant", "now"], ru: ["сразу", "немедленно", "мгновенно"] }],
  ["digest", { en: ["digest", "daily"], ru: ["сводка", "дайджест", "ежедневно"] }],
]);

const SWITCH_WORDS = lookup<boolean>([
  [true, { en: ["on", "enable", "yes"], ru: ["вкл", "включить", "включи", "да"] }],
  [false, { en: ["off", "disable", "no"], ru: ["выкл", "выключить", "выключи", "нет"] }],
]);

const LANGUAGE_WORDS = lookup<Locale>([
  ["en", { en: ["en", "eng", "english"], ru: ["англ", "английский", "анг"] }],
  ["ru", { en: ["ru", "rus", "russian"], ru: ["рус", "русский", "ру"] }],
]);

/** Who gets a deployment in `assign`, and the words that may come before it. */
const ME_WORDS = new Set(["me", "myself", "мне", "меня", "себе", "себя", "я"].map(normalizeWord));
const TO_WORDS = new Set(["to", "for", "на", "для"].map(normalizeWord));

/** A number of days may carry a unit: `new 7d`, `new 7 days`, `новые 14 дней`. */
const DAYS = /^(\d+)(?:d|д|days?|дн(?:ей|я)?|день)?$/u;
const DAY_UNIT = /^(?:d|days?|д|дн(?:ей|я)?|день)$/u;

const DEPLOYMENT_ID = /^(?=.*\d)[A-Z0-9]{3,40}$/;
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:.]{2,}$/;
/** Slack writes an email it linked as `<mailto:a@b.com|a@b.com>`. */
const SLACK_MAILTO = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/;
/** `tag:value`, `тег:"A B"`: a word of letters, a colon, then the value (possibly empty). */
const FILTER_TOKEN = /^(\p{L}+):/u;

// ---------------------------------------------------------------------------------------
// The command table.

type Outcome<T> = { ok: true; value: T } | { ok: false; error: ParseError; suggestion?: string };

/** What an argument parser sees: the words after the keyword, and the raw rest of the line. */
type Args = {
  tokens: Token[];
  rest: string;
  /** The command's main keyword in the language it was typed in, and that language: for messages. */
  keyword: string;
  language: Locale;
};

type CommandSpec<N extends CommandName> = {
  keywords: Words;
  parse: (args: Args) => Outcome<Extract<Command, { kind: N }>>;
};

/** Keywords that are neither English nor Russian; their language is that of the text. */
const NEUTRAL_KEYWORDS: Partial<Record<CommandName, readonly string[]>> = { help: ["?"] };

export const COMMANDS: { [N in CommandName]: CommandSpec<N> } = {
  help: {
    keywords: { en: ["help", "commands"], ru: ["помощь", "справка", "команды"] },
    parse: ({ tokens }) => {
      const word = tokens[0];
      if (!word) return ok({ kind: "help" });
      const topic = KEYWORDS.get(commandWord(word.text));
      if (!topic) return unknownCommand(word.text);
      return ok({ kind: "help", topic: topic.name });
    },
  },
  stalled: {
    keywords: { en: ["stalled", "stuck"], ru: ["застрявшие", "застой", "зависшие"] },
    parse: (args) => list(args, (filters, page) => ({ kind: "stalled", filters, page })),
  },
  new: {
    keywords: { en: ["new"], ru: ["новые", "новое"] },
    parse: (args) => {
      const options = readOptions(args, { paging: true });
      if (!options.ok) return options;
      const [amount, unit, ...extra] = options.value.others;
      let days: number = NEW_DAYS.default;
      if (amount) {
        const match = DAYS.exec(normalizeWord(amount.text));
        days = match ? Number(match[1]) : Number.NaN;
        if (!(days >= NEW_DAYS.min && days <= NEW_DAYS.max)) {
          return fail("commands.errors.daysRange", { value: amount.text, min: NEW_DAYS.min, max: NEW_DAYS.max });
        }
      }
      if (unit && !DAY_UNIT.test(normalizeWord(unit.text))) extra.unshift(unit);
      if (extra[0]) return unexpected(extra[0], args);
      return ok({ kind: "new", days, filters: options.value.filters, page: options.value.page });
    },
  },
  contacts: {
    keywords: { en: ["contacts", "contact"], ru: ["контакты", "контакт"] },
    parse: (args) => list(args, (filters, page) => ({ kind: "contacts", filters, page })),
  },
  customer: {
    keywords: { en: ["customer", "cust", "account"], ru: ["заказчик", "клиент"] },
    parse: ({ rest }) => {
      const query = unquote(rest).replace(/\s+/gu, " ").trim();
      if (!query) return fail("commands.errors.customerQuery");
      return ok({ kind: "customer", query });
    },
  },
  usecase: {
    keywords: { en: ["usecase", "uc", "use-case"], ru: ["сценарий", "кейс"] },
    parse: (args) => {
      const [word, ...extra] = args.tokens;
      const id = word && /^#?\d+$/.test(word.text) ? Number(word.text.replace("#", "")) : Number.NaN;
      if (!(Number.isSafeInteger(id) && id > 0)) return fail("commands.errors.usecaseId", { value: word?.text ?? "" });
      if (extra[0]) return unexpected(extra[0], args);
      return ok({ kind: "usecase", id });
    },
  },
  mine: {
    keywords: { en: ["mine", "my"], ru: ["мои", "мое", "мой"] },
    parse: (args) => list(args, (filters, page) => ({ kind: "mine", filters, page })),
  },
  assign: {
    keywords: { en: ["assign", "take"], ru: ["назначить", "назначь", "взять", "закрепить"] },
    parse: parseAssign,
  },
  subscribe: {
    keywords: { en: ["subscribe", "sub"], ru: ["подписаться", "подписка", "подпиши"] },
    parse: (args) => {
      const options = readOptions(args, { paging: false });
      if (!options.ok) return options;
      let mode: "immediate" | "digest" = "immediate";
      const kinds: (AlertKind | "all")[] = [];
      for (const word of splitCommas(options.value.others)) {
        const modeWord = MODE_WORDS.get(normalizeWord(word));
        if (modeWord) {
          mode = modeWord.value;
          continue;
        }
        const kind = KIND_WORDS.get(normalizeWord(word));
        if (!kind) return fail("commands.errors.kinds", { value: word });
        kinds.push(kind.value);
      }
      if (kinds.length === 0) return fail("commands.errors.kinds", { value: "" });
      return ok({ kind: "subscribe", kinds: kindList(kinds, ALERT_KINDS), filters: options.value.filters, mode });
    },
  },
  unsubscribe: {
    keywords: { en: ["unsubscribe", "unsub"], ru: ["отписаться", "отпиши", "отписка"] },
    parse: (args) => {
      const kinds: (AlertKind | "all")[] = [];
      for (const word of splitCommas(args.tokens)) {
        const kind = KIND_WORDS.get(normalizeWord(word));
        if (!kind) return filterLike(word) ? unexpected(word, args) : fail("commands.errors.kinds", { value: word });
        kinds.push(kind.value);
      }
      return ok({ kind: "unsubscribe", kinds: kindList(kinds, []) });
    },
  },
  digest: {
    keywords: { en: ["digest", "summary"], ru: ["сводка", "дайджест"] },
    parse: (args) => {
      let enabled: boolean | undefined;
      let time: string | undefined;
      for (const token of args.tokens) {
        const word = normalizeWord(token.text);
        const onOff = SWITCH_WORDS.get(word);
        if (onOff !== undefined && enabled === undefined) {
          enabled = onOff.value;
        } else if (/\d/.test(word) && time === undefined) {
          time = timeOfDay(word);
          if (time === undefined) return fail("commands.errors.digestTime", { value: token.text });
        } else if (enabled === undefined && !filterLike(token.text)) {
          return fail("commands.errors.digestSwitch", { value: token.text });
        } else {
          return unexpected(token, args);
        }
      }
      if (enabled === undefined && time === undefined) return fail("commands.errors.digestSwitch", { value: "" });
      // A time alone ("digest 08:30") means "on at 08:30".
      return ok(time === undefined ? { kind: "digest", enabled: enabled ?? true } : { kind: "digest", enabled: enabled ?? true, time });
    },
  },
  lang: {
    keywords: { en: ["lang", "language", "locale"], ru: ["язык"] },
    parse: (args) => {
      const [word, ...extra] = args.tokens;
      const locale = word ? LANGUAGE_WORDS.get(normalizeWord(word.text)) : undefined;
      if (!locale) return fail("commands.errors.lang", { value: word?.text ?? "" });
      if (extra[0]) return unexpected(extra[0], args);
      return ok({ kind: "lang", locale: locale.value });
    },
  },
  settings: {
    keywords: { en: ["settings", "preferences", "prefs", "config"], ru: ["настройки", "параметры"] },
    parse: (args) => (args.tokens[0] ? unexpected(args.tokens[0], args) : ok({ kind: "settings" })),
  },
};

/** The commands in the order help lists them. */
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

type KeywordEntry = { name: CommandName; language: Locale | "any" };

const KEYWORDS: ReadonlyMap<string, KeywordEntry> = (() => {
  const map = new Map<string, KeywordEntry>();
  for (const name of COMMAND_NAMES) {
    const { keywords } = COMMANDS[name];
    for (const language of ["en", "ru"] as const) {
      for (const word of keywords[language]) map.set(normalizeWord(word), { name, language });
    }
    for (const word of NEUTRAL_KEYWORDS[name] ?? []) map.set(normalizeWord(word), { name, language: "any" });
  }
  return map;
})();

/** The main keyword of a command in a language: `stalled`, `застрявшие`. */
export function commandKeyword(name: CommandName, language: Locale): string {
  return COMMANDS[name].keywords[language][0]!;
}

// ---------------------------------------------------------------------------------------
// Entry points.

/**
 * Parses one command. Empty text asks for help. The result's `language` is the language
 * of the keyword (for "?" and for unknown commands, the language the text is written in).
 */
export function parseCommand(text: string): ParseResult {
  const line = cleanText(text);
  const tokens = tokenize(line);
  const first = tokens[0];
  if (!first) return { ok: true, command: { kind: "help" }, language: "en" };

  const entry = KEYWORDS.get(commandWord(first.text));
  if (!entry) {
    const failure = unknownCommand(first.text);
    return { ...failure, language: failure.suggestion ? scriptLanguage(failure.suggestion) : scriptLanguage(line) };
  }
  const language = entry.language === "any" ? scriptLanguage(line) : entry.language;
  const keyword = commandKeyword(entry.name, language);
  const args: Args = { tokens: tokens.slice(1), rest: line.slice(first.end).trim(), keyword, language };
  const outcome: Outcome<Command> = COMMANDS[entry.name].parse(args);
  return outcome.ok ? { ok: true, command: outcome.value, language } : { ...outcome, language };
}

/**
 * Removes what a chat puts before the command: the bot's name as Webex writes a mention
 * ("LCA Bot stalled", "@LCA stalled", "LCA, stalled") and Slack's `<@U123>`. `botNames`
 * are the bot's display name, nickname and the like; the first word of each counts too,
 * unless it is itself a command keyword.
 */
export function stripMention(text: string, botNames: readonly string[]): string {
  const names = new Set<string>();
  for (const name of botNames.map(cleanText).filter(Boolean)) {
    names.add(name);
    const firstWord = name.split(" ")[0]!;
    if (!KEYWORDS.has(commandWord(firstWord))) names.add(firstWord);
  }
  const longestFirst = [...names].sort((a, b) => b.length - a.length);
  const after = /^[\s,:;.!]+/u;

  let rest = cleanText(text);
  for (let stripped = true; stripped; ) {
    stripped = false;
    const slack = /^<@[^>\s]+>/u.exec(rest);
    if (slack) {
      rest = rest.slice(slack[0].length).replace(after, "");
      stripped = true;
      continue;
    }
    const candidate = rest.startsWith("@") ? rest.slice(1) : rest;
    for (const name of longestFirst) {
      const head = candidate.slice(0, name.length);
      const next = candidate.charAt(name.length);
      if (head.toLowerCase() === name.toLowerCase() && (next === "" || after.test(next))) {
        rest = candidate.slice(name.length).replace(after, "");
        stripped = true;
        break;
      }
    }
  }
  return rest;
}

/** The messages to show for a failed parse, in order: the error, then "did you mean …". */
export function parseErrorMessages(result: Extract<ParseResult, { ok: false }>): ParseError[] {
  return result.suggestion === undefined
    ? [result.error]
    : [result.error, { key: "commands.errors.didYouMean", params: { suggestion: result.suggestion } }];
}

/** The help message keys: everything, or one command (with the filters line for list commands). */
export function helpMessageKeys(topic?: CommandName): MessageKey[] {
  const line = (name: CommandName): MessageKey => `commands.help.commands.${name}`;
  if (topic === undefined) return ["commands.help.title", "commands.help.intro", ...COMMAND_NAMES.map(line), "commands.help.filters"];
  return TAKES_FILTERS.has(topic) ? [line(topic), "commands.help.filters"] : [line(topic)];
}

const TAKES_FILTERS: ReadonlySet<CommandName> = new Set(["stalled", "new", "contacts", "mine", "subscribe"]);

// ---------------------------------------------------------------------------------------
// Argument helpers.

function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

function fail(key: ErrorKey, params?: Record<string, string | number>): { ok: false; error: ParseError } {
  return params === undefined ? { ok: false, error: { key } } : { ok: false, error: { key, params } };
}

/** A word after the command that it does not take; the message says how to get its help. */
function unexpected(token: Token | string, args: Args): { ok: false; error: ParseError } {
  const text = typeof token === "string" ? token : token.text;
  return fail("commands.errors.unexpected", { token: text, command: args.keyword, help: commandKeyword("help", args.language) });
}

/** A typed word as a keyword: without a leading "/" or "!" or trailing punctuation ("stalled?"). */
function commandWord(text: string): string {
  const bare = text.replace(/^[/!]+/, "").replace(/[.,;:!?]+$/, "");
  return normalizeWord(bare || text);
}

function filterLike(text: string): boolean {
  return FILTER_TOKEN.test(text);
}

/** stalled, contacts, mine: filters and a page, nothing else. */
function list<C>(args: Args, build: (filters: Filters, page: number) => C): Outcome<C> {
  const options = readOptions(args, { paging: true });
  if (!options.ok) return options;
  const extra = options.value.others[0];
  if (extra) return unexpected(extra, args);
  return ok(build(options.value.filters, options.value.page));
}

type Options = { filters: Filters; page: number; others: Token[] };

/**
 * Takes the filters (`tag:…`, `arch:…`, `customer:…`, in any language, repeated ones
 * accumulating) and `page:N` out of the words, wherever they are; the rest is left in order.
 * `tag: Enterprise` (a space after the colon) is read as `tag:Enterprise`.
 */
function readOptions(args: Args, { paging }: { paging: boolean }): Outcome<Options> {
  const filters: Filters = { tags: [], architectures: [], customers: [] };
  const others: Token[] = [];
  let page = 1;
  const { tokens } = args;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const prefix = FILTER_TOKEN.exec(token.raw)?.[1];
    if (prefix === undefined) {
      others.push(token);
      continue;
    }
    const name = FILTER_PREFIXES.get(normalizeWord(prefix))?.value;
    if (name === undefined) return fail("commands.errors.filter", { filter: token.raw });
    let value = token.text.slice(prefix.length + 1).trim();
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

/** Words, with "stalled,bounced" split at the commas. */
function splitCommas(tokens: readonly Token[]): string[] {
  return tokens.flatMap((token) => token.text.split(",")).map((word) => word.trim()).filter(Boolean);
}

/** The chosen kinds in the canonical order, each once; "all" gives `whenAll`. */
function kindList(kinds: readonly (AlertKind | "all")[], whenAll: readonly AlertKind[]): AlertKind[] {
  if (kinds.includes("all")) return [...whenAll];
  return ALERT_KINDS.filter((kind) => kinds.includes(kind));
}

/** "8:30", "08.30", "8am", "9:15pm" → "HH:MM" (24-hour); undefined if not a time of day. */
function timeOfDay(word: string): string | undefined {
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$/.exec(word);
  if (!match || (match[2] === undefined && match[3] === undefined)) return undefined;
  let hours = Number(match[1]);
  const minutes = Number(match[2] ?? "0");
  if (match[3] !== undefined) {
    if (hours < 1 || hours > 12) return undefined;
    hours = (hours % 12) + (match[3] === "pm" ? 12 : 0);
  }
  if (hours > 23 || minutes > 59) return undefined;
  return `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
}

/**
 * `assign <deployment> [to me | to <email> | <email>]`, in any order: `assign DPL1 to me`,
 * `назначить DPL1 мне`, `назначить мне DPL1`, `assign DPL1 anna@example.com`.
 */
function parseAssign(args: Args): Outcome<Extract<Command, { kind: "assign" }>> {
  let deploymentId: string | undefined;
  let to: "me" | { email: string } | undefined;
  let expectTarget = false;
  for (const token of args.tokens) {
    const word = normalizeWord(token.text);
    if (TO_WORDS.has(word) && to === undefined && !expectTarget) {
      expectTarget = true;
    } else if (ME_WORDS.has(word) && to === undefined) {
      to = "me";
      expectTarget = false;
    } else if ((token.text.includes("@") || expectTarget) && to === undefined) {
      const email = (SLACK_MAILTO.exec(token.text)?.[1] ?? token.text.replace(/^mailto:/i, "")).toLowerCase();
      if (!EMAIL.test(email)) return fail("commands.errors.email", { value: token.text });
      to = { email };
      expectTarget = false;
    } else if (deploymentId === undefined && !filterLike(token.raw)) {
      const id = token.text.toUpperCase();
      if (!DEPLOYMENT_ID.test(id)) return fail("commands.errors.deploymentId", { value: token.text });
      deploymentId = id;
    } else {
      return unexpected(token, args);
    }
  }
  if (expectTarget) return fail("commands.errors.email", { value: "" });
  if (deploymentId === undefined) return fail("commands.errors.deploymentId", { value: "" });
  return ok({ kind: "assign", deploymentId, to: to ?? "me" });
}

// ---------------------------------------------------------------------------------------
// Unknown commands and "did you mean".

function unknownCommand(typed: string): { ok: false; error: ParseError; suggestion?: string } {
  const suggestion = suggestKeyword(typed);
  const language = suggestion ? scriptLanguage(suggestion) : scriptLanguage(typed);
  const error: ParseError = { key: "commands.errors.unknown", params: { command: typed, help: commandKeyword("help", language) } };
  return suggestion === undefined ? { ok: false, error } : { ok: false, error, suggestion };
}

/**
 * The keyword closest to a mistyped word, by edit distance over both languages' keywords
 * (also reading the word as typed on the other keyboard layout, and as the start of a
 * keyword), shown in the language the user was typing in.
 */
export function suggestKeyword(typed: string): string | undefined {
  const word = commandWord(typed);
  const length = [...word].length;
  if (length < 2 || length > 40) return undefined;
  const limit = length <= 2 ? 0 : length <= 4 ? 1 : length <= 7 ? 2 : 3;

  let best: { name: CommandName; language: Locale; rank: number } | undefined;
  const readings = [word, otherLayout(word)].filter((reading): reading is string => reading !== undefined);
  for (const reading of readings) {
    const language = scriptLanguage(reading);
    for (const [keyword, entry] of KEYWORDS) {
      if (entry.language === "any") continue;
      const isPrefix = length >= 3 && keyword.startsWith(reading);
      const distance = isPrefix ? Math.min(1, editDistance(reading, keyword)) : editDistance(reading, keyword);
      if (distance > limit && !isPrefix) continue;
      // Prefer the user's language on a tie, so the suggestion reads as they typed.
      const rank = distance + (entry.language === language ? 0 : 0.5);
      if (!best || rank < best.rank) best = { name: entry.name, language, rank };
    }
  }
  return best && commandKeyword(best.name, best.language);
}
