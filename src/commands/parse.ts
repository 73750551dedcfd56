/**
 * The command language CSMs type in Webex or after Slack's `/lca`, in English or Russian:
 * text in, a typed `Command` (or a message key saying what is wrong) out. Pure, no I/O, and
 * it never throws for anything a user can type.
 *
 * One entry per command in `COMMANDS` below: its keywords in each language (parse-keywords.ts)
 * and the parser of its arguments (parse-lists, parse-lookups, parse-assign, parse-preferences).
 * Help texts are `commands.help.commands.<name>` in locales/. This module is the face the
 * rest of the bot imports; the parts below it are named parse-*.ts.
 */
import type { Args, Outcome } from "./parse-arguments.js";
import { parseAssign } from "./parse-assign.js";
import { COMMAND_KEYWORDS, commandKeyword, commandWord, KEYWORDS, unknownCommand } from "./parse-keywords.js";
import { parseContacts, parseMine, parseNew, parseStalled } from "./parse-lists.js";
import { parseCustomer, parseHelp, parseHistory, parseUseCase } from "./parse-lookups.js";
import { parseChanges, parseTeam, parseDigest, parseLang, parseQuiet, parseSettings, parseSubscribe, parseUnsubscribe } from "./parse-preferences.js";
import { CHAT_MARKUP, commandLine, sentenceToCommand } from "./parse-sentence.js";
import { bare, HELP_QUESTIONS, LANGUAGE_ALONE, LANGUAGE_WORDS, type Words } from "./parse-vocabulary.js";
import { scriptLanguage, tokenize } from "./text.js";
import type { Command, CommandName, ParseResult } from "./types.js";

export type { Command, CommandName, Filters, ParseError, ParseResult } from "./types.js";
export { COMMAND_NAMES, commandKeyword, suggestKeyword } from "./parse-keywords.js";
export { NEW_DAYS } from "./parse-lists.js";
export { helpMessageKeys, PARSE_ERROR_KEYS, parseErrorMessages } from "./parse-messages.js";
export { stripMention } from "./parse-sentence.js";

type CommandSpec<N extends CommandName> = {
  keywords: Words;
  parse: (args: Args) => Outcome<Extract<Command, { kind: N }>>;
};

export const COMMANDS: { [N in CommandName]: CommandSpec<N> } = {
  help: { keywords: COMMAND_KEYWORDS.help, parse: parseHelp },
  stalled: { keywords: COMMAND_KEYWORDS.stalled, parse: parseStalled },
  new: { keywords: COMMAND_KEYWORDS.new, parse: parseNew },
  contacts: { keywords: COMMAND_KEYWORDS.contacts, parse: parseContacts },
  customer: { keywords: COMMAND_KEYWORDS.customer, parse: parseCustomer },
  usecase: { keywords: COMMAND_KEYWORDS.usecase, parse: parseUseCase },
  history: { keywords: COMMAND_KEYWORDS.history, parse: parseHistory },
  mine: { keywords: COMMAND_KEYWORDS.mine, parse: parseMine },
  assign: { keywords: COMMAND_KEYWORDS.assign, parse: parseAssign },
  subscribe: { keywords: COMMAND_KEYWORDS.subscribe, parse: parseSubscribe },
  unsubscribe: { keywords: COMMAND_KEYWORDS.unsubscribe, parse: parseUnsubscribe },
  digest: { keywords: COMMAND_KEYWORDS.digest, parse: parseDigest },
  lang: { keywords: COMMAND_KEYWORDS.lang, parse: parseLang },
  quiet: { keywords: COMMAND_KEYWORDS.quiet, parse: parseQuiet },
  settings: { keywords: COMMAND_KEYWORDS.settings, parse: parseSettings },
  changes: { keywords: COMMAND_KEYWORDS.changes, parse: parseChanges },
  team: { keywords: COMMAND_KEYWORDS.team, parse: parseTeam },
};
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
