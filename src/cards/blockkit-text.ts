/** Adaptive Card markdown as Slack writes it: mrkdwn, plain text, and their text objects within a length. */
import { truncate } from "./adaptive-card.js";
import type { Mrkdwn, PlainText } from "./blockkit-blocks.js";
import { literalChar, mrkdwnLiteral, slackEntities } from "./escape.js";

/** Plain text as typed: no markdown to escape, and no joiners (invisible, and of no use outside markdown). */
export const plain = (text: string, max: number): PlainText => ({ type: "plain_text", text: truncate(text.replace(/\u2060/g, "").trim() || "…", max), emoji: true });
export const mrkdwn = (text: string, max: number): Mrkdwn => ({ type: "mrkdwn", text: truncateMrkdwn(text, max) });

const LINK = /\[([^\]]+)\]\(([^)\s]+)\)/g;
const escapeSlack = slackEntities;

/**
 * The literal characters of a markdown text, taken out before its markdown is read: a card's
 * joined ones (escape.ts) and backslash escapes (the Webex fallback). `restore` puts each back
 * in the form the output wants, so no data character can be read as a mark of the bot's.
 */
const LITERALS = /\u2060([^\u2060])\u2060|\\([!-/:-@[-`{-~])/gu;
function takeLiterals(markdown: string): { text: string; restore: (text: string, as: (c: string) => string) => string } {
  const literals: string[] = [];
  const text = markdown.replace(LITERALS, (_match, joined: string | undefined, escaped: string | undefined) => {
    literals.push(joined !== undefined ? literalChar(joined) : (escaped ?? ""));
    return `\u0003${literals.length - 1}\u0004`;
  });
  return { text, restore: (out, as) => out.replace(/\u0003(\d+)\u0004/g, (_match, i: string) => as(literals[Number(i)] ?? "")) };
}

/** Markdown emphasis → Slack: `**bold**` → `*bold*`, `*italic*`/`_italic_` → `_italic_`. */
function convertEmphasis(text: string): string {
  const BOLD = "\u0000";
  return text
    .replace(/\*\*(.+?)\*\*/g, `${BOLD}$1${BOLD}`)
    .replace(/__(.+?)__/g, `${BOLD}$1${BOLD}`)
    .replace(/(^|[^*\w])\*(?!\s)([^*\n]+?)\*(?!\w)/g, "$1_$2_")
    .replace(new RegExp(BOLD, "g"), "*");
}

/**
 * Adaptive Card markdown → Slack mrkdwn: emphasis, `[t](u)` → `<u|t>`, and &, <, > escaped;
 * data (the card's literals) as `escapeMrkdwn` writes it.
 */
export function toMrkdwn(markdown: string): string {
  const { text, restore } = takeLiterals(markdown);
  // Links become numbered tokens first, so emphasis around a link (**[t](u)**) converts as a whole.
  const links: string[] = [];
  const tokenised = text.replace(LINK, (_match, label: string, url: string) => {
    links.push(`<${url.replace(/\|/g, "%7C").replace(/>/g, "%3E")}|${convertEmphasis(escapeSlack(label))}>`);
    return `\u0001${links.length - 1}\u0002`;
  });
  const out = convertEmphasis(escapeSlack(tokenised)).replace(/\u0001(\d+)\u0002/g, (_match, i: string) => links[Number(i)] ?? "");
  return restore(out, mrkdwnLiteral);
}

/** Adaptive Card markdown → plain text (headers, modal titles): no emphasis marks, links as their text, data as typed. */
export function toPlain(markdown: string): string {
  const { text, restore } = takeLiterals(markdown);
  return restore(text.replace(LINK, "$1").replace(/\*\*(.+?)\*\*/g, "$1").replace(/__(.+?)__/g, "$1"), (c) => c);
}

/** Truncates mrkdwn without leaving a half `<url|text>` link behind. */
export function truncateMrkdwn(text: string, max: number): string {
  const cut = truncate(text, max);
  if (cut === text) return text;
  const body = cut.slice(0, -1);
  const open = body.lastIndexOf("<");
  return open > body.lastIndexOf(">") ? `${body.slice(0, open).trimEnd()}…` : cut;
}
