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

/** Alert kinds as people name them, inflected: `подписаться на застрявшие`, `отписаться от новых`. "contacts" is both contact kinds. */
const KIND_WORDS = lookup<AlertKind | "contacts" | "all">([
  ["new_use_case", { en: ["new", "new_use_case", "new_use_cases", "added"], ru: ["новые", "новый", "новое", "новых", "новым", "новом", "новинки", "добавленные", "добавленных"] }],
  ["stalled", { en: ["stalled", "stuck", "stall", "stalls"], ru: ["застрявшие", "застрявших", "застрявшим", "застрявшем", "застой", "застое", "застоях", "застрял", "зависшие", "зависших"] }],
  ["bounced_contact", { en: ["bounced", "bounce", "bounces", "bounced_contact", "bounced_contacts", "invalid", "undeliverable", "unsubscribed"], ru: ["отказы", "отказ", "отказах", "отказов", "недоставленные", "недоставка", "недействительные", "недействительных", "недействительный", "недействительном"] }],
  ["missing_contact", { en: ["missing", "missing_contact", "missing_contacts", "contactless"], ru: ["без-контакта", "без-контактов", "нет-контакта", "нет-контактов", "отсутствующие", "отсутствующих", "отсутствии", "контакта"] }],
  ["contacts", { en: ["contacts", "contact"], ru: ["контакты", "контактов", "контактах", "контакт"] }],
  ["regression", { en: ["regression", "regressions", "regressed", "regress"], ru: ["регресс", "регрессы", "регрессе", "регрессах", "регрессия", "регрессии", "откат", "откаты", "откатах"] }],
  ["all", { en: ["all", "everything", "every", "any"], ru: ["все", "всё", "всего", "всем", "всех", "любые"] }],
]);

const MODE_WORDS = lookup<"immediate" | "digest">([
  ["immediate", { en: ["immediate", "immediately", "instant", "instantly", "now", "asap", "realtime", "away"], ru: ["сразу", "немедленно", "мгновенно", "моментально"] }],
  ["digest", { en: ["digest", "daily", "summary"], ru: ["сводка", "сводку", "сводке", "сводкой", "дайджест", "дайджесте", "ежедневно", "ежедневной", "ежедневную"] }],
]);

const SWITCH_WORDS = lookup<boolean>([
  [true, { en: ["on", "enable", "enabled", "yes", "start"], ru: ["вкл", "включить", "включи", "включите", "включена", "да"] }],
  [false, { en: ["off", "disable", "disabled", "no", "stop"], ru: ["выкл", "выключить", "выключи", "выключите", "выключена", "отключи", "отключить", "нет"] }],
]);

const LANGUAGE_WORDS = lookup<Locale>([
  ["en", { en: ["en", "eng", "english"], ru: ["англ", "английский", "английском", "анг", "по-английски"] }],
  ["ru", { en: ["ru", "rus", "russian"], ru: ["рус", "русский", "русском", "ру", "по-русски"] }],
]);

/** Language names that are a command on their own: `russian`, `по-русски`. */
const LANGUAGE_ALONE = new Set(["english", "russian", "английский", "русский", "по-английски", "по-русски", "на английском", "на русском"].map(normalizeWord));

/** Who gets a deployment in `assign`, and the words that may come before it. */
const ME_WORDS = new Set(["me", "myself", "мне", "меня", "себе", "себя", "я", "мной", "мною"].map(normalizeWord));
const TO_WORDS = new Set(["to", "for", "на", "для", "за"].map(normalizeWord));

/** A set of words as compared (normalizeWord). */
function wordSet(...lists: readonly (readonly string[])[]): ReadonlySet<string> {
  return new Set(lists.flat().map(normalizeWord));
}

/**
 * What comes before a command in a sentence: politeness, a verb, a question ("please show me
 * my stalled", "покажи, пожалуйста, новые", "what's new this week"). Dropped from the start
 * of the line, unless the word is itself a command keyword.
 */
