/**
 * The line around a command: what a chat puts before it (a mention), what a person puts
 * around it (politeness, a verb, a question), and the marks the parser does not read.
 */
import { isKeyword, keywordOf, KEYWORDS, commandWord } from "./parse-keywords.js";
import { bare, DIGEST_FILLER, LEADING, LIST_FILLER, MY_WORDS, SWITCH_WORDS, TRAILING } from "./parse-vocabulary.js";
import { cleanText, type Token } from "./text.js";

/** Longer lines are not commands; the parser reads only this much (and says it did not understand). */
const MAX_LINE = 2000;

/**
 * The line as the parser reads it: clean text without control characters and backticks
 * (a command copied from the help keeps them), without a quote marker, and without the
 * question and exclamation marks people end a sentence with. A full stop stays, for
 * "customer Acme Inc."; the words before it are compared without it (see `bare` in parse-vocabulary.ts).
 */
export function commandLine(text: string): string {
  const visible = text.slice(0, MAX_LINE * 2).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/gu, " ").replace(/[\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu, "").replaceAll("`", " ");
  return cleanText(visible)
    .replace(/^(?:>\s*)+/u, "")
    .replace(/(?<=\S)[\s]*[?!…]+$/u, "")
    .slice(0, MAX_LINE)
    .trim();
}

/** Slack's special mentions and channel links (`<!channel>`, `<!here>`, `<#C123|general>`), a mention inside the line. */
export const CHAT_MARKUP = /^<[!#@][^>]*>[,.:;!?]*$/u;

/**
 * A sentence reduced to a command: politeness and verbs before the command and politeness
 * after it dropped ("please show me my stalled, thanks"), "my" before another command
 * dropped ("my stalled", "мои настройки"), and a switch before `digest` put after it
 * ("turn on my digest", "включи сводку").
 */
export function sentenceToCommand(input: readonly Token[]): Token[] {
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
