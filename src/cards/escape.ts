/**
 * Text from the data is text. Customer, use-case, tag, site and contact names, comments,
 * CSM names: whatever came from an LCA export or a chat user is shown as typed, in every
 * output, and never becomes a link, a mention, emphasis, a heading, a list, code or a quote,
 * nor takes over a link the bot builds around it.
 *
 * One function per output format:
 * - `escapeCardMarkdown`: Adaptive Card TextBlock and Fact markdown (what Webex cards show).
 *   This is also the form the presenter writes into every card, which the other formats are
 *   translated from (blockkit.ts for Slack, `toWebexMarkdown` for the Webex fallback).
 * - `escapeWebexMarkdown`: the `markdown` of a Webex message (the fallback of a card).
 * - `escapeMrkdwn`: Slack mrkdwn (section and context texts, fields, the `text` fallback).
 *   Block Kit `plain_text` needs none of this: `decodeLiterals` gives the text back.
 * - HTML: `escapeHtml` in src/channels/preview/html.ts (the preview), and preview.js.
 *
 * How: a character that could start markup (see SPECIAL) is written between two U+2060 WORD
 * JOINERs, invisible and not a break. Why not backslashes: Adaptive Card clients differ, the
 * shared model and the iOS/Android renderers show `\*` with its backslash
 * (microsoft/AdaptiveCards#5758, #7474; MicrosoftDocs/msteams-docs#5793), and Webex's mention
 * and autolink parsing does not look at backslashes. Why on both sides: a client that takes
 * the joiner for a letter sees `_` inside a word, which CommonMark never makes emphasis, and
 * one that takes it for a space sees a marker followed (or preceded) by a space, which opens
 * (or closes) nothing; Slack's `*_~` need a word boundary on the outside and a non-space on
 * the inside, which no joined marker has either way. Two characters no joiner tames in
 * CommonMark (`a*b*c` is emphasis, and backtick code spans ignore their neighbours) are also
 * replaced by look-alikes in cards: `*` → `∗` (U+2217), `` ` `` → `ˋ` (U+02CB). Inside the
 * label of a link the bot builds, `[` and `]` become `［` `］`: CommonMark pairs brackets across
 * joiners, and a bracket from the data must not become the start of the bot's link text.
 *
 * Since data can hold no word joiner (`cleanText` removes them), "joiner, character, joiner"
 * in a card always means "this character, literally": the translators to Slack, to Webex
 * markdown, to plain text and to HTML find them with LITERAL and write each in their own form.
 */

/** U+2060 WORD JOINER: invisible, no line break, no width. */
export const WJ = "\u2060";

/** One literal character of data inside a card's markdown: joiner, character, joiner. */
export const LITERAL = /\u2060([^\u2060])\u2060/gu;

/**
 * What could start markup somewhere: emphasis and code (`\ * _ ~` and backtick), links and
 * images (`[ ]`), mentions, autolinks and HTML (`< >`), entities (`&`); `${` (template
 * bindings), `://` and `www.` (bare URLs are autolinked by Slack and Webex), an `@` that
 * starts a word (`@here`, `@all`; an email's `@` is left alone), and at the start of a line
 * the markers of headings, quotes, lists and setext underlines (`# > - + =`, `1.`, `1)`).
 */
