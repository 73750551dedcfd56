/**
 * The Adaptive Card 1.3 JSON our templates produce, as types (the subset Webex renders and
 * blockkit.ts translates), plus the walks that validate.ts, blockkit.ts and the Webex
 * markdown fallback share.
 */

import { escapeCardLinkLabel, escapeCardMarkdown, markdownLinkUrl } from "./escape.js";

export type Spacing = "None" | "Small" | "Default" | "Medium" | "Large" | "ExtraLarge" | "Padding";
export type TextSize = "Small" | "Default" | "Medium" | "Large" | "ExtraLarge";
export type ContainerStyle = "default" | "emphasis" | "good" | "attention" | "warning" | "accent";

interface ElementBase {
  id?: string;
  spacing?: Spacing;
  separator?: boolean;
  isVisible?: boolean;
}

export interface TextBlock extends ElementBase {
  type: "TextBlock";
  text: string;
  size?: TextSize;
  weight?: "Lighter" | "Default" | "Bolder";
  color?: "Default" | "Dark" | "Light" | "Accent" | "Good" | "Warning" | "Attention";
  isSubtle?: boolean;
  wrap?: boolean;
  maxLines?: number;
  horizontalAlignment?: "Left" | "Center" | "Right";
}

export interface Fact {
  title: string;
  value: string;
}

export interface FactSet extends ElementBase {
  type: "FactSet";
  facts: Fact[];
}

export interface Image extends ElementBase {
  type: "Image";
  url: string;
  altText?: string;
  size?: "Auto" | "Stretch" | "Small" | "Medium" | "Large";
}

export interface Container extends ElementBase {
  type: "Container";
  items: CardElement[];
  style?: ContainerStyle;
  bleed?: boolean;
}

export interface Column extends ElementBase {
  type: "Column";
  items: CardElement[];
  width?: string | number;
  style?: ContainerStyle;
}

export interface ColumnSet extends ElementBase {
  type: "ColumnSet";
  columns: Column[];
}

export interface ActionSet extends ElementBase {
  type: "ActionSet";
  actions: CardAction[];
}

interface InputBase extends ElementBase {
  id: string;
  label?: string;
  isRequired?: boolean;
  errorMessage?: string;
}

export interface InputText extends InputBase {
  type: "Input.Text";
  placeholder?: string;
  value?: string;
  isMultiline?: boolean;
  maxLength?: number;
  style?: "Text" | "Tel" | "Url" | "Email";
  regex?: string;
}

export interface Choice {
  title: string;
  value: string;
}

export interface InputChoiceSet extends InputBase {
  type: "Input.ChoiceSet";
  choices: Choice[];
  value?: string;
  placeholder?: string;
  style?: "compact" | "expanded";
  isMultiSelect?: boolean;
}

export type CardInput = InputText | InputChoiceSet;
export type CardElement = TextBlock | FactSet | Image | Container | ColumnSet | ActionSet | CardInput;
export type ElementType = CardElement["type"];

interface ActionBase {
  title: string;
  style?: "default" | "positive" | "destructive";
  iconUrl?: string;
}

export interface SubmitAction extends ActionBase {
  type: "Action.Submit";
  /** An envelope (src/actions/envelope.ts), before the inputs are merged in. */
  data: Record<string, unknown>;
}

export interface OpenUrlAction extends ActionBase {
  type: "Action.OpenUrl";
  url: string;
}

export interface ShowCardAction extends ActionBase {
  type: "Action.ShowCard";
  card: NestedCard;
}

export type CardAction = SubmitAction | OpenUrlAction | ShowCardAction;
export type ActionType = CardAction["type"];

/** The card inside an Action.ShowCard (it inherits the version of its parent). */
export interface NestedCard {
  type: "AdaptiveCard";
  body: CardElement[];
  actions?: CardAction[];
}

export interface AdaptiveCard extends NestedCard {
  $schema?: string;
  version: string;
  lang?: string;
}

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
