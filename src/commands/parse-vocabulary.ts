/**
 * The words of the command language (commands/parse.ts) that are not command keywords:
 * filters, alert kinds, switches, languages, periods, and the filler each command lets a
 * sentence carry. Keywords are in parse-keywords.ts.
 */
import type { Locale } from "../config.js";
import type { AlertKind } from "../domain/recommendations.js";
import { normalizeWord } from "./text.js";
import type { Filters } from "./types.js";

/** The filters that take a value (`cpi` is a word alone). */
type TextFilter = Exclude<keyof Filters, "cpi">;

// Words are compared after normalizeWord: lower case, "ё" → "е", no "-" or "_".

export type Words = { en: readonly string[]; ru: readonly string[] };

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

export const FILTER_PREFIXES = lookup<TextFilter | "page">([
  ["tags", { en: ["tag", "tags"], ru: ["тег", "теги", "метка"] }],
  ["architectures", { en: ["arch", "architecture"], ru: ["арх", "архитектура"] }],
  ["customers", { en: ["customer", "cust"], ru: ["заказчик", "клиент"] }],
  ["page", { en: ["page", "p"], ru: ["стр", "страница"] }],
]);

/** Alert kinds as people name them, inflected: `подписаться на застрявшие`, `отписаться от новых`. "contacts" is both contact kinds. */
export const KIND_WORDS = lookup<AlertKind | "contacts" | "all">([
  ["new_use_case", { en: ["new", "new_use_case", "new_use_cases", "added"], ru: ["новые", "новый", "новое", "новых", "новым", "новом", "новинки", "добавленные", "добавленных"] }],
  ["stalled", { en: ["stalled", "stuck", "stall", "stalls"], ru: ["застрявшие", "застрявших", "застрявшим", "застрявшем", "застой", "застое", "застоях", "застрял", "зависшие", "зависших"] }],
  ["bounced_contact", { en: ["bounced", "bounce", "bounces", "bounced_contact", "bounced_contacts", "invalid", "undeliverable", "unsubscribed"], ru: ["отказы", "отказ", "отказах", "отказов", "недоставленные", "недоставка", "недействительные", "недействительных", "недействительный", "недействительном"] }],
  ["missing_contact", { en: ["missing", "missing_contact", "missing_contacts", "contactless"], ru: ["без-контакта", "без-контактов", "нет-контакта", "нет-контактов", "отсутствующие", "отсутствующих", "отсутствии", "контакта"] }],
  ["contacts", { en: ["contacts", "contact"], ru: ["контакты", "контактов", "контактах", "контакт"] }],
  ["regression", { en: ["regression", "regressions", "regressed", "regress"], ru: ["регресс", "регрессы", "регрессе", "регрессах", "регрессия", "регрессии", "откат", "откаты", "откатах"] }],
  ["all", { en: ["all", "everything", "every", "any"], ru: ["все", "всё", "всего", "всем", "всех", "любые"] }],
]);

export const MODE_WORDS = lookup<"immediate" | "digest">([
  ["immediate", { en: ["immediate", "immediately", "instant", "instantly", "now", "asap", "realtime", "away"], ru: ["сразу", "немедленно", "мгновенно", "моментально"] }],
  ["digest", { en: ["digest", "daily", "summary"], ru: ["сводка", "сводку", "сводке", "сводкой", "дайджест", "дайджесте", "ежедневно", "ежедневной", "ежедневную"] }],
]);

export const SWITCH_WORDS = lookup<boolean>([
  [true, { en: ["on", "enable", "enabled", "yes", "start"], ru: ["вкл", "включить", "включи", "включите", "включена", "да"] }],
  [false, { en: ["off", "disable", "disabled", "no", "stop"], ru: ["выкл", "выключить", "выключи", "выключите", "выключена", "отключи", "отключить", "нет"] }],
]);

export const LANGUAGE_WORDS = lookup<Locale>([
  ["en", { en: ["en", "eng", "english"], ru: ["англ", "английский", "английском", "анг", "по-английски"] }],
  ["ru", { en: ["ru", "rus", "russian"], ru: ["рус", "русский", "русском", "ру", "по-русски"] }],
]);

