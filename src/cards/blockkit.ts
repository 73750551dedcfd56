import {
  strongLines,
  summaryLines,
  truncate,
  type ActionType,
  type CardAction,
  type CardElement,
  type ElementType,
  type NestedCard,
  type SubmitAction,
  type TextBlock,
} from "./adaptive-card.js";
import { escapeMrkdwn, literalChar, mrkdwnLiteral, slackEntities } from "./escape.js";

/**
 * One card, two renderings: an EXPANDED Adaptive Card (render.ts) → Slack Block Kit.
 * Covers the subset our cards use, through two tables of translators (elements, actions).
 * Slack's limits are kept by truncating with a visible "…" or splitting, never by throwing.
 */

// ---------------------------------------------------------------------------------------
// Block Kit, the part we produce

export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: "mrkdwn";
  text: string;
}
export type TextObject = PlainText | Mrkdwn;

export interface Option {
  text: PlainText;
  value: string;
}

export interface Button {
  type: "button";
  text: PlainText;
  action_id: string;
  value?: string;
  url?: string;
  style?: "primary" | "danger";
}

export interface StaticSelect {
  type: "static_select" | "multi_static_select";
  action_id: string;
  options: Option[];
  placeholder?: PlainText;
  initial_option?: Option;
}

export interface RadioButtons {
  type: "radio_buttons";
  action_id: string;
  options: Option[];
  initial_option?: Option;
}

export interface TextInput {
  type: "plain_text_input" | "email_text_input";
  action_id: string;
  multiline?: boolean;
  initial_value?: string;
  placeholder?: PlainText;
  max_length?: number;
}

export type InputElement = StaticSelect | RadioButtons | TextInput;

export interface SectionBlock {
  type: "section";
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}
export interface HeaderBlock {
  type: "header";
  text: PlainText;
}
export interface ContextBlock {
  type: "context";
  elements: TextObject[];
}
export interface DividerBlock {
  type: "divider";
}
export interface ImageBlock {
  type: "image";
  image_url: string;
  alt_text: string;
}
export interface ActionsBlock {
  type: "actions";
  elements: Button[];
}
export interface InputBlock {
  type: "input";
  block_id: string;
  label: PlainText;
  element: InputElement;
  optional?: boolean;
  hint?: PlainText;
}

export type Block = SectionBlock | HeaderBlock | ContextBlock | DividerBlock | ImageBlock | ActionsBlock | InputBlock;

export interface View {
  type: "modal";
  callback_id: string;
  title: PlainText;
  submit?: PlainText;
  close?: PlainText;
  /** The envelope data of the form's Action.Submit (JSON): merge the submitted inputs into it. */
  private_metadata?: string;
  blocks: Block[];
}

export interface BlockKitMessage {
  /** Plain fallback for notifications and clients without blocks. */
  text: string;
  blocks: Block[];
  /** The modal of each ShowCard button, keyed by the button's action_id. */
  modals: Record<string, View>;
}

export interface BlockKitOptions {
  /** At most this many blocks: 50 in a message (default), 100 in a modal. */
  maxBlocks?: number;
  /** The close button of modals, in the reader's language; Slack's default when absent. */
  cancelLabel?: string;
}

/** Slack's limits (Block Kit reference). */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  url: 3000,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  radioOptions: 10,
  placeholder: 150,
  inputLabel: 2000,
  textInput: 3000,
  altText: 2000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  text: 3000,
} as const;

// ---------------------------------------------------------------------------------------
// Text

/** Plain text as typed: no markdown to escape, and no joiners (invisible, and of no use outside markdown). */
const plain = (text: string, max: number): PlainText => ({ type: "plain_text", text: truncate(text.replace(/\u2060/g, "").trim() || "…", max), emoji: true });
const mrkdwn = (text: string, max: number): Mrkdwn => ({ type: "mrkdwn", text: truncateMrkdwn(text, max) });

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
function truncateMrkdwn(text: string, max: number): string {
  const cut = truncate(text, max);
  if (cut === text) return text;
  const body = cut.slice(0, -1);
  const open = body.lastIndexOf("<");
  return open > body.lastIndexOf(">") ? `${body.slice(0, open).trimEnd()}…` : cut;
}

// ---------------------------------------------------------------------------------------
// Translation

interface Context {
  /** Running number of the buttons, for unique action ids. */
  counter: { next: number };
  modals: Record<string, View>;
  options: BlockKitOptions;
}

