/** Card actions → Slack buttons: their action ids and values, and the modal a ShowCard button opens. */
import { truncate, type ActionType, type CardAction, type NestedCard, type SubmitAction } from "./adaptive-card.js";
import { SLACK_LIMITS, type Block, type BlockKitOptions, type Button, type View } from "./blockkit-blocks.js";
import { chunk } from "./blockkit-fit.js";
import { plain } from "./blockkit-text.js";

/** One translation of a card (and of the modals its buttons open). */
export interface Context {
  /** Running number of the buttons, for unique action ids. */
  counter: { next: number };
  modals: Record<string, View>;
  options: BlockKitOptions;
  /** A ShowCard's modal, translated in this same context (blockkit-modals.ts supplies it: it imports this module). */
  buildModal: (card: NestedCard, title: string) => View;
}

type ActionTranslator<T extends ActionType> = (action: Extract<CardAction, { type: T }>, cx: Context) => Button;

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
    cx.modals[id] = cx.buildModal(action.card, action.title);
    const value = submit ? fitJson(submit.data ?? {}, SLACK_LIMITS.buttonValue) : undefined;
    return button(action.title, id, { ...(value ? { value } : {}), ...buttonStyle(action.style) });
  },
};

export function actionBlocks(actions: readonly CardAction[], cx: Context): Block[] {
  const buttons = actions.flatMap((action) => {
    const translate = ACTIONS[action.type] as ActionTranslator<ActionType> | undefined;
    return translate ? [translate(action as never, cx)] : [];
  });
  return chunk(buttons, SLACK_LIMITS.actionsElements).map((elements) => ({ type: "actions", elements }));
}

function button(title: string, action_id: string, rest: Partial<Button>): Button {
  return { type: "button", text: plain(title, SLACK_LIMITS.buttonText), action_id, ...rest };
}

const buttonStyle = (style: CardAction["style"]): Partial<Button> =>
  style === "positive" ? { style: "primary" } : style === "destructive" ? { style: "danger" } : {};

const actionId = (id: string): string => truncate(id, SLACK_LIMITS.actionId);

export const envelopeName = (data: Record<string, unknown> | undefined): string | undefined => (typeof data?.a === "string" ? data.a : undefined);

export function firstSubmit(card: NestedCard): SubmitAction | undefined {
  return (card.actions ?? []).find((a): a is SubmitAction => a.type === "Action.Submit");
}

/** JSON of `data` within `max` characters: the longest strings are shortened with "…" if needed; undefined if it cannot fit. */
export function fitJson(data: Record<string, unknown>, max: number): string | undefined {
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