const SPECIAL = /[\\*_~`[\]<>&]|\$(?=\{)|:(?=\/\/)|(?<=(?:^|[^\p{L}\p{N}_.])[wW]{3})\.|(?<![\p{L}\p{N}_.+-])@(?=[\p{L}\p{N}])|(?<=^[ \t]*)(?:[#+=-]|\d(?=\d*[.)]))/gmu;

/** Direction controls (embeddings, overrides, isolates) would reverse the text after them, the bot's too. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
/** Control characters other than tab and newline, and our own joiner. */
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F\u2060]/g;

/** Data made safe to place anywhere: no direction controls, no control characters, no word joiners. */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(BIDI_CONTROLS, "").replace(CONTROLS, "");
}

/** Each special character of `text` through `special`, everything else through `other`. */
function mapSpecials(text: string, special: (c: string) => string, other: (s: string) => string = (s) => s): string {
  const clean = cleanText(text);
  let out = "";
  let last = 0;
  for (const match of clean.matchAll(SPECIAL)) {
    out += other(clean.slice(last, match.index)) + special(match[0]);
    last = match.index + match[0].length;
  }
  return out + other(clean.slice(last));
}

/** Look-alikes used in cards for the characters no joiner can tame there. */
const CARD_LOOKALIKE: Record<string, string> = { "*": "\u2217", "`": "\u02CB" };
const LABEL_LOOKALIKE: Record<string, string> = { ...CARD_LOOKALIKE, "[": "\uFF3B", "]": "\uFF3D" };
const ORIGINAL: Record<string, string> = { "\u2217": "*", "\u02CB": "`", "\uFF3B": "[", "\uFF3D": "]" };

const joined = (c: string): string => `${WJ}${c}${WJ}`;

/**
 * A value is one line in markdown: CommonMark shows a single line break as a space anyway,
 * and a break inside a value would let its next line start a heading, quote or list, and
 * split the bold the bot puts around a title.
 */
const oneLine = (text: string): string => text.replace(/[ \t]*[\r\n]+[ \t]*/g, " ");

/** A data value as Adaptive Card (TextBlock, Fact) markdown: shown as typed. `Acme Corp` stays `Acme Corp`. */
export function escapeCardMarkdown(text: string): string {
  return mapSpecials(oneLine(text), (c) => joined(CARD_LOOKALIKE[c] ?? c));
}

/** A data value as the text of a markdown link the bot builds: brackets too can never pair with the bot's. */
export function escapeCardLinkLabel(text: string): string {
  return mapSpecials(oneLine(text), (c) => joined(LABEL_LOOKALIKE[c] ?? c));
}

/** Characters that Slack's mrkdwn writes as entities; every other text goes as is. */
const SLACK_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
export const slackEntities = (text: string): string => text.replace(/[&<>]/g, (c) => SLACK_ENTITIES[c]!);

/**
 * One special character as Slack mrkdwn: `&` and `<` as entities (Slack reads links, mentions
 * and entities only from a bare `<` or `&`), `>` as an entity and joined (`&gt;` starting a
 * line is a quote), the rest joined.
 */
export const mrkdwnLiteral = (c: string): string => (c === "&" || c === "<" ? slackEntities(c) : joined(slackEntities(c)));

/** A data value as Slack mrkdwn: `&`, `<`, `>` as entities, markers joined so they format nothing. */
export function escapeMrkdwn(text: string): string {
  return mapSpecials(oneLine(text), mrkdwnLiteral, slackEntities);
}

/** What Webex markdown (CommonMark) takes a backslash escape for; the rest of SPECIAL stays joined. */
const WEBEX_BACKSLASHED = new Set(["\\", "*", "_", "~", "`", "[", "]", ">", "#", "+", "-", "=", "&"]);

/**
 * A data value as Webex message markdown: markdown punctuation backslash-escaped (CommonMark),
 * and what starts a mention or an autolink (`<@…>`, `<@all>`, `https://`, `www.`, `@all`)
 * joined, since those are found before markdown is parsed. A digit starting a line is joined too
 * (a backslash before a digit is shown as is).
 */
export function escapeWebexMarkdown(text: string): string {
  return mapSpecials(oneLine(text), webexLiteral);
}

/** One special character as Webex markdown: backslash-escaped, or joined where a backslash does not help. */
export const webexLiteral = (c: string): string => (WEBEX_BACKSLASHED.has(c) ? `\\${c}` : joined(c));

/** The character a literal of a card stands for (a look-alike back to what was typed). */
export const literalChar = (c: string): string => ORIGINAL[c] ?? c;

/** A card's markdown with its literals back to plain characters (for plain text: Slack plain_text, buttons, options). */
export function decodeLiterals(markdown: string): string {
  return markdown.replace(LITERAL, (_match, c: string) => literalChar(c));
}

/** A card's markdown (TextBlock, Fact) as Webex message markdown: the bot's markdown kept, each literal written Webex's way. */
export function toWebexMarkdown(markdown: string): string {
  return markdown.replace(LITERAL, (_match, c: string) => webexLiteral(literalChar(c)));
}

/**
 * A URL for a markdown link the bot writes, `[text](url)`: only http(s), and nothing in it
 * that could end the link early or start another (spaces, parentheses, brackets, angle
 * brackets are percent-encoded). Undefined for anything else: the text is then shown without a link.
 */
export function markdownLinkUrl(url: string | null | undefined): string | undefined {
  const trimmed = cleanText(url ?? "").trim();
  if (!/^https?:\/\/[^\s/]/i.test(trimmed)) return undefined;
  return trimmed.replace(/[\s()[\]<>"'`\\|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