type ElementTranslator<T extends ElementType> = (element: Extract<CardElement, { type: T }>, cx: Context) => Block[];
type ActionTranslator<T extends ActionType> = (action: Extract<CardAction, { type: T }>, cx: Context) => Button;

const isHeading = (el: TextBlock): boolean =>
  el.size === "Large" || el.size === "ExtraLarge" || (el.size === "Medium" && el.weight === "Bolder");

function textBlocks(markdown: string, kind: "section" | "context"): Block[] {
  const text = toMrkdwn(markdown);
  return kind === "context" ? [{ type: "context", elements: [mrkdwn(text, SLACK_LIMITS.sectionText)] }] : [{ type: "section", text: mrkdwn(text, SLACK_LIMITS.sectionText) }];
}

const ELEMENTS: { [T in ElementType]: ElementTranslator<T> } = {
  TextBlock: (el) => {
    const text = el.text?.trim();
    if (!text) return [];
    if (isHeading(el)) return [{ type: "header", text: plain(toPlain(text), SLACK_LIMITS.headerText) }];
    const strong = el.weight === "Bolder" && !text.includes("**") ? strongLines(text) : text;
    return textBlocks(strong, el.isSubtle || el.size === "Small" ? "context" : "section");
  },

  FactSet: (el) => {
    const fields = (el.facts ?? []).map((fact) => mrkdwn(`*${toMrkdwn(fact.title)}*\n${toMrkdwn(fact.value)}`, SLACK_LIMITS.fieldText));
    return chunk(fields, SLACK_LIMITS.sectionFields).map((group) => ({ type: "section", fields: group }));
  },

  Image: (el) =>
    el.url && el.url.length <= SLACK_LIMITS.url ? [{ type: "image", image_url: el.url, alt_text: truncate(el.altText || "image", SLACK_LIMITS.altText) }] : [],

  Container: (el, cx) => translateElements(el.items ?? [], cx),

  ColumnSet: (el, cx) => {
    // Columns side by side become the fields of one section; a column holding more than text stays as blocks.
    const fields: string[] = [];
    const blocks: Block[] = [];
    for (const column of el.columns ?? []) {
      const inner = translateElements(column.items ?? [], cx);
      if (inner.every(isTextual)) {
        const text = inner.map(textOf).join("\n");
        if (text) fields.push(text);
      } else {
        blocks.push(...inner);
      }
    }
    const sections: Block[] =
      fields.length === 1
        ? [{ type: "section", text: mrkdwn(fields[0] ?? "", SLACK_LIMITS.sectionText) }]
        : chunk(fields, SLACK_LIMITS.sectionFields).map((group) => ({ type: "section", fields: group.map((f) => mrkdwn(f, SLACK_LIMITS.fieldText)) }));
    return [...sections, ...blocks];
  },

  ActionSet: (el, cx) => actionBlocks(el.actions ?? [], cx),

  "Input.Text": (el) => [
    inputBlock(el, {
      type: el.style === "Email" ? "email_text_input" : "plain_text_input",
      action_id: el.id,
      ...(el.isMultiline && el.style !== "Email" ? { multiline: true } : {}),
      ...(el.value ? { initial_value: truncate(el.value, SLACK_LIMITS.textInput) } : {}),
      ...(el.placeholder ? { placeholder: plain(el.placeholder, SLACK_LIMITS.placeholder) } : {}),
      ...(el.maxLength && el.style !== "Email" ? { max_length: Math.min(el.maxLength, SLACK_LIMITS.textInput) } : {}),
    }),
  ],

  "Input.ChoiceSet": (el) => {
    const radio = el.style === "expanded" && !el.isMultiSelect && (el.choices ?? []).length <= SLACK_LIMITS.radioOptions;
    const options = (el.choices ?? [])
      .filter((c) => c.value !== "" && c.value.length <= SLACK_LIMITS.optionValue)
      .slice(0, radio ? SLACK_LIMITS.radioOptions : SLACK_LIMITS.selectOptions)
      .map((c): Option => ({ text: plain(c.title, SLACK_LIMITS.optionText), value: c.value }));
    const initial = options.find((o) => o.value === el.value);
    const element: InputElement = radio
      ? { type: "radio_buttons", action_id: el.id, options, ...(initial ? { initial_option: initial } : {}) }
      : {
          type: el.isMultiSelect ? "multi_static_select" : "static_select",
          action_id: el.id,
          options,
          ...(el.placeholder ? { placeholder: plain(el.placeholder, SLACK_LIMITS.placeholder) } : {}),
          ...(initial ? { initial_option: initial } : {}),
        };
    return [inputBlock(el, element)];
  },
};

