import type { Block, BlockKitMessage, Button, InputBlock, Option, TextObject, View } from "../../cards/blockkit.js";
import type { Translate } from "../../i18n.js";
import { escapeHtml, html, raw, safeHref, type SafeHtml } from "./html.js";

/**
 * Block Kit as readable HTML, next to the Adaptive Card, so the differences between the two
 * renderings are visible: sections and their fields, headers, context, buttons (with the
 * modal a button opens), inputs. A look, not a working Slack: buttons do nothing here, and
 * images are named, not loaded (the preview never reaches the internet).
 */

const LINK = /<([^<>|]+)(?:\|([^<>]*))?>/g;

/** Slack's entity-escaped text back to plain text. */
const unescapeSlack = (text: string): string => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** Emphasis of already-escaped text: *bold*, _italic_, ~strike~, `code`, line breaks. */
function emphasis(escaped: string): string {
  return escaped
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?!\w)/g, "$1<strong>$2</strong>")
    .replace(/(^|[^\w_])_(?!\s)([^_\n]+?)_(?!\w)/g, "$1<em>$2</em>")
    .replace(/(^|[^\w~])~(?!\s)([^~\n]+?)~(?!\w)/g, "$1<del>$2</del>")
    .replace(/\n/g, "<br>");
}

/** A literal character of data in mrkdwn (src/cards/escape.ts `escapeMrkdwn`): joiner, character or `&gt;`, joiner. */
const LITERAL = /\u2060(&gt;|[^\u2060])\u2060/gu;

/**
 * Slack mrkdwn → HTML: `<url|text>` links, emphasis, line breaks; everything else escaped.
 * Data's literal characters are taken out first and put back as text, so they format nothing
 * here either (as in Slack).
 */
