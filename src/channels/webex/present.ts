import { setTimeout as delay } from "node:timers/promises";
import { queryContext, type ConversationDeps } from "../../actions/context.js";
import type { AnyCard, Outcome } from "../../protocol/effects.js";
import type { AdaptiveCard } from "../../cards/adaptive-card.js";
import { fallbackText, renderCard, type RenderContext } from "../../cards/render.js";
import { alertCardName, type Message } from "../../protocol/views.js";
import type { Locale } from "../../config.js";
import type { MessageKey } from "../../i18n.js";
import type { Logger } from "../../log.js";
import { alertView } from "../../queries/queries.js";
import type { OutgoingMessage } from "../../protocol/port.js";
import { readersOn } from "../../delivery/readers.js";
import { postCard, replaceMessage, sendFailure, statusOf, type Messages, type Where } from "./messages.js";
import type { WebexMessage } from "./sdk.js";

/**
 * Effects → Webex messages. Replies go to the space the person wrote in (in a thread in
 * group spaces), rendered in the Outcome's language. An alert that changed is shown anew
 * wherever a card of it was delivered (the outbox rows) and where it was clicked: Webex
 * cannot edit a message with a card, so each is reposted in its place and thread and the
 * old one deleted; the outbox row then points at the new message.
 */

/** The label a form field has on the cards, for "fieldErrors" replies. */
const FIELD_LABELS: Record<string, MessageKey> = {
  email: "cards.label.email",
  name: "cards.label.contactName",
  slot: "cards.label.slot",
  act: "cards.label.actionField",
  comment: "cards.label.comment",
  to: "cards.label.assignTo",
  days: "cards.label.snoozeFor",
};

/** A card that is on screen somewhere and shows an alert, and the reader it is rendered for. */
export interface ShownAlertCard {
  message: WebexMessage;
  locale: Locale;
  timeZone: string;
}

/** The cards to answer with: replies, and each field error as a notice naming the field (said once, not twice). */
export function replyCards(outcome: Outcome): AnyCard[] {
  const fieldMessages: Message[] = [];
  const cards: AnyCard[] = [];
  for (const effect of outcome.effects) {
    if (effect.type !== "fieldErrors") continue;
    for (const [field, message] of Object.entries(effect.errors)) {
      fieldMessages.push(message);
      const label = FIELD_LABELS[field];
      cards.push({ card: "notice", view: { tone: "error", title: label ? { key: label } : { text: field }, text: message } });
    }
  }
  const said = new Set(fieldMessages.map((m) => JSON.stringify(m)));
  for (const effect of outcome.effects) {
    if (effect.type !== "reply") continue;
    if (effect.card.card === "notice" && said.has(JSON.stringify(effect.card.view.text))) continue;
    cards.push(effect.card);
  }
  return cards;
}

export function refreshedAlertIds(outcome: Outcome): number[] {
  return [...new Set(outcome.effects.flatMap((e) => (e.type === "refreshAlert" ? [e.alertId] : [])))];
}

export function render(card: AnyCard, ctx: RenderContext): OutgoingMessage {
  const rendered: AdaptiveCard = renderCard(card.card, card.view, ctx);
  return { card: rendered, fallbackText: fallbackText(rendered) };
}

/** A short wait is worth it while a person looks at the space; longer ones are given up (and logged). */
const MAX_INLINE_WAIT_MS = 10_000;
const ATTEMPTS = 3;

async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const failure = sendFailure(error);
      const wait = failure.retryAfterMs ?? 500 * 3 ** (attempt - 1);
      if (!failure.retryable || attempt >= ATTEMPTS || wait > MAX_INLINE_WAIT_MS) throw error;
      await delay(wait);
    }
  }
}

