/**
 * The command keywords of each language and what they lead to: the keyword table the
 * parsers and the sentence reader look words up in, the main keyword of a command, and
 * "did you mean" for a word that is none.
 */
import type { Locale } from "../config.js";
import { editDistance, normalizeWord, otherLayout, scriptLanguage, type Token } from "./text.js";
import type { CommandName, ParseError } from "./types.js";
import type { Words } from "./parse-vocabulary.js";

/**
 * Each command's keywords, in the order help lists the commands; the first of a language is
 * the command's main keyword there. COMMANDS (parse.ts) pairs each with its argument parser.
 */
export const COMMAND_KEYWORDS: { [N in CommandName]: Words } = {
  help: { en: ["help", "commands", "manual"], ru: ["помощь", "справка", "команды", "помоги", "помогите", "подсказка"] },
  stalled: { en: ["stalled", "stuck"], ru: ["застрявшие", "застой", "зависшие", "застрявших", "застрявшим", "зависших", "застряли", "застрял", "застряло", "застряла"] },
  new: { en: ["new", "added", "recent"], ru: ["новые", "новое", "новых", "нового", "новинки", "добавленные", "добавлено", "добавили"] },
  contacts: { en: ["contacts", "contact", "bounced", "bounces"], ru: ["контакты", "контакт", "контактов", "отказы"] },
  customer: { en: ["customer", "cust", "account"], ru: ["заказчик", "клиент", "заказчика", "клиента", "заказчику"] },
  usecase: { en: ["usecase", "uc", "use-case"], ru: ["сценарий", "кейс", "сценария"] },
  history: { en: ["history", "activity"], ru: ["история", "историю", "истории", "журнал"] },
  mine: { en: ["mine", "my", "assigned"], ru: ["мои", "мое", "мой", "моих", "закрепленные", "назначенные"] },
  assign: { en: ["assign", "take"], ru: ["назначить", "назначь", "назначьте", "взять", "возьми", "возьму", "беру", "закрепить", "закрепи"] },
  subscribe: { en: ["subscribe", "sub", "notify", "follow", "sign"], ru: ["подписаться", "подписка", "подпиши", "подпишите", "подписать", "подпишись", "уведомляй", "уведомлять", "присылай", "присылать"] },
  unsubscribe: { en: ["unsubscribe", "unsub", "unfollow"], ru: ["отписаться", "отпиши", "отписка", "отпишите", "отписать", "отпишись"] },
  digest: { en: ["digest", "summary"], ru: ["сводка", "дайджест", "сводку", "сводки", "дайджеста"] },
  lang: { en: ["lang", "language", "locale", "speak"], ru: ["язык", "говори", "отвечай"] },
  quiet: { en: ["quiet", "dnd", "mute"], ru: ["тишина", "тишину", "тихо", "тихие", "беспокоить"] },
  settings: { en: ["settings", "preferences", "prefs", "config", "profile"], ru: ["настройки", "параметры", "профиль"] },
  changes: { en: ["changes", "writeback", "upload"], ru: ["изменения", "изменений", "выгрузка"] },
  // "команды" (commands) stays help's; the team is "команда" and its cases.
  team: { en: ["team"], ru: ["команда", "команду", "команде"] },
};

/** Keywords that are neither English nor Russian; their language is that of the text. */
const NEUTRAL_KEYWORDS: Partial<Record<CommandName, readonly string[]>> = { help: ["?"] };

/** The commands in the order help lists them. */
export const COMMAND_NAMES = Object.keys(COMMAND_KEYWORDS) as CommandName[];

type KeywordEntry = { name: CommandName; language: Locale | "any" };

export const KEYWORDS: ReadonlyMap<string, KeywordEntry> = (() => {
  const map = new Map<string, KeywordEntry>();
  for (const name of COMMAND_NAMES) {
    const keywords = COMMAND_KEYWORDS[name];
    for (const language of ["en", "ru"] as const) {
      for (const word of keywords[language]) map.set(normalizeWord(word), { name, language });
    }
    for (const word of NEUTRAL_KEYWORDS[name] ?? []) map.set(normalizeWord(word), { name, language: "any" });
  }
  return map;
})();

/** The main keyword of a command in a language: `stalled`, `застрявшие`. */
export function commandKeyword(name: CommandName, language: Locale): string {
  return COMMAND_KEYWORDS[name][language][0]!;
}

/** A typed word as a keyword: without a leading "/" or "!" or trailing punctuation ("stalled?"). */
export function commandWord(text: string): string {
  const stripped = text.replace(/^[*_~]+/u, "").replace(/[*_~]+$/u, "").replace(/^[/!]+/, "").replace(/[.,;:!?…]+$/u, "");
  return normalizeWord(stripped || text);
}

export function isKeyword(token: Token): boolean {
  return KEYWORDS.has(commandWord(token.text));
}

export function keywordOf(token: Token): CommandName | undefined {
  return KEYWORDS.get(commandWord(token.text))?.name;
}

// ---------------------------------------------------------------------------------------
// Unknown commands and "did you mean".

export function unknownCommand(typed: string): { ok: false; error: ParseError; suggestion?: string } {
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
