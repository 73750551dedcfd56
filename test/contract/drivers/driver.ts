import type { Person } from "./harness.js";

/**
 * What the contract suite needs from a chat, whatever the chat is. Each implementation hides
 * how its chat is driven (signed Slack requests, signed Webex webhooks, the preview's HTTP
 * API) and how it shows things (Block Kit, Adaptive Cards, JSON answers); the behaviours in
 * channel.contract.test.ts are written once against this.
 */

export type ChatName = "slack" | "webex" | "preview";

/** Where a card is shown: a person's own conversation with the bot, or the team's space. */
export type Place = { person: Person } | "team";

export interface Card {
  chat: ChatName;
  place: Place;
  alertId: number;
  /** Everything a reader sees on it, as plain text (the chat's markup decoded). */
  text: string;
  /** The data each button or form on it submits, by action id ("usecase.assign", "contact.update"). */
  submits: Record<string, Record<string, unknown>>;
}

/**
 * What the caller expects to read in an answer: a chat may answer in several messages (Webex:
 * a redrawn card, then the receipt), so a driver waits until the answer so far passes it.
 */
export type Until = (answer: string) => boolean;

/** A click the chat took; `replay` sends the very same request (signed bytes, webhook event) again. */
export interface Click {
  /** What the person who clicked was answered (the receipt), as text. */
  answer: string;
  replay(): Promise<void>;
  /**
   * How many times the bot took this click's delivery (Slack: answers on its response_url;
   * Webex: fetches of its attachment action). Absent where a chat has no delivery id: a
   * repeated preview request is a second click, which the versions on the card answer.
   */
  handled?: () => number;
}

export interface RateLimitControl {
  /** The chat API answers this chat's next redraw of a card (a send by the outbox) at the place with 429 and Retry-After. */
  limitNextSend(retryAfterSeconds: number, place: Place): void;
  /** Every message sent or redrawn at the place (without one: anywhere) so far, in order: its status and when (ms, the fake's clock). */
  sends(place?: Place): { status: number; at: number }[];
  /** What a 429 holds back: the place it was met at (Slack: a channel), or every place (Webex limits the bot). */
  readonly covers: "destination" | "chat";
}

export interface ChatDriver {
  readonly name: ChatName;
  /** The alert's card at the place, once delivered there. */
  delivered(alertId: number, place: Place, timeoutMs?: number): Promise<Card>;
  /** The alert's card at the place as it stands now (redraws included), if there is one. */
  current(alertId: number, place: Place): Promise<Card | undefined>;
  /** The person presses the button of `action` on the card (a direct action, no form). */
  click(person: Person, card: Card, action: string, until?: Until): Promise<Click>;
  /** The same click, but not from the chat (a bad signature, a request from elsewhere): the HTTP status. */
  forgeClick(person: Person, card: Card, action: string): Promise<number>;
  /**
   * The person fills in and submits the form of `action` on the card. The answer as text; a
   * refused value reads "<the field's label as shown>: <why>", as the chat shows it by the field.
   */
  submitForm(person: Person, card: Card, action: string, inputs: Record<string, string>, until?: Until): Promise<string>;
  /** The person writes to the bot; the bot's answer as text. */
  say(person: Person, text: string, until?: Until): Promise<string>;
  /** How the chat's API rate limits are exercised, or why they cannot be. */
  readonly rateLimit: RateLimitControl | { skip: string };
  /** Whether the chat reports a user's own locale (Slack does, in users.info), or why not. */
  readonly platformLocale: true | { skip: string };
}

/** The alert a card's actions are about: the assign button carries it as `al`, the alert's own actions as `id`. */
export function alertIdOf(submits: Iterable<Record<string, unknown>>): number | undefined {
  for (const data of submits) {
    if (data.a === "usecase.assign" && typeof data.al === "number") return data.al;
    if ((data.a === "rec.act" || data.a === "alert.snooze") && typeof data.id === "number") return data.id;
  }
  return undefined;
}

/** Every string a reader sees in an Adaptive Card (texts, titles, fact values, labels), not the data behind buttons. */
export function adaptiveText(card: unknown): string {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key === "data" || key === "url" || key === "id") continue;
        if (typeof value === "string" && ["text", "title", "value", "label", "placeholder", "fallbackText"].includes(key)) out.push(value);
        else visit(value);
      }
    }
  };
  visit(card);
  // Escaping puts invisible joiners around markup characters of data: a reader does not see them.
  return out.join("\n").replace(/\u2060/g, "");
}

/** Every Action.Submit's data in an Adaptive Card, nested cards (ShowCard forms) included. */
export function adaptiveSubmits(card: unknown): Record<string, Record<string, unknown>> {
  const found: Record<string, Record<string, unknown>> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      const data = record.data as Record<string, unknown> | undefined;
      if (record.type === "Action.Submit" && data && typeof data.a === "string" && !(data.a in found)) found[data.a] = { ...data };
      Object.values(record).forEach(visit);
    }
  };
  visit(card);
  return found;
}

/** The label of an input of an Adaptive Card, by its id. */
export function adaptiveLabel(card: unknown, inputId: string): string | undefined {
  let label: string | undefined;
  const visit = (node: unknown): void => {
    if (label !== undefined) return;
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (record.id === inputId && typeof record.type === "string" && record.type.startsWith("Input.") && typeof record.label === "string") label = record.label;
      else Object.values(record).forEach(visit);
    }
  };
  visit(card);
  return label;
}