const ACTIONS: { [T in ActionType]: ActionTranslator<T> } = {
  "Action.Submit": (action, cx) => {
    const n = cx.counter.next++;
    const value = fitJson(action.data ?? {}, SLACK_LIMITS.buttonValue);
    return button(action.title, actionId(`${envelopeName(action.data) ?? "submit"}.${n}`), { ...(value ? { value } : {}), ...buttonStyle(action.style) });
  },

  "Action.OpenUrl": (action, cx) => {
    const n = cx.counter.next++;
    return button(action.title, actionId(`url.${n}`), { url: truncate(action.url, SLACK_LIMITS.url) });
  },

  "Action.ShowCard": (action, cx) => {
    const n = cx.counter.next++;
    const submit = firstSubmit(action.card);
    const id = actionId(`modal.${envelopeName(submit?.data) ?? "card"}.${n}`);
    cx.modals[id] = buildModal(action.card, action.title, cx);
    const value = submit ? fitJson(submit.data ?? {}, SLACK_LIMITS.buttonValue) : undefined;
    return button(action.title, id, { ...(value ? { value } : {}), ...buttonStyle(action.style) });
  },
};

function translateElements(elements: readonly CardElement[], cx: Context): Block[] {
  const blocks: Block[] = [];
  for (const element of elements) {
    if (element.isVisible === false) continue;
    const translate = ELEMENTS[element.type] as ElementTranslator<ElementType> | undefined;
    if (!translate) continue; // an element outside our subset: Slack shows the rest of the card
    if (element.separator && blocks.length > 0) blocks.push({ type: "divider" });
    blocks.push(...translate(element as never, cx));
  }
  return blocks;
}

function actionBlocks(actions: readonly CardAction[], cx: Context): Block[] {
  const buttons = actions.flatMap((action) => {
    const translate = ACTIONS[action.type] as ActionTranslator<ActionType> | undefined;
    return translate ? [translate(action as never, cx)] : [];
  });
  return chunk(buttons, SLACK_LIMITS.actionsElements).map((elements) => ({ type: "actions", elements }));
}

function inputBlock(el: { id: string; label?: string; placeholder?: string; isRequired?: boolean }, element: InputElement): InputBlock {
  return {
    type: "input",
    block_id: truncate(el.id, SLACK_LIMITS.blockId),
    label: plain(el.label ?? el.placeholder ?? el.id, SLACK_LIMITS.inputLabel),
    element,
    optional: !el.isRequired,
  };
}

function button(title: string, action_id: string, rest: Partial<Button>): Button {
  return { type: "button", text: plain(title, SLACK_LIMITS.buttonText), action_id, ...rest };
}

const buttonStyle = (style: CardAction["style"]): Partial<Button> =>
  style === "positive" ? { style: "primary" } : style === "destructive" ? { style: "danger" } : {};

const actionId = (id: string): string => truncate(id, SLACK_LIMITS.actionId);

const envelopeName = (data: Record<string, unknown> | undefined): string | undefined => (typeof data?.a === "string" ? data.a : undefined);

function firstSubmit(card: NestedCard): SubmitAction | undefined {
  return (card.actions ?? []).find((a): a is SubmitAction => a.type === "Action.Submit");
}

/** JSON of `data` within `max` characters: the longest strings are shortened with "…" if needed; undefined if it cannot fit. */
function fitJson(data: Record<string, unknown>, max: number): string | undefined {
  let json = JSON.stringify(data);
  const copy: Record<string, unknown> = { ...data };
  while (json.length > max) {
    const longest = Object.entries(copy)
      .filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1].length > 1)
      .sort((a, b) => b[1].length - a[1].length)[0];
    if (!longest) return undefined;
    const [key, value] = longest;
    copy[key] = truncate(value, Math.max(1, value.length - (json.length - max) - 8));
    json = JSON.stringify(copy);
  }
  return json;
}

// ---------------------------------------------------------------------------------------
// Staying within the block limit

const isTextual = (block: Block): boolean =>
  (block.type === "section" && !!block.text && !block.fields) || block.type === "context" || block.type === "header";

function textOf(block: Block): string {
  switch (block.type) {
    case "section":
      return [block.text?.text, ...(block.fields ?? []).map((f) => f.text)].filter(Boolean).join("\n");
    case "context":
      return block.elements.map((e) => e.text).join(" ");
    case "header":
      return `*${escapeMrkdwn(block.text.text)}*`;
    default:
      return "";
  }
}