const LEADING = wordSet(
  ["please", "pls", "plz", "kindly", "hey", "hi", "hello", "ok", "okay", "so", "and", "now", "can", "could", "would", "will", "you", "u", "i", "i'd", "i'm", "id", "im", "want", "wanna", "like", "need", "to", "show", "list", "display", "get", "give", "find", "tell", "see", "view", "open", "check", "look", "lookup", "let", "let's", "lets", "me", "us", "what", "what's", "whats", "which", "who", "is", "are", "was", "were", "been", "has", "there", "the", "any", "all", "about", "at", "do", "does", "have", "got", "turn", "switch", "set", "recently", "just"],
  ["пожалуйста", "плиз", "пж", "пжл", "покажи", "покажите", "показать", "выведи", "выведите", "вывести", "дай", "дайте", "скажи", "скажите", "а", "ну", "и", "что", "какие", "какой", "какая", "есть", "ли", "мне", "нам", "хочу", "хотел", "хотела", "бы", "можно", "можешь", "можете", "посмотреть", "глянуть", "открой", "открыть", "список", "найди", "найти", "бот", "привет", "слушай", "еще", "там", "все", "всех", "у", "меня", "сделай", "поставь", "установи"],
);

/** Politeness at the end of a line: "stalled please", "помощь, спасибо". */
const TRAILING = wordSet(["please", "pls", "plz", "thanks", "thx", "ty", "asap"], ["пожалуйста", "плиз", "пж", "пжл", "спасибо"]);

/** "my stalled" is `stalled` (it lists your deployments' use cases already), "мои настройки" is `settings`. */
const MY_WORDS = wordSet(["my", "mine", "our"], ["мои", "мой", "мое", "моя", "моих", "моим", "мою", "наши", "наш"]);

/**
 * Words a list command takes without meaning anything by them: what the list is made of,
 * articles, "assigned to me". `stalled use cases`, `покажи мои застрявшие сценарии`.
 */
const LIST_FILLER = wordSet(
  ["use", "case", "cases", "usecase", "usecases", "use-cases", "customer", "customers", "account", "accounts", "deployment", "deployments", "alert", "alerts", "ones", "items", "things", "stuff", "list", "fix", "fixing", "problems", "issues", "attention", "the", "my", "mine", "our", "all", "any", "are", "is", "that", "which", "with", "open", "currently", "right", "in", "on", "of", "for", "me", "assigned", "to", "at", "there", "a", "an", "please", "?"],
  ["сценарии", "сценариев", "сценариях", "сценарий", "использования", "заказчики", "заказчиков", "клиенты", "клиентов", "развертывания", "развертываний", "оповещения", "оповещений", "мои", "моих", "мой", "мое", "наши", "все", "всех", "которые", "у", "меня", "мне", "за", "мной", "по", "закрепленные", "назначенные", "на", "в", "сейчас", "есть", "список", "пожалуйста"],
);

/** `new in the last 14 days`, `новые за последние 2 недели`: the words around a period. */
const NEW_FILLER = wordSet(["last", "past", "this", "within", "since", "over", "during", "recent", "recently", "added", "ago", "new", "from"], ["за", "последние", "последний", "последнюю", "последних", "прошлую", "прошлой", "прошлый", "прошедшие", "прошедший", "прошедшую", "эту", "этой", "этом", "этот", "текущую", "текущей", "текущий", "добавленные", "добавлены", "недавно", "новые", "новых", "с"]);

/** A period in days: `7 days`, `2 weeks`, `неделю`, `месяц`. */
const PERIOD_UNITS: ReadonlyMap<string, number> = new Map(
  ([
    [1, ["d", "day", "days", "д", "дн", "дня", "дней", "день", "сутки", "суток"]],
    [7, ["w", "wk", "wks", "week", "weeks", "нед", "неделя", "неделю", "недели", "недель", "неделе"]],
    [14, ["fortnight"]],
    [30, ["mo", "month", "months", "мес", "месяц", "месяца", "месяцев", "месяце"]],
    [90, ["quarter", "quarters", "квартал", "квартала", "кварталов"]],
    [365, ["year", "years", "yr", "год", "года", "лет", "году"]],
  ] as const).flatMap(([days, words]) => words.map((w) => [normalizeWord(w), days] as const)),
);
/** Whole periods in one word. */
const PERIOD_WORDS: ReadonlyMap<string, number> = new Map([["today", 1], ["сегодня", 1], ["yesterday", 2], ["вчера", 2]].map(([w, d]) => [normalizeWord(w as string), d as number]));
const NUMBER_WORDS: ReadonlyMap<string, number> = new Map(
  [["a", 1], ["one", 1], ["two", 2], ["three", 3], ["four", 4], ["five", 5], ["six", 6], ["seven", 7], ["ten", 10], ["couple", 2],
   ["один", 1], ["одна", 1], ["одну", 1], ["два", 2], ["две", 2], ["пару", 2], ["три", 3], ["четыре", 4], ["пять", 5], ["шесть", 6], ["семь", 7], ["десять", 10]].map(([w, n]) => [normalizeWord(w as string), n as number]),
);