/** Language names that are a command on their own: `russian`, `по-русски`. */
export const LANGUAGE_ALONE = new Set(["english", "russian", "английский", "русский", "по-английски", "по-русски", "на английском", "на русском"].map(normalizeWord));

/** Who gets a deployment in `assign`, and the words that may come before it. */
export const ME_WORDS = new Set(["me", "myself", "мне", "меня", "себе", "себя", "я", "мной", "мною"].map(normalizeWord));
export const TO_WORDS = new Set(["to", "for", "на", "для", "за"].map(normalizeWord));

/** A set of words as compared (normalizeWord). */
function wordSet(...lists: readonly (readonly string[])[]): ReadonlySet<string> {
  return new Set(lists.flat().map(normalizeWord));
}

/**
 * What comes before a command in a sentence: politeness, a verb, a question ("please show me
 * my stalled", "покажи, пожалуйста, новые", "what's new this week"). Dropped from the start
 * of the line, unless the word is itself a command keyword.
 */
export const LEADING = wordSet(
  ["please", "pls", "plz", "kindly", "hey", "hi", "hello", "ok", "okay", "so", "and", "now", "can", "could", "would", "will", "you", "u", "i", "i'd", "i'm", "id", "im", "want", "wanna", "like", "need", "to", "show", "list", "display", "get", "give", "find", "tell", "see", "view", "open", "check", "look", "lookup", "let", "let's", "lets", "me", "us", "what", "what's", "whats", "which", "who", "is", "are", "was", "were", "been", "has", "there", "the", "any", "all", "about", "at", "do", "does", "have", "got", "turn", "switch", "set", "recently", "just"],
  ["пожалуйста", "плиз", "пж", "пжл", "покажи", "покажите", "показать", "выведи", "выведите", "вывести", "дай", "дайте", "скажи", "скажите", "а", "ну", "и", "что", "какие", "какой", "какая", "есть", "ли", "мне", "нам", "хочу", "хотел", "хотела", "бы", "можно", "можешь", "можете", "посмотреть", "глянуть", "открой", "открыть", "список", "найди", "найти", "бот", "привет", "слушай", "еще", "там", "все", "всех", "у", "меня", "сделай", "поставь", "установи"],
);

/** Politeness at the end of a line: "stalled please", "помощь, спасибо". */
export const TRAILING = wordSet(["please", "pls", "plz", "thanks", "thx", "ty", "asap"], ["пожалуйста", "плиз", "пж", "пжл", "спасибо"]);

/** "my stalled" is `stalled` (it lists your deployments' use cases already), "мои настройки" is `settings`. */
export const MY_WORDS = wordSet(["my", "mine", "our"], ["мои", "мой", "мое", "моя", "моих", "моим", "мою", "наши", "наш"]);

/**
 * Words a list command takes without meaning anything by them: what the list is made of,
 * articles, "assigned to me". `stalled use cases`, `покажи мои застрявшие сценарии`.
 */
export const LIST_FILLER = wordSet(
  ["use", "case", "cases", "usecase", "usecases", "use-cases", "customer", "customers", "account", "accounts", "deployment", "deployments", "alert", "alerts", "ones", "items", "things", "stuff", "list", "fix", "fixing", "problems", "issues", "attention", "the", "my", "mine", "our", "all", "any", "are", "is", "that", "which", "with", "open", "currently", "right", "in", "on", "of", "for", "me", "assigned", "to", "at", "there", "a", "an", "please", "?"],
  ["сценарии", "сценариев", "сценариях", "сценарий", "использования", "заказчики", "заказчиков", "клиенты", "клиентов", "развертывания", "развертываний", "оповещения", "оповещений", "мои", "моих", "мой", "мое", "наши", "все", "всех", "которые", "у", "меня", "мне", "за", "мной", "по", "закрепленные", "назначенные", "на", "в", "сейчас", "есть", "список", "пожалуйста"],
);

/** `new in the last 14 days`, `новые за последние 2 недели`: the words around a period. */
export const NEW_FILLER = wordSet(["last", "past", "this", "within", "since", "over", "during", "recent", "recently", "added", "ago", "new", "from"], ["за", "последние", "последний", "последнюю", "последних", "прошлую", "прошлой", "прошлый", "прошедшие", "прошедший", "прошедшую", "эту", "этой", "этом", "этот", "текущую", "текущей", "текущий", "добавленные", "добавлены", "недавно", "новые", "новых", "с"]);