export function mrkdwnToHtml(source: string): SafeHtml {
  const literals: string[] = [];
  const text = source.replace(LITERAL, (_match, c: string) => {
    literals.push(unescapeSlack(c));
    return `\u0003${literals.length - 1}\u0004`;
  });
  // Links become tokens first, so emphasis around a link (*<url|name>*) applies to it whole.
  const links: string[] = [];
  const tokenised = text.replace(LINK, (_match, target: string, label: string | undefined) => {
    const url = unescapeSlack(target);
    const inner = emphasis(escapeHtml(unescapeSlack(label ?? target)));
    const href = safeHref(url);
    links.push(href ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${inner}</a>` : inner);
    return `\u0001${links.length - 1}\u0002`;
  });
  return raw(
    emphasis(escapeHtml(unescapeSlack(tokenised)))
      .replace(/\u0001(\d+)\u0002/g, (_match, i: string) => links[Number(i)] ?? "")
      .replace(/\u0003(\d+)\u0004/g, (_match, i: string) => escapeHtml(literals[Number(i)] ?? "")),
  );
}

const textHtml = (text: TextObject): SafeHtml => (text.type === "mrkdwn" ? mrkdwnToHtml(text.text) : html`${text.text}`);

interface Context {
  t: Translate;
  modals: Record<string, View>;
}

type BlockRenderer<T extends Block["type"]> = (block: Extract<Block, { type: T }>, cx: Context) => SafeHtml;

const BLOCKS: { [T in Block["type"]]: BlockRenderer<T> } = {
  header: (b) => html`<div class="sk-block sk-header">${b.text.text}</div>`,
  section: (b) =>
    html`<div class="sk-block sk-section">${b.text ? html`<div class="sk-text">${textHtml(b.text)}</div>` : ""}${
      b.fields?.length ? html`<div class="sk-fields">${b.fields.map((f) => html`<div class="sk-field">${textHtml(f)}</div>`)}</div>` : ""
    }</div>`,
  context: (b) => html`<div class="sk-block sk-context">${b.elements.map((e) => html`<span>${textHtml(e)}</span>`)}</div>`,
  divider: () => html`<hr class="sk-block sk-divider">`,
  image: (b) => html`<div class="sk-block sk-image" title="${b.image_url}">🖼 ${b.alt_text}</div>`,
  actions: (b, cx) => html`<div class="sk-block sk-actions">${b.elements.map((e) => buttonHtml(e, cx))}</div>`,
  input: (b, cx) => inputHtml(b, cx),
};

function buttonHtml(button: Button, cx: Context): SafeHtml {
  const style = button.style ? ` sk-button-${button.style}` : "";
  const modal = cx.modals[button.action_id];
  const label = html`<span class="sk-button${raw(style)}" title="${button.url ?? button.action_id}">${button.text.text}${button.url ? " ↗" : ""}</span>`;
  if (!modal) return label;
  return html`<details class="sk-opens"><summary>${label} <small>${cx.t("preview.pane.opensModal")}</small></summary>${modalHtml(modal, cx)}</details>`;
}

const optionsHtml = (options: Option[], initial?: Option): SafeHtml[] =>
  options.map((o) => html`<option value="${o.value}"${o.value === initial?.value ? raw(" selected") : ""}>${o.text.text}</option>`);

function inputHtml(block: InputBlock, cx: Context): SafeHtml {
  const el = block.element;
  const optional = block.optional ? html` <small class="sk-optional">(${cx.t("preview.pane.optional")})</small>` : "";
  let control: SafeHtml;
  switch (el.type) {
    case "plain_text_input":
    case "email_text_input":
      control = el.type === "plain_text_input" && el.multiline
        ? html`<textarea disabled rows="3" placeholder="${el.placeholder?.text ?? ""}">${el.initial_value ?? ""}</textarea>`
        : html`<input disabled type="${el.type === "email_text_input" ? "email" : "text"}" placeholder="${el.placeholder?.text ?? ""}" value="${el.initial_value ?? ""}">`;
      break;
    case "static_select":
    case "multi_static_select":
      control = html`<select disabled${el.type === "multi_static_select" ? raw(" multiple") : ""}>${
        el.initial_option ? "" : html`<option>${el.placeholder?.text ?? "…"}</option>`
      }${optionsHtml(el.options, el.initial_option)}</select>`;
      break;
    case "radio_buttons":
      control = html`<div class="sk-radios">${el.options.map(
        (o) => html`<label><input type="radio" disabled${o.value === el.initial_option?.value ? raw(" checked") : ""}> ${o.text.text}</label>`,
      )}</div>`;
      break;
  }
  return html`<div class="sk-block sk-input" data-block-id="${block.block_id}"><div class="sk-label">${block.label.text}${optional}</div>${control}</div>`;
}

function blocksHtml(blocks: readonly Block[], cx: Context): SafeHtml[] {
  return blocks.map((block) => (BLOCKS[block.type] as BlockRenderer<Block["type"]>)(block as never, cx));
}

function modalHtml(view: View, cx: Context): SafeHtml {
  return html`<div class="sk-modal" data-callback-id="${view.callback_id}">
    <div class="sk-modal-title">${cx.t("preview.pane.modal", { title: view.title.text })}</div>
    ${blocksHtml(view.blocks, cx)}
    <div class="sk-modal-footer">${view.close ? html`<span class="sk-button">${view.close.text}</span>` : ""}${
      view.submit ? html`<span class="sk-button sk-button-primary">${view.submit.text}</span>` : ""
    }</div>
  </div>`;
}

/** A Slack message: its blocks, each button's modal, and the notification text. */
export function slackMessageHtml(message: BlockKitMessage, t: Translate): SafeHtml {
  const cx: Context = { t, modals: message.modals };
  return html`<div class="sk-message">${blocksHtml(message.blocks, cx)}<div class="sk-fallback" title="${t("preview.pane.fallback")}">${t("preview.pane.fallback")}: ${message.text}</div></div>`;
}

/** A stand-alone form, as the modal Slack opens for it. */
export function slackModalHtml(view: View, t: Translate): SafeHtml {
  return html`<div class="sk-message sk-as-modal">${modalHtml(view, { t, modals: {} })}</div>`;
}