/** Merges runs of text sections and contexts into as few sections as fit 3000 characters. */
function mergeText(blocks: Block[]): Block[] {
  const out: Block[] = [];
  let buffer = "";
  const flush = () => {
    if (buffer) out.push({ type: "section", text: mrkdwn(buffer, SLACK_LIMITS.sectionText) });
    buffer = "";
  };
  for (const block of blocks) {
    if (block.type === "header" || !isTextual(block)) {
      flush();
      out.push(block);
      continue;
    }
    const text = textOf(block);
    if (buffer && buffer.length + 1 + text.length > SLACK_LIMITS.sectionText) flush();
    buffer = buffer ? `${buffer}\n${text}` : text;
  }
  flush();
  return out;
}

/**
 * At most `max` blocks: first without dividers, then with text merged, then cut with a
 * visible "…", keeping the trailing buttons (paging, actions).
 */
export function fitBlocks(blocks: Block[], max: number): Block[] {
  if (blocks.length <= max) return blocks;
  let out: Block[] = blocks.filter((b) => b.type !== "divider");
  if (out.length > max) out = mergeText(out);
  if (out.length > max) {
    let tailStart = out.length;
    while (tailStart > 0 && out[tailStart - 1]?.type === "actions" && out.length - tailStart < 2) tailStart--;
    const tail = out.slice(tailStart);
    out = [...out.slice(0, max - tail.length - 1), { type: "context", elements: [{ type: "mrkdwn", text: "…" }] }, ...tail];
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Entry points

function buildModal(card: NestedCard, title: string, cx: Context): View {
  const submit = firstSubmit(card);
  const others = (card.actions ?? []).filter((a) => a !== submit);
  const blocks = fitBlocks([...translateElements(card.body ?? [], cx), ...actionBlocks(others, cx)], SLACK_LIMITS.modalBlocks);
  const metadata = submit ? fitJson(submit.data ?? {}, SLACK_LIMITS.privateMetadata) : undefined;
  return {
    type: "modal",
    callback_id: truncate(envelopeName(submit?.data) ?? "card", SLACK_LIMITS.callbackId),
    title: plain(toPlain(title), SLACK_LIMITS.modalTitle),
    ...(submit ? { submit: plain(submit.title, SLACK_LIMITS.modalButton) } : {}),
    ...(cx.options.cancelLabel ? { close: plain(cx.options.cancelLabel, SLACK_LIMITS.modalButton) } : {}),
    ...(metadata ? { private_metadata: metadata } : {}),
    blocks: blocks.length > 0 ? blocks : [{ type: "section", text: mrkdwn(toMrkdwn(title), SLACK_LIMITS.sectionText) }],
  };
}

/** A plain fallback `text`: the card's summary in mrkdwn, at most 3000 characters. */
export function fallbackMrkdwn(card: NestedCard): string {
  return truncateMrkdwn(toMrkdwn(summaryLines(card).join("\n")), SLACK_LIMITS.text);
}

/** An expanded Adaptive Card as a Slack message: blocks, a text fallback, and a modal per ShowCard. */
export function toBlockKit(card: NestedCard, options: BlockKitOptions = {}): BlockKitMessage {
  const cx: Context = { counter: { next: 0 }, modals: {}, options };
  const blocks = [...translateElements(card.body ?? [], cx), ...actionBlocks(card.actions ?? [], cx)];
  return { text: fallbackMrkdwn(card), blocks: fitBlocks(blocks, options.maxBlocks ?? SLACK_LIMITS.messageBlocks), modals: cx.modals };
}

/**
 * A stand-alone form card (form.contact, form.action, form.assign) as a modal: its heading
 * becomes the title, its Action.Submit the submit button and `private_metadata`.
 */
export function toModal(card: NestedCard, options: BlockKitOptions & { title?: string } = {}): View {
  const cx: Context = { counter: { next: 0 }, modals: {}, options };
  const body = card.body ?? [];
  const heading = body.find((el): el is TextBlock => el.type === "TextBlock" && isHeading(el));
  const title = options.title ?? heading?.text ?? firstSubmit(card)?.title ?? "…";
  // The heading moves into the title bar when it fits there (24 characters); else it stays in the body too.
  const moved = !options.title && heading && toPlain(heading.text).trim().length <= SLACK_LIMITS.modalTitle;
  return buildModal({ ...card, body: moved ? body.filter((el) => el !== heading) : body }, title, cx);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
