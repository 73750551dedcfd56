import { setTimeout as delay } from "node:timers/promises";
import { queryContext, type ConversationDeps } from "../../actions/context.js";
import { fallbackText, renderCard } from "../../cards/render.js";
import { alertCardName } from "../../protocol/views.js";
import type { Locale } from "../../config.js";
import type { Logger } from "../../log.js";
import { alertView } from "../../queries/queries.js";
import type { ChannelPort } from "../../protocol/port.js";
import { readersOn } from "../../delivery/readers.js";

/** A Slack message showing an alert card, and the reader it was rendered for. */
export interface AlertMessage {
  channel: string;
  ts: string;
  locale: Locale;
  timeZone: string;
}

/** A single short wait on a 429 is worth it here: a person is looking at the card. */
const MAX_INLINE_RETRY_MS = 5_000;

/**
 * "Cards never go stale": every Slack message that shows an alert is rewritten with
 * `chat.update` to the alert's current state and who acted. The messages are the ones the
 * outbox delivered (their channel and ts are on the outbox row) plus the one clicked.
 */
export function createAlertRefresher(deps: ConversationDeps, port: ChannelPort, log: Logger) {
  const { partner } = deps.config;

  async function deliveredMessages(alertId: number): Promise<AlertMessage[]> {
    const rows = await deps.db.prisma.outboxMessage.findMany({
      where: { channel: "slack", alertId, status: "sent", kind: { in: ["alert", "reminder"] }, externalId: { not: null }, conversationId: { not: null } },
      select: { externalId: true, conversationId: true, csmId: true },
    });
    const csmIds = [...new Set(rows.flatMap((r) => (r.csmId === null ? [] : [r.csmId])))];
    const readers = await readersOn(deps.db.pool, "slack", csmIds, partner);
    return rows.map((row) => {
      const reader = row.csmId === null ? undefined : readers.get(row.csmId);
      return { channel: row.conversationId!, ts: row.externalId!, locale: reader?.locale ?? partner.defaultLocale, timeZone: reader?.timeZone ?? partner.timeZone };
    });
  }

  async function replace(message: AlertMessage, card: ReturnType<typeof renderCard>): Promise<void> {
    const outgoing = { card, fallbackText: fallbackText(card) };
    const first = await port.replace(message.channel, message.ts, outgoing);
    let outcome = first;
    if (!first.ok && first.retryable && first.retryAfterMs !== undefined && first.retryAfterMs <= MAX_INLINE_RETRY_MS) {
      await delay(first.retryAfterMs);
      outcome = await port.replace(message.channel, message.ts, outgoing);
    }
    if (!outcome.ok) log.warn({ channel: message.channel, ts: message.ts, reason: outcome.reason }, "slack: could not rewrite an alert card to its new state");
  }

  /** Rewrites every Slack message of the alert; `clicked` is the message the action came from, if not delivered by the outbox. */
  return async function refreshAlert(alertId: number, clicked?: AlertMessage): Promise<void> {
    const view = await alertView(queryContext(deps), alertId);
    if (!view) return;
    const messages = await deliveredMessages(alertId);
    if (clicked && !messages.some((m) => m.channel === clicked.channel && m.ts === clicked.ts)) messages.push(clicked);
    const cards = new Map<string, ReturnType<typeof renderCard>>();
    for (const message of messages) {
      const key = `${message.locale}|${message.timeZone}`;
      let card = cards.get(key);
      if (!card) {
        card = renderCard(alertCardName(view.kind), view, { locale: message.locale, timeZone: message.timeZone, now: deps.now() });
        cards.set(key, card);
      }
      await replace(message, card);
    }
  };
}

export type AlertRefresher = ReturnType<typeof createAlertRefresher>;
