/** What a failed parse and a help request are told with: message keys, in order. */
import type { MessageKey } from "../i18n.js";
import { COMMAND_NAMES } from "./parse-keywords.js";
import type { CommandName, ParseError, ParseResult } from "./types.js";

/** Every error key parseCommand can return (typed: it returns no other); the tests render each in both languages. */
export const PARSE_ERROR_KEYS = [
  "commands.errors.unknown",
  "commands.errors.unexpected",
  "commands.errors.filter",
  "commands.errors.page",
  "commands.errors.daysRange",
  "commands.errors.usecaseId",
  "commands.errors.customerQuery",
  "commands.errors.historyQuery",
  "commands.errors.deploymentId",
  "commands.errors.email",
  "commands.errors.kinds",
  "commands.errors.digestSwitch",
  "commands.errors.digestTime",
  "commands.errors.lang",
  "commands.errors.quiet",
] as const satisfies readonly MessageKey[];
export type ErrorKey = (typeof PARSE_ERROR_KEYS)[number];

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
