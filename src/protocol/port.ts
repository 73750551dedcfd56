import type { AdaptiveCard } from "./adaptive-card.js";
import type { SendChat } from "./chats.js";
import type { ReceiptOutcome } from "./views.js";

/**
 * What the delivery side asks of a chat platform. Webex and Slack each implement it in
 * src/channels/<name>/; the outbox dispatcher (src/delivery/) only speaks this.
 */
export interface OutgoingMessage {
  /** The expanded Adaptive Card, already in the recipient's language (Slack translates it to Block Kit). */
  card: AdaptiveCard;
  /** Markdown fallback for clients that show no card (Webex `markdown`, Slack `text`). */
  fallbackText: string;
  /**
   * In the thread of a card sent before (`parentId`: its id, in `conversationId`): Slack
   * `thread_ts`, Webex `parentId`. On `replace`, it says the card heads a thread the new
   * state must stay with (Webex reposts rather than edits).
   */
  thread?: { conversationId: string; parentId: string };
  /**
   * A file posted right after the card, in the same conversation (the weekly team report's
   * chart): Slack files.uploadV2 into the channel, Webex a message with the file attached.
   * `comment` is the bot's own words in the reader's language.
   */
  attachment?: { name: string; mediaType: string; bytes: Uint8Array; comment: string };
}

/** Where a message goes: a CSM's 1:1 space / DM, or a team room / channel. */
export type Destination =
  | { kind: "csm"; csmId: number; email: string; chatUserId: string | null }
  | { kind: "room"; address: string };

export type SendOutcome =
  /** `externalId`: the message id (Webex) or ts (Slack); `conversationId`: the roomId / channel id. */
  | { ok: true; externalId: string; conversationId: string }
  /**
   * `retryable: false` for permanent failures (channel not found, bot removed, user
   * deactivated): not retried, marked with the reason. `retryAfterMs` from a 429's Retry-After;
   * `retryAfterCovers`: what that limit holds back, the destination (default) or every message
   * on the chat (Webex limits the bot's token, not a space).
   */
  | { ok: false; retryable: boolean; retryAfterMs?: number; retryAfterCovers?: "destination" | "chat"; reason: string };

export interface ChannelPort {
  readonly channel: SendChat;
  send(to: Destination, message: OutgoingMessage): Promise<SendOutcome>;
  /**
   * Shows a new state of a message sent before, so nobody acts on a stale card. Slack:
   * chat.update in place. Webex cannot edit a message with a card: delete and repost (in
   * the same thread). The outcome carries the id of the message that now shows it.
   */
  replace(conversationId: string, externalId: string, message: OutgoingMessage): Promise<SendOutcome>;
  /**
   * Shows the message as the CSM's own Home page (Slack: views.publish of the App Home).
   * Only chats with a Home have it (`home: true` in src/protocol/chats.ts).
   */
  publishHome?(to: Extract<Destination, { kind: "csm" }>, message: OutgoingMessage): Promise<SendOutcome>;
}

/**
 * The card a click or form submit came from, as the chat reports it: which message, which
 * alert it shows (if any), and whether a team reads it (a group space or channel) or only
 * the person (their 1:1 space or DM with the bot).
 */
export interface ClickedCard {
  conversationId: string;
  externalId: string;
  alertId?: number;
  shared: boolean;
  /**
   * The chat answers the click under this card (its thread): the card must keep that thread
   * when it is redrawn. Webex, which cannot edit a card, then keeps it in place and shows its
   * new state inside the thread instead of reposting it (which would orphan the answer).
   */
  threaded?: boolean;
}

/** A card on screen somewhere, to redraw: the message, its chat, and who reads it (an outbox destination). */
export interface ShownCard {
  chat: SendChat;
  conversationId: string;
  externalId: string;
  alertId?: number;
  /** "csm:<id>" for a person's own space, else the room address, as on outbox rows. */
  destination: string;
  csmId: number | null;
  /** An answer was put in the card's thread: see ClickedCard.threaded. */
  threaded?: boolean;
}

/**
 * What an action changed on an alert, told in the thread of its cards in the other chats
 * ("assigned to Anna by Anna in Webex"): the chat it was done in, who, and the receipt's outcome.
 */
export interface AlertChange {
  chat: string;
  actorName: string;
  outcome: ReceiptOutcome;
}
