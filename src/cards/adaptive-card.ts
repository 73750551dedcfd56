/**
 * The Adaptive Card 1.3 JSON our templates produce, as types (the subset Webex renders and
 * blockkit.ts translates), plus the walks that validate.ts, blockkit.ts and the Webex
 * markdown fallback share.
 */

import type { ActionSet, AdaptiveCard, CardAction, CardElement, CardInput, Column, ColumnSet, Container, NestedCard } from "../protocol/adaptive-card.js";
import { escapeCardLinkLabel, escapeCardMarkdown, markdownLinkUrl } from "./escape.js";

export type * from "../protocol/adaptive-card.js";
/** The children of an element that hold elements (Container items, each Column's items). */
export function childElements(element: CardElement): CardElement[] {
  switch (element.type) {
    case "Container":
      return element.items ?? [];
    case "ColumnSet":
      return (element.columns ?? []).flatMap((column) => column.items ?? []);
    default:
      return [];
  }
}

/** The actions an element holds directly (an ActionSet's). */
export function elementActions(element: CardElement): CardAction[] {
  return element.type === "ActionSet" ? (element.actions ?? []) : [];
}

/** Every element of a card body, depth first, not descending into ShowCard cards. */
export function* walkElements(elements: readonly CardElement[]): Generator<CardElement> {
  for (const element of elements) {
    yield element;
    yield* walkElements(childElements(element));
  }
}

/** The inputs of a card (or nested card) itself, not those of its ShowCards. */
export function inputsOf(card: NestedCard): CardInput[] {
  return [...walkElements(card.body ?? [])].filter(isInput);
}

export function isInput(element: CardElement): element is CardInput {
  return element.type === "Input.Text" || element.type === "Input.ChoiceSet";
}

/** The actions of a card itself: its `actions` and those of ActionSets in its body. */
export function actionsOf(card: NestedCard): CardAction[] {
  return [...(card.actions ?? []), ...[...walkElements(card.body ?? [])].flatMap(elementActions)];
}

/** A visit of every card in a card: the card itself and each ShowCard's card, with the chain of cards above it. */
export function* walkCards(card: NestedCard, ancestors: NestedCard[] = []): Generator<{ card: NestedCard; ancestors: NestedCard[]; path: string }> {
  const path = ancestors.length === 0 ? "card" : `card${"/showCard".repeat(ancestors.length)}`;
  yield { card, ancestors, path };
  for (const action of actionsOf(card)) {
    if (action.type === "Action.ShowCard" && action.card) yield* walkCards(action.card, [...ancestors, card]);
  }
}

/**
 * A short markdown summary of a card: its text blocks, facts and links, not its forms.
 * Shared by the Webex fallback (render.ts) and the Slack `text` (blockkit.ts).
 */
export function summaryLines(card: NestedCard): string[] {
  const lines: string[] = [];
  for (const element of walkElements(card.body ?? [])) {
    if (element.type === "TextBlock" && element.text?.trim()) {
      const strong = element.weight === "Bolder" || element.size === "Large" || element.size === "ExtraLarge";
      lines.push(strong && !element.text.includes("**") ? strongLines(element.text.trim()) : element.text.trim());
    } else if (element.type === "FactSet") {
      for (const fact of element.facts ?? []) lines.push(`${fact.title}: ${fact.value}`);
    }
  }
  for (const action of card.actions ?? []) {
    if (action.type !== "Action.OpenUrl") continue;
    // A button's title is plain text; in the summary it is markdown, so it is escaped here.
    const href = markdownLinkUrl(action.url);
    lines.push(href ? `[${escapeCardLinkLabel(action.title)}](${href})` : escapeCardMarkdown(action.title));
  }
  return lines;
}

/** Markdown bold for each line of a text (emphasis does not reach across a line break, and a text from the data may have several). */
export function strongLines(markdown: string): string {
  return markdown
    .split("\n")
    .map((line) => (line.trim() ? `**${line.trim()}**` : line))
    .join("\n");
}

/** Cuts text to at most `max` UTF-16 units, ending with "…" when cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return "…".slice(0, max);
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
}

/** Cuts text to at most `maxBytes` bytes of UTF-8, ending with "…" when cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  const budget = maxBytes - encoder.encode("…").length;
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (used + size > budget) break;
    out += char;
    used += size;
  }
  return `${out}…`;
}
