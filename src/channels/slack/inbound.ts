import type { BlockAction } from "@slack/bolt";
import type { ClickedCard } from "../../protocol/port.js";
import { FORM_ACTIONS, shownAlert, type FormAction } from "../../protocol/envelope.js";
import type { ButtonData, MessageSource } from "./modals.js";
import { stripMention } from "../../commands/parse.js";
import { decodeSlackText } from "./text.js";

/**
 * Slack payloads → what the pipeline takes: a command text, an envelope, and the card a
 * click came from. Nothing here calls Slack or the database.
 */

export type ButtonKind = "link" | "form" | "submit";

/**
 * blockkit.ts names buttons `url.N` (links), `modal.<action>.N` (forms) and `<action>.N`
 * (submits); a `form.open.N` submit (the Home page's form buttons) opens its form too.
 */
export const buttonKind = (actionId: string): ButtonKind =>
  actionId.startsWith("url.") ? "link" : actionId.startsWith("modal.") || actionId.startsWith("form.open.") ? "form" : "submit";

/** A Home page's form button names its form with `form.open` (cards/home.json): read as that form's own button. */
export function formButton(data: ButtonData | undefined): ButtonData | undefined {
  if (data?.a !== "form.open") return data;
  const { f, ...rest } = data as ButtonData & { f?: unknown };
  return (FORM_ACTIONS as readonly unknown[]).includes(f) ? { ...rest, a: f as FormAction } : undefined;
}

/** The alert card a click came from: a message everyone in the conversation sees (not ephemeral), and the alert its buttons act on. */
export function clickedAlertMessage(body: BlockAction): MessageSource | undefined {
  const container = body.container as { type?: string; is_ephemeral?: boolean; channel_id?: string; message_ts?: string; thread_ts?: string };
  const channel = container.channel_id ?? body.channel?.id;
  const ts = container.message_ts ?? body.message?.ts;
  if (container.type !== "message" || container.is_ephemeral || !channel || !ts) return undefined;
  const root = container.thread_ts ?? (body.message as { thread_ts?: string } | undefined)?.thread_ts;
  const inThread = root && root !== ts ? { h: root } : {};
  const blocks = (body.message?.blocks ?? []) as { type?: string; elements?: { value?: string }[] }[];
  const buttons = blocks.filter((b) => b.type === "actions").flatMap((b) => (b.elements ?? []).map((e) => parseJson(e.value)));
  // A summary lists several alerts: the one clicked is the one its redraw answers first.
  const shown = shownAlert(buttons, parseJson((body.actions?.[0] as { value?: string } | undefined)?.value));
  return { c: channel, t: ts, ...(shown ? { a: shown.alertId } : {}), ...inThread };
}

/**
 * Where the answer to a click on an alert card goes: the thread of that card (its root, when
 * the card is itself a reply), with the receipts and reminders about the alert. Undefined for
 * any other message (a list, an ephemeral answer): that answer stays where it was.
 */
export function cardThread(source: MessageSource | undefined): { channel: string; threadTs: string } | undefined {
  return source?.a !== undefined ? { channel: source.c, threadTs: source.h ?? source.t } : undefined;
}

/** The clicked message as the pipeline's redraw needs it: a DM (D…) is the person's own, any other conversation is shared. */
export function clickedCard(source: MessageSource | undefined): ClickedCard | undefined {
  if (!source) return undefined;
  return { conversationId: source.c, externalId: source.t, ...(source.a !== undefined ? { alertId: source.a } : {}), shared: !source.c.startsWith("D") };
}

/** A button value: our envelopes are JSON; anything else goes on as text, for the pipeline to call malformed. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A form button's click as the pipeline's request to open that form: `form.open` for the action the button names. */
export function formOpening(data: ButtonData): { v: 1; a: "form.open"; id: number; f: FormAction; ev?: number; slot?: number } | undefined {
  if (!(FORM_ACTIONS as readonly string[]).includes(data.a)) return undefined;
  return { v: 1, a: "form.open", id: data.id, f: data.a as FormAction, ...(data.ev !== undefined ? { ev: data.ev } : {}), ...(data.slot !== undefined ? { slot: data.slot } : {}) };
}

/** A mention in the DM with the bot: the DM's `message` listener answers it already. */
export const inDirectMessage = (event: { channel: string; channel_type?: string }): boolean => event.channel_type === "im" || event.channel.startsWith("D");

/**
 * The command in a mention of the bot: its text without the bot's own `<@U…>`, wherever it
 * stands, and Slack's formatting undone. Other people's mentions stay, as arguments
 * (`assign DEP1 to <@U1|anna>`).
 */
export function mentionText(text: string, botUserId: string | undefined): string {
  // Without the bot's id (auth.test failed), the leading mention is taken to be the bot's.
  const own = botUserId ? text.replace(new RegExp(`<@${botUserId.replace(/[^A-Za-z0-9]/g, "")}(?:\\|[^>]*)?>`, "g"), " ").replace(/\s+/g, " ").replace(/^[\s,:;.!]+/u, "").trim() : stripMention(text, []);
  return decodeSlackText(own);
}

/** Where the answer to a mention goes: the thread it was written in, else a new thread under it. */
export const threadOf = (event: { ts: string; thread_ts?: string }): string => event.thread_ts ?? event.ts;