/** Words around a subscription: `subscribe me to stalled alerts`, `подпиши меня на новые сценарии`. */
const SUBSCRIBE_FILLER = wordSet(
  ["me", "to", "for", "about", "on", "of", "the", "alerts", "alert", "notifications", "notification", "use", "case", "cases", "usecases", "customers", "please", "in", "my", "into", "via", "as", "a", "an", "and", "with", "up", "when", "get", "from", "right", "send", "them", "it", "ones", "kinds"],
  ["меня", "мне", "на", "о", "об", "про", "по", "оповещения", "оповещениях", "оповещений", "уведомления", "уведомлений", "сценарии", "сценариях", "сценариев", "сценарий", "и", "в", "во", "мою", "мой", "пожалуйста", "заказчики", "заказчиков", "присылать", "от", "ото", "без", "нет", "с", "всех", "типы"],
);

/** `usecase number 12`, `usecase DPL101X431 on …`: words around a use case's designation. */
const USECASE_FILLER = wordSet(["number", "no", "nr", "num", "the", "on", "at", "in", "of", "for", "deployment", "#", "№"], ["номер", "на", "в", "для", "развертывании", "развертывание", "развертывания", "№"]);

/** `assign deployment DPL101X431 to me`, `закрепи за мной развёртывание DPL101X431`. */
const ASSIGN_FILLER = wordSet(["deployment", "the", "please", "whole", "it"], ["развертывание", "пожалуйста", "целиком"]);

/** `digest on at 08:30`, `включи мою ежедневную сводку в 9:00`. */
const DIGEST_FILLER = wordSet(["at", "to", "my", "the", "daily", "please", "for", "every", "day", "morning", "turn", "switch", "set"], ["в", "на", "мою", "мой", "ежедневную", "ежедневный", "ежедневно", "пожалуйста", "каждый", "день", "утром", "время"]);

/** `help with subscribe`, `помощь по подписке`. */
const HELP_FILLER = wordSet(["me", "with", "on", "about", "for", "the", "command", "please", "using", "to", "use", "how"], ["по", "с", "про", "о", "команде", "команда", "команду", "пожалуйста", "как", "пользоваться"]);

/** `lang: ru`, `switch to russian`, `говори по-русски`. */
const LANG_FILLER = wordSet(["to", "in", "please", "the", "use", "speak"], ["на", "пожалуйста", "говори"]);

/** Whole questions that ask for help. */
const HELP_QUESTIONS = new Set(
  ["what can you do", "what do you do", "how does this work", "how do i use this", "what are the commands", "what commands are there", "что ты умеешь", "что умеешь", "что ты можешь", "что вы умеете", "как пользоваться", "какие есть команды", "какие команды"].map((q) => q.split(" ").map(normalizeWord).join(" ")),
);

/** Page words: `page 2`, `стр 2`, `страница 2`. */
const PAGE_WORDS = wordSet(["page", "pg", "p"], ["стр", "страница", "страницу", "странице", "страничка"]);

/** Filter names typed without the colon: `stalled customer Acme`, `застрявшие у заказчика Acme`. */
const BARE_FILTERS = lookup<keyof Filters>([
  ["tags", { en: ["tag"], ru: ["тег", "тегом", "тегу", "метка", "меткой"] }],
  ["architectures", { en: ["arch", "architecture"], ru: ["арх", "архитектура", "архитектуре", "архитектуры"] }],
  ["customers", { en: ["customer"], ru: ["заказчик", "заказчика", "заказчику", "клиент", "клиента", "клиенту"] }],
]);
/** What ends an unquoted customer name taken after a bare filter word. */
const NAME_STOP = wordSet(["for", "in", "on", "with", "and", "page", "tag", "arch", "digest", "immediate", "immediately", "daily"], ["за", "в", "на", "с", "и", "стр", "страница", "тег", "арх", "сводка", "сразу"]);

/** `customer named Acme`, `заказчик по имени Acme`: words between the keyword and the name. */
const CUSTOMER_LEAD = wordSet(["named", "called", "name", "the", "for", "about", "info", "on"], ["по", "имени", "названию", "названием", "именем", "с"]);

