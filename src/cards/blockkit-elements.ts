/** Card elements → Slack blocks: text, facts, images, containers and columns, inputs. */
import { strongLines, truncate, type CardElement, type ElementType, type TextBlock } from "./adaptive-card.js";
import { actionBlocks, type Context } from "./blockkit-actions.js";
import { SLACK_LIMITS, type Block, type InputBlock, type InputElement, type Option } from "./blockkit-blocks.js";
import { chunk, isTextual, textOf } from "./blockkit-fit.js";
import { mrkdwn, plain, toMrkdwn, toPlain } from "./blockkit-text.js";

type ElementTranslator<T extends ElementType> = (element: Extract<CardElement, { type: T }>, cx: Context) => Block[];

export const isHeading = (el: TextBlock): boolean =>
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

export function translateElements(elements: readonly CardElement[], cx: Context): Block[] {
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

function inputBlock(el: { id: string; label?: string; placeholder?: string; isRequired?: boolean }, element: InputElement): InputBlock {
  return {
    type: "input",
    block_id: truncate(el.id, SLACK_LIMITS.blockId),
    label: plain(el.label ?? el.placeholder ?? el.id, SLACK_LIMITS.inputLabel),
    element,
    optional: !el.isRequired,
  };
}