/** A period in days: `7 days`, `2 weeks`, `неделю`, `месяц`. */
export const PERIOD_UNITS: ReadonlyMap<string, number> = new Map(
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
export const PERIOD_WORDS: ReadonlyMap<string, number> = new Map([["today", 1], ["сегодня", 1], ["yesterday", 2], ["вчера", 2]].map(([w, d]) => [normalizeWord(w as string), d as number]));
export const NUMBER_WORDS: ReadonlyMap<string, number> = new Map(
  [["a", 1], ["one", 1], ["two", 2], ["three", 3], ["four", 4], ["five", 5], ["six", 6], ["seven", 7], ["ten", 10], ["couple", 2],
   ["один", 1], ["одна", 1], ["одну", 1], ["два", 2], ["две", 2], ["пару", 2], ["три", 3], ["четыре", 4], ["пять", 5], ["шесть", 6], ["семь", 7], ["десять", 10]].map(([w, n]) => [normalizeWord(w as string), n as number]),
);

/** Words around a subscription: `subscribe me to stalled alerts`, `подпиши меня на новые сценарии`. */
export const SUBSCRIBE_FILLER = wordSet(
  ["me", "to", "for", "about", "on", "of", "the", "alerts", "alert", "notifications", "notification", "use", "case", "cases", "usecases", "customers", "please", "in", "my", "into", "via", "as", "a", "an", "and", "with", "up", "when", "get", "from", "right", "send", "them", "it", "ones", "kinds"],
  ["меня", "мне", "на", "о", "об", "про", "по", "оповещения", "оповещениях", "оповещений", "уведомления", "уведомлений", "сценарии", "сценариях", "сценариев", "сценарий", "и", "в", "во", "мою", "мой", "пожалуйста", "заказчики", "заказчиков", "присылать", "от", "ото", "без", "нет", "с", "всех", "типы"],
);

/** `usecase number 12`, `usecase DPL101X431 on …`: words around a use case's designation. */
export const USECASE_FILLER = wordSet(["number", "no", "nr", "num", "the", "on", "at", "in", "of", "for", "deployment", "#", "№"], ["номер", "на", "в", "для", "развертывании", "развертывание", "развертывания", "№"]);

/** `assign deployment DPL101X431 to me`, `закрепи за мной развёртывание DPL101X431`. */
export const ASSIGN_FILLER = wordSet(["deployment", "the", "please", "whole", "it"], ["развертывание", "пожалуйста", "целиком"]);

/** `digest on at 08:30`, `включи мою ежедневную сводку в 9:00`. */
export const DIGEST_FILLER = wordSet(["at", "to", "my", "the", "daily", "please", "for", "every", "day", "morning", "turn", "switch", "set"], ["в", "на", "мою", "мой", "ежедневную", "ежедневный", "ежедневно", "пожалуйста", "каждый", "день", "утром", "время"]);

/** `help with subscribe`, `помощь по подписке`. */
export const HELP_FILLER = wordSet(["me", "with", "on", "about", "for", "the", "command", "please", "using", "to", "use", "how"], ["по", "с", "про", "о", "команде", "команда", "команду", "пожалуйста", "как", "пользоваться"]);

/** `quiet weekends`, `тишина выходные`. */
export const WEEKEND_WORDS = wordSet(["weekends", "weekend", "saturday", "sunday"], ["выходные", "выходных", "выходным", "выходной", "суббота", "воскресенье"]);

/** `quiet from 19:00 to 08:00 please`, `тишина с 19:00 до 08:00`, `не беспокоить`. */
export const QUIET_FILLER = wordSet(["from", "to", "till", "until", "at", "on", "my", "the", "hours", "please", "and", "set", "every", "night", "nights"], ["с", "со", "до", "по", "в", "на", "и", "мои", "часы", "пожалуйста", "каждую", "ночь", "ночью", "не"]);

/** `lang: ru`, `switch to russian`, `говори по-русски`. */
export const LANG_FILLER = wordSet(["to", "in", "please", "the", "use", "speak"], ["на", "пожалуйста", "говори"]);

/** Whole questions that ask for help. */
export const HELP_QUESTIONS = new Set(
  ["what can you do", "what do you do", "how does this work", "how do i use this", "what are the commands", "what commands are there", "что ты умеешь", "что умеешь", "что ты можешь", "что вы умеете", "как пользоваться", "какие есть команды", "какие команды"].map((q) => q.split(" ").map(normalizeWord).join(" ")),
);

/** Page words: `page 2`, `стр 2`, `страница 2`. */
export const PAGE_WORDS = wordSet(["page", "pg", "p"], ["стр", "страница", "страницу", "странице", "страничка"]);

/** `stalled cpi`, `застрявшие с CPI`: only CPI-eligible use cases (Cisco Partner Incentive). */
export const CPI_WORDS = wordSet(["cpi", "cpi-eligible", "cpieligible", "incentive"], ["cpi", "цпи"]);
/** `застрявшие с CPI`: the preposition a Russian CPI filter takes. */
export const CPI_PREPOSITION = wordSet(["with"], ["с", "по"]);

/** `stalled all`, `контакты неназначенные`: an admin's list beyond their own deployments. */
export const SCOPE_WORDS = lookup<"all" | "unassigned">([
  ["all", { en: ["all", "everyone", "everyone's", "everybody", "whole", "partner", "team"], ru: ["все", "всё", "всех", "весь", "всего", "партнер", "партнера", "команды"] }],
  ["unassigned", { en: ["unassigned", "nobody's", "orphaned", "orphan"], ru: ["неназначенные", "неназначенных", "неназначенным", "ничьи", "ничьих"] }],
]);

/** Filter names typed without the colon: `stalled customer Acme`, `застрявшие у заказчика Acme`. */
export const BARE_FILTERS = lookup<TextFilter>([
  ["tags", { en: ["tag"], ru: ["тег", "тегом", "тегу", "метка", "меткой"] }],
  ["architectures", { en: ["arch", "architecture"], ru: ["арх", "архитектура", "архитектуре", "архитектуры"] }],
  ["customers", { en: ["customer"], ru: ["заказчик", "заказчика", "заказчику", "клиент", "клиента", "клиенту"] }],
]);
/** What ends an unquoted customer name taken after a bare filter word. */
export const NAME_STOP = wordSet(["for", "in", "on", "with", "and", "page", "tag", "arch", "digest", "immediate", "immediately", "daily"], ["за", "в", "на", "с", "и", "стр", "страница", "тег", "арх", "сводка", "сразу"]);


/** `history of customer Acme`, `история развёртывания DPL1`: words between the keyword and its subject. */
export const HISTORY_LEAD = wordSet(
  ["of", "for", "on", "about", "the", "deployment", "customer", "account", "named", "called", "show", "me"],
  ["по", "для", "у", "о", "об", "развёртывания", "развертывания", "развёртыванию", "развертыванию", "заказчика", "заказчику", "клиента", "имени", "названию"],
);

/** `customer named Acme`, `заказчик по имени Acme`: words between the keyword and the name. */
export const CUSTOMER_LEAD = wordSet(["named", "called", "name", "the", "for", "about", "info", "on"], ["по", "имени", "названию", "названием", "именем", "с"]);

export const DEPLOYMENT_ID = /^(?=.*\d)[A-Z0-9]{3,40}$/;
/** A Deployment ID as a card shows it, told from an internal number: letters and digits both. */
export const DEPLOYMENT_ID_WITH_LETTERS = /^(?=.*\d)(?=.*[A-Z])[A-Z0-9]{3,40}$/;
export const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:.]{2,}$/;
/** Slack writes an email it linked as `<mailto:a@b.com|a@b.com>`. */
export const SLACK_MAILTO = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/;
/** `tag:value`, `тег:"A B"`: a word of letters, a colon, then the value (possibly empty). */
export const FILTER_TOKEN = /^(\p{L}+):/u;

/**
 * A typed word as compared: without markdown emphasis around it and the punctuation a
 * sentence puts after it ("**stalled**", "please,", "stalled?"), normalised.
 */
export function bare(text: string): string {
  const stripped = text.replace(/’/g, "'").replace(/^[*_~>]+/u, "").replace(/[*_~]+$/u, "").replace(/[,;:!?.…]+$/u, "");
  return normalizeWord(stripped || text);
}