export function createPresenter(options: { deps: ConversationDeps; messages: () => Messages; log: Logger }) {
  const { deps, log } = options;
  const { prisma } = deps.db;
  const { partner } = deps.config;

  /** Posts the reply cards of an outcome, in order, in its reader's language. */
  async function reply(outcome: Outcome, where: Where): Promise<void> {
    const ctx = { locale: outcome.locale, timeZone: outcome.timeZone, now: deps.now() };
    for (const card of replyCards(outcome)) {
      const message = render(card, ctx);
      try {
        await withRetries(() => postCard(options.messages(), where, message));
      } catch (error) {
        log.error({ err: error, card: card.card, reason: sendFailure(error).reason }, "webex: could not post a reply");
      }
    }
  }

  /** The Webex messages the outbox delivered with this alert's card, and their readers. */
  async function deliveredCards(alertId: number) {
    const rows = await prisma.outboxMessage.findMany({
      where: { channel: "webex", alertId, status: "sent", kind: { in: ["alert", "reminder"] }, externalId: { not: null }, conversationId: { not: null } },
      select: { id: true, externalId: true, conversationId: true, csmId: true },
    });
    const csmIds = [...new Set(rows.flatMap((r) => (r.csmId === null ? [] : [r.csmId])))];
    const readers = await readersOn(deps.db.pool, "webex", csmIds, partner);
    return rows.map((row) => {
      const reader = row.csmId === null ? undefined : readers.get(row.csmId);
      return {
        rowId: row.id,
        messageId: row.externalId!,
        roomId: row.conversationId!,
        locale: reader?.locale ?? partner.defaultLocale,
        timeZone: reader?.timeZone ?? partner.timeZone,
      };
    });
  }

  /**
   * Shows the alert's current state on every Webex card of it: those the outbox delivered
   * and `clicked`. Returns the message that now stands where `clicked` was.
   */
  async function refreshAlert(alertId: number, clicked?: ShownAlertCard): Promise<WebexMessage | undefined> {
    const view = await alertView(queryContext(deps), alertId);
    if (!view) return undefined;
    const messages = options.messages();
    const targets: { rowId?: bigint; messageId: string; roomId: string; locale: Locale; timeZone: string; message?: WebexMessage }[] = await deliveredCards(alertId);
    if (clicked) {
      const same = targets.find((t) => t.messageId === clicked.message.id);
      if (same) same.message = clicked.message;
      else targets.push({ messageId: clicked.message.id, roomId: clicked.message.roomId, locale: clicked.locale, timeZone: clicked.timeZone, message: clicked.message });
    }
    const rendered = new Map<string, OutgoingMessage>();
    let replacedClicked: WebexMessage | undefined;
    for (const target of targets) {
      const key = `${target.locale}|${target.timeZone}`;
      let outgoing = rendered.get(key);
      if (!outgoing) {
        outgoing = render({ card: alertCardName(view.kind), view }, { locale: target.locale, timeZone: target.timeZone, now: deps.now() });
        rendered.set(key, outgoing);
      }
      try {
        const old = target.message ?? (await withRetries(() => messages.get(target.messageId)));
        const replaced = await withRetries(() => replaceMessage(messages, old, outgoing));
        if (replaced.deleteError) log.warn({ err: replaced.deleteError, messageId: old.id }, "webex: posted the new alert card but could not delete the old one");
        if (target.rowId !== undefined) {
          // Only if nobody moved the row on meanwhile: the newest card is the one to replace next time.
          await prisma.outboxMessage.updateMany({ where: { id: target.rowId, externalId: old.id }, data: { externalId: replaced.message.id, conversationId: replaced.message.roomId } });
        }
        if (clicked && old.id === clicked.message.id) replacedClicked = replaced.message;
      } catch (error) {
        if (statusOf(error) === 404) log.info({ alertId, messageId: target.messageId }, "webex: an alert card to refresh is gone already");
        else log.warn({ err: error, alertId, messageId: target.messageId, reason: sendFailure(error).reason }, "webex: could not show an alert card's new state");
      }
    }
    return replacedClicked;
  }

  return { reply, refreshAlert };
}

export type Presenter = ReturnType<typeof createPresenter>;