const DEPLOYMENT_ID = /^(?=.*\d)[A-Z0-9]{3,40}$/;
/** A Deployment ID as a card shows it, told from an internal number: letters and digits both. */
const DEPLOYMENT_ID_WITH_LETTERS = /^(?=.*\d)(?=.*[A-Z])[A-Z0-9]{3,40}$/;
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
    keywords: { en: ["help", "commands", "manual"], ru: ["помощь", "справка", "команды", "помоги", "помогите", "подсказка"] },
    parse: ({ tokens }) => {
      const word = tokens.find((token) => !HELP_FILLER.has(bare(token.text)));
      if (!word) return ok({ kind: "help" });
      const topic = KEYWORDS.get(commandWord(word.text));
      if (!topic) return unknownCommand(word.text);
      return ok({ kind: "help", topic: topic.name });
    },
  },
  stalled: {
    keywords: { en: ["stalled", "stuck"], ru: ["застрявшие", "застой", "зависшие", "застрявших", "застрявшим", "зависших", "застряли", "застрял", "застряло", "застряла"] },
    parse: (args) => list(args, (filters, page) => ({ kind: "stalled", filters, page })),
  },
  new: {
    keywords: { en: ["new", "added", "recent"], ru: ["новые", "новое", "новых", "нового", "новинки", "добавленные", "добавлено", "добавили"] },
    parse: (args) => {
      const options = readOptions(args, { paging: true });
      if (!options.ok) return options;
      const period = readPeriod(options.value.others, args);
      if (!period.ok) return period;
      return ok({ kind: "new", days: period.value, filters: options.value.filters, page: options.value.page });
    },
  },
  contacts: {
    keywords: { en: ["contacts", "contact", "bounced", "bounces"], ru: ["контакты", "контакт", "контактов", "отказы"] },
    parse: (args) => list(args, (filters, page) => ({ kind: "contacts", filters, page })),
  },
  customer: {
    keywords: { en: ["customer", "cust", "account"], ru: ["заказчик", "клиент", "заказчика", "клиента", "заказчику"] },
    parse: ({ tokens, rest }) => {
      // "customer named Acme", "заказчик по имени Acme": the words before the name say nothing.
      const lead = tokens.findIndex((token) => !CUSTOMER_LEAD.has(bare(token.text)));
      const from = lead > 0 ? rest.slice(tokens[lead]!.start - tokens[0]!.start) : rest;
      const query = unquote(from).replace(/\s+/gu, " ").replace(/[?!…]+$/u, "").trim();
      if (!query) return fail("commands.errors.customerQuery");
      return ok({ kind: "customer", query });
    },
  },
  usecase: {
    keywords: { en: ["usecase", "uc", "use-case"], ru: ["сценарий", "кейс", "сценария"] },
    parse: parseUseCase,
  },
  mine: {
    keywords: { en: ["mine", "my", "assigned"], ru: ["мои", "мое", "мой", "моих", "закрепленные", "назначенные"] },
    parse: (args) => list(args, (filters, page) => ({ kind: "mine", filters, page })),
  },
  assign: {
    keywords: { en: ["assign", "take"], ru: ["назначить", "назначь", "назначьте", "взять", "возьми", "возьму", "беру", "закрепить", "закрепи"] },
    parse: parseAssign,
  },
  subscribe: {
    keywords: { en: ["subscribe", "sub", "notify", "follow", "sign"], ru: ["подписаться", "подписка", "подпиши", "подпишите", "подписать", "подпишись", "уведомляй", "уведомлять", "присылай", "присылать"] },
    parse: (args) => {
      const options = readOptions(args, { paging: false });
      if (!options.ok) return options;
      let mode: "immediate" | "digest" = "immediate";
      const kinds: (AlertKind | "contacts" | "all")[] = [];
      for (const word of splitCommas(options.value.others)) {
        const modeWord = MODE_WORDS.get(bare(word));
        if (modeWord) {
          mode = modeWord.value;
          continue;
        }
        const kind = KIND_WORDS.get(bare(word));
        if (!kind) {
          if (SUBSCRIBE_FILLER.has(bare(word))) continue;
          return fail("commands.errors.kinds", { value: word });
        }
        // "missing contacts", "bounced contacts": the noun after a contact kind adds nothing.
        if (kind.value === "contacts" && (kinds.at(-1) === "bounced_contact" || kinds.at(-1) === "missing_contact")) continue;
        kinds.push(kind.value);
      }
      if (kinds.length === 0) return fail("commands.errors.kinds", { value: "" });
      return ok({ kind: "subscribe", kinds: kindList(kinds, ALERT_KINDS), filters: options.value.filters, mode });
    },
  },
  unsubscribe: {
    keywords: { en: ["unsubscribe", "unsub", "unfollow"], ru: ["отписаться", "отпиши", "отписка", "отпишите", "отписать", "отпишись"] },
    parse: (args) => {
      const kinds: (AlertKind | "contacts" | "all")[] = [];
      for (const word of splitCommas(args.tokens)) {
        const kind = KIND_WORDS.get(bare(word));
        if (!kind) {
          if (SUBSCRIBE_FILLER.has(bare(word))) continue;
          return filterLike(word) ? unexpected(word, args) : fail("commands.errors.kinds", { value: word });
        }
        if (kind.value === "contacts" && (kinds.at(-1) === "bounced_contact" || kinds.at(-1) === "missing_contact")) continue;
        kinds.push(kind.value);
      }
      return ok({ kind: "unsubscribe", kinds: kindList(kinds, []) });
    },
  },
  digest: {
    keywords: { en: ["digest", "summary"], ru: ["сводка", "дайджест", "сводку", "сводки", "дайджеста"] },
    parse: (args) => {
      let enabled: boolean | undefined;
      let time: string | undefined;
      for (const token of args.tokens) {
        const word = bare(token.text);
        if (DIGEST_FILLER.has(word) && SWITCH_WORDS.get(word) === undefined) continue;
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
    keywords: { en: ["lang", "language", "locale", "speak"], ru: ["язык", "говори", "отвечай"] },
    parse: (args) => {
      const [word, ...extra] = args.tokens.filter((token, i, all) => !(LANG_FILLER.has(bare(token.text)) && i < all.length - 1));
      const locale = word ? LANGUAGE_WORDS.get(bare(word.text)) : undefined;
      if (!locale) return fail("commands.errors.lang", { value: word?.text ?? "" });
      if (extra[0]) return unexpected(extra[0], args);
      return ok({ kind: "lang", locale: locale.value });
    },
  },
  settings: {
    keywords: { en: ["settings", "preferences", "prefs", "config", "profile"], ru: ["настройки", "параметры", "профиль"] },
    parse: (args) => {
      const extra = args.tokens.find((token) => !LIST_FILLER.has(bare(token.text)));
      return extra ? unexpected(extra, args) : ok({ kind: "settings" });
    },
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
  const line = commandLine(text);
  const all = tokenize(line).filter((token) => !CHAT_MARKUP.test(token.raw));
  if (all.length === 0) return { ok: true, command: { kind: "help" }, language: line ? scriptLanguage(line) : "en" };
  if (HELP_QUESTIONS.has(all.map((token) => bare(token.text)).join(" "))) return { ok: true, command: { kind: "help" }, language: scriptLanguage(line) };

  const tokens = sentenceToCommand(all);
  const first = tokens[0];
  if (!first) return { ok: true, command: { kind: "help" }, language: scriptLanguage(line) };

  if (LANGUAGE_ALONE.has(bare(first.text)) && tokens.length === 1) {
    const locale = LANGUAGE_WORDS.get(bare(first.text))!;
    return { ok: true, command: { kind: "lang", locale: locale.value }, language: locale.language };
  }
  const entry = KEYWORDS.get(commandWord(first.text));
  if (!entry) {
    const failure = unknownCommand(first.text);
    return { ...failure, language: failure.suggestion ? scriptLanguage(failure.suggestion) : scriptLanguage(line) };
  }
  const language = entry.language === "any" ? scriptLanguage(line) : entry.language;
  const keyword = commandKeyword(entry.name, language);
  const second = tokens[1];
  const last = tokens[tokens.length - 1]!;
  const rest = second && second.start > first.start ? line.slice(second.start, last.end).trim() : tokens.slice(1).map((token) => token.raw).join(" ");
  const args: Args = { tokens: tokens.slice(1), rest, keyword, language };
  const outcome: Outcome<Command> = COMMANDS[entry.name].parse(args);
  return outcome.ok ? { ok: true, command: outcome.value, language } : { ...outcome, language };
}

/** Longer lines are not commands; the parser reads only this much (and says it did not understand). */
const MAX_LINE = 2000;

/**
 * The line as the parser reads it: clean text without control characters and backticks
 * (a command copied from the help keeps them), without a quote marker, and without the
 * question and exclamation marks people end a sentence with. A full stop stays, for
 * "customer Acme Inc."; the words before it are compared without it (see `bare`).
 */
function commandLine(text: string): string {
  const visible = text.slice(0, MAX_LINE * 2).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/gu, " ").replace(/[\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu, "").replaceAll("`", " ");
  return cleanText(visible)
    .replace(/^(?:>\s*)+/u, "")
    .replace(/(?<=\S)[\s]*[?!…]+$/u, "")
    .slice(0, MAX_LINE)
    .trim();
}

/** Slack's special mentions and channel links (`<!channel>`, `<!here>`, `<#C123|general>`), a mention inside the line. */
const CHAT_MARKUP = /^<[!#@][^>]*>[,.:;!?]*$/u;

/**
 * A typed word as compared: without markdown emphasis around it and the punctuation a
 * sentence puts after it ("**stalled**", "please,", "stalled?"), normalised.
 */
function bare(text: string): string {
  const stripped = text.replace(/’/g, "'").replace(/^[*_~>]+/u, "").replace(/[*_~]+$/u, "").replace(/[,;:!?.…]+$/u, "");
  return normalizeWord(stripped || text);
}

/**
 * A sentence reduced to a command: politeness and verbs before the command and politeness
 * after it dropped ("please show me my stalled, thanks"), "my" before another command
 * dropped ("my stalled", "мои настройки"), and a switch before `digest` put after it
 * ("turn on my digest", "включи сводку").
 */
function sentenceToCommand(input: readonly Token[]): Token[] {
  let tokens = [...input];
  while (tokens.length > 0 && TRAILING.has(bare(tokens[tokens.length - 1]!.text)) && !isKeyword(tokens[tokens.length - 1]!)) tokens.pop();
  if (tokens.length >= 2 && bare(tokens[tokens.length - 1]!.text) === "you" && bare(tokens[tokens.length - 2]!.text) === "thank") tokens = tokens.slice(0, -2);
  while (tokens.length > 0 && LEADING.has(bare(tokens[0]!.text)) && !isKeyword(tokens[0]!) && !SWITCH_WORDS.has(bare(tokens[0]!.text))) tokens.shift();

  // "use case #12": the two words of the keyword, when a designation follows.
  if (tokens.length >= 3 && bare(tokens[0]!.text) === "use" && bare(tokens[1]!.text) === "case") {
    const [use, kase] = tokens as [Token, Token];
    tokens = [{ raw: `${use.raw} ${kase.raw}`, text: "usecase", quoted: false, start: use.start, end: kase.end }, ...tokens.slice(2)];
  }

  // "which use cases are stalled", "какие сценарии застряли": the command after words that only frame it.
  if (tokens[0] && !isKeyword(tokens[0]) && !SWITCH_WORDS.has(bare(tokens[0].text))) {
    const at = tokens.findIndex(isKeyword);
    const framing = (token: Token) => LEADING.has(bare(token.text)) || LIST_FILLER.has(bare(token.text)) || MY_WORDS.has(bare(token.text));
    if (at > 0 && at <= 6 && tokens.slice(0, at).every(framing)) tokens = tokens.slice(at);
  }

  // "my stalled", "мои застрявшие", "my settings": the possessive says nothing more.
  const next = tokens.findIndex((token, i) => i > 0 && !LIST_FILLER.has(bare(token.text)));
  if (tokens[0] && MY_WORDS.has(bare(tokens[0].text)) && next > 0 && isKeyword(tokens[next]!) && keywordOf(tokens[next]!) !== "mine") {
    tokens = tokens.slice(next);
  }

  // "turn on my digest", "enable digest at 9:00", "включи ежедневную сводку в 9:00".
  const switchWord = tokens[0] && SWITCH_WORDS.get(bare(tokens[0].text));
  if (switchWord) {
    const digestAt = tokens.findIndex((token, i) => i > 0 && i <= 4 && keywordOf(token) === "digest");
    if (digestAt > 0 && tokens.slice(1, digestAt).every((token) => DIGEST_FILLER.has(bare(token.text)))) {
      tokens = [tokens[digestAt]!, tokens[0]!, ...tokens.slice(digestAt + 1)];
    }
  }
  return tokens;
}

function isKeyword(token: Token): boolean {
  return KEYWORDS.has(commandWord(token.text));
}

function keywordOf(token: Token): CommandName | undefined {
  return KEYWORDS.get(commandWord(token.text))?.name;
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
  const stripped = text.replace(/^[*_~]+/u, "").replace(/[*_~]+$/u, "").replace(/^[/!]+/, "").replace(/[.,;:!?…]+$/u, "");
  return normalizeWord(stripped || text);
}

function filterLike(text: string): boolean {
  return FILTER_TOKEN.test(text);
}

/** stalled, contacts, mine: filters and a page, nothing else. */
function list<C>(args: Args, build: (filters: Filters, page: number) => C): Outcome<C> {
  const options = readOptions(args, { paging: true });
  if (!options.ok) return options;
  const extra = options.value.others.find((token) => !LIST_FILLER.has(bare(token.text)) && !isKeyword(token));
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

/** Words, with "stalled,bounced" split at the commas. */
function splitCommas(tokens: readonly Token[]): string[] {
  return tokens.flatMap((token) => token.text.split(",")).map((word) => word.trim()).filter(Boolean);
}

/** The chosen kinds in the canonical order, each once; "all" gives `whenAll`. */
function kindList(kinds: readonly (AlertKind | "contacts" | "all")[], whenAll: readonly AlertKind[]): AlertKind[] {
  if (kinds.includes("all")) return [...whenAll];
  const wanted = new Set<AlertKind>(kinds.flatMap((kind): AlertKind[] => (kind === "contacts" ? ["bounced_contact", "missing_contact"] : kind === "all" ? [] : [kind])));
  return ALERT_KINDS.filter((kind) => wanted.has(kind));
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
    const word = bare(token.text);
    if (ASSIGN_FILLER.has(word)) continue;
    if (TO_WORDS.has(word) && to === undefined && !expectTarget) {
      expectTarget = true;
    } else if (ME_WORDS.has(word) && to === undefined) {
      to = "me";
      expectTarget = false;
    } else if ((token.text.includes("@") || expectTarget) && to === undefined) {
      const email = (SLACK_MAILTO.exec(token.text)?.[1] ?? token.text.replace(/^mailto:/i, "")).toLowerCase().replace(/[.,;!?]+$/u, "");
      if (!EMAIL.test(email)) return fail("commands.errors.email", { value: token.text });
      to = { email };
      expectTarget = false;
    } else if (deploymentId === undefined && !filterLike(token.raw)) {
      const id = token.text.toUpperCase().replace(/^(?:№|#)/u, "").replace(/[.,;!?]+$/u, "");
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

/**
 * `usecase <number>` (the internal number, as before), or the use case as a card names it:
 * `usecase DPL101X431 Campus Network Automation`, `usecase DPL101X431 "Campus Network
 * Automation"`, `usecase DPL101X431` (when that deployment has one use case), also with
 * `№12`, `#12`, `number 12`. The query layer resolves a Deployment ID and name.
 */
function parseUseCase(args: Args): Outcome<Extract<Command, { kind: "usecase" }>> {
  const words = args.tokens.filter((token) => token.quoted || !USECASE_FILLER.has(bare(token.text)));
  const [first, ...extra] = words;
  if (!first) return fail("commands.errors.usecaseId", { value: "" });
  const designation = first.text.replace(/^(?:№|#)/u, "").replace(/[.,;!?]+$/u, "");
  if (/^\d+$/.test(designation)) {
    const id = Number(designation);
    if (!(Number.isSafeInteger(id) && id > 0)) return fail("commands.errors.usecaseId", { value: first.text });
    if (extra[0]) return unexpected(extra[0], args);
    return ok({ kind: "usecase", id });
  }
  const at = words.findIndex((token) => !token.quoted && DEPLOYMENT_ID_WITH_LETTERS.test(token.text.toUpperCase().replace(/[.,;!?]+$/u, "")));
  if (at < 0) return fail("commands.errors.usecaseId", { value: first.text });
  const deploymentId = words[at]!.text.toUpperCase().replace(/[.,;!?]+$/u, "");
  const name = [...words.slice(0, at), ...words.slice(at + 1)].map((token) => token.text).join(" ").replace(/\s+/gu, " ").replace(/[.,;]+$/u, "").trim();
  return ok(name ? { kind: "usecase", deploymentId, name: unquote(name) } : { kind: "usecase", deploymentId });
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
