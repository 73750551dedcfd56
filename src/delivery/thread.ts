import type pg from "pg";
import type { Queryable } from "../db/sql.js";
import type { ShownCard } from "../protocol/port.js";
import { CHAT_REGISTRY, type ChatName } from "../protocol/chats.js";
import type { AnyCard } from "../protocol/effects.js";
import type { AlertChange } from "../protocol/port.js";
import type { AlertView, Message, ReceiptOutcome } from "../protocol/views.js";
import type { MessageKey, NestedMessage } from "../i18n.js";
import { isCard, type ClaimedRow } from "./store-rows.js";

/**
 * Follow-ups about an alert go in the thread of its card, so a busy channel keeps one
 * customer's story together. A row sent in a thread carries `threadOf` (the card's outbox
 * row) in its payload: it is a reply, not a card, so redraws and the refresh chain skip it.
 */

/** A card of the alert the outbox sent to this destination on this chat, with its current ids. */
export interface SentCard {
  rowId: number;
  externalId: string;
  conversationId: string;
}


export async function sentCardOf(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "channel" | "destination" | "alertId">): Promise<SentCard | null> {
  if (row.alertId === null) return null;
  // markRefreshed keeps the original row's ids current, so the latest card row names the message on screen.
  const { rows } = await pool.query<{ id: number; external_id: string; conversation_id: string }>(
    `SELECT id, external_id, conversation_id FROM outbox_message
     WHERE alert_id = $1 AND channel = $2::"ChatChannel" AND destination = $3 AND kind IN ('alert', 'reminder') AND status = 'sent'
       AND external_id IS NOT NULL AND conversation_id IS NOT NULL AND id <> $4 AND ${isCard()}
     ORDER BY id DESC LIMIT 1`,
    [row.alertId, row.channel, row.destination, row.id],
  );
  const card = rows[0];
  return card ? { rowId: card.id, externalId: card.external_id, conversationId: card.conversation_id } : null;
}

/** Marks the row as a reply in the card's thread, before it is sent: a retry finds it so too. */
export async function markInThreadOf(pool: pg.Pool, rowId: number, card: SentCard): Promise<void> {
  await pool.query(`UPDATE outbox_message SET payload = (payload::jsonb || jsonb_build_object('threadOf', $2::int))::json WHERE id = $1`, [rowId, card.rowId]);
}

/** The card row's current ids: a reply written before a redraw goes under the card as it is now. */
export async function cardRow(pool: pg.Pool, rowId: number): Promise<SentCard | null> {
  const { rows } = await pool.query<{ id: number; external_id: string | null; conversation_id: string | null; status: string }>(
    `SELECT id, external_id, conversation_id, status::text AS status FROM outbox_message WHERE id = $1`,
    [rowId],
  );
  const card = rows[0];
  return card && card.status === "sent" && card.external_id && card.conversation_id ? { rowId: card.id, externalId: card.external_id, conversationId: card.conversation_id } : null;
}

/** The card row a reply belongs under (payload `threadOf`), if it names one. */
export function threadOfPayload(payload: unknown): number | null {
  const id = (payload as { threadOf?: unknown } | null)?.threadOf;
  return typeof id === "number" && Number.isInteger(id) && id > 0 ? id : null;
}

/**
 * Whether the card row heads a thread (Webex must then keep the card in place): the outbox
 * posted replies under it, or a chat answered a click under it (`threaded`, markThreaded).
 */
export async function hasThread(pool: pg.Pool, alertId: number, cardRowId: number): Promise<boolean> {
  // By alert first (indexed): replies carry their card's alert.
  const { rows } = await pool.query<{ yes: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM outbox_message WHERE alert_id = $1 AND status = 'sent' AND payload::jsonb ->> 'threadOf' = $2::text)
         OR EXISTS (SELECT 1 FROM outbox_message WHERE id = $3 AND payload::jsonb ->> 'threaded' = 'true') AS yes`,
    [alertId, String(cardRowId), cardRowId],
  );
  return rows[0]?.yes === true;
}

/**
 * A chat answered a click under this card (a receipt, a refusal, posted at once rather than
 * by the outbox): the card row is marked `threaded`, so every later redraw keeps the thread
 * where those answers are. The card as the outbox sent it; a card that answered a command has
 * no row, and its redraw after the click is told so by its refresh row (`thread`).
 */
export async function markThreaded(db: Queryable, card: Pick<ShownCard, "chat" | "alertId" | "externalId">): Promise<void> {
  if (card.alertId === undefined) return;
  await db.query(
    `UPDATE outbox_message SET payload = (payload::jsonb || jsonb_build_object('threaded', true))::json
     WHERE alert_id = $1 AND channel = $2::"ChatChannel" AND kind IN ('alert', 'reminder') AND status = 'sent' AND external_id = $3
       AND ${isCard()} AND NOT (payload::jsonb ? 'threaded')`,
    [card.alertId, card.chat, card.externalId],
  );
}

/** The card's own redraw after a reply in its thread: "days in stage" as it is now. Once per reply. */
export async function enqueueCardRefresh(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "channel" | "destination" | "csmId" | "alertId">, card: SentCard): Promise<void> {
  await pool.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key)
     VALUES ($1::"ChatChannel", $2, $3, $4, 'refresh', json_build_object('alertId', $4::int, 'externalId', $5::text, 'conversationId', $6::text), 'thread-refresh:' || $7::text)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [row.channel, row.destination, row.csmId, row.alertId, card.externalId, card.conversationId, row.id],
  );
}

/** The short reminder posted under the card: customer, use case, days in stage against the threshold, which reminder. */
export function reminderNotice(view: AlertView, n: number): AnyCard {
  const days = view.facts.daysInStage ?? 0;
  const base = {
    customer: view.customer.name,
    useCase: view.useCase.name,
    days: { key: "cards.unit.days" as const, params: { count: days } },
    stage: { key: `cards.stage.${view.facts.stage}` as const },
  };
  const threshold = view.facts.threshold;
  return {
    card: "notice",
    view: {
      tone: "warning",
      title: { key: "cards.thread.reminderTitle", params: { n } },
      text:
        typeof threshold === "number"
          ? { key: "cards.thread.reminder", params: { ...base, threshold: { key: "cards.unit.days", params: { count: threshold } } } }
          : { key: "cards.thread.reminderNoThreshold", params: base },
    },
  };
}

const OUTCOMES: ReadonlySet<string> = new Set<ReceiptOutcome["key"]>(["assigned", "actionRecorded", "contactUpdated", "contactSavedPending", "assignedPending", "snoozed"]);

/** The changes a refresh row carries (payload `changes`, JSON from the outbox): only well-formed ones. */
export function changesOf(value: unknown): AlertChange[] {
  if (!Array.isArray(value)) return [];
  return value.filter((c): c is AlertChange => {
    const o = (c as { outcome?: { key?: unknown; params?: unknown } } | null)?.outcome;
    return typeof c?.chat === "string" && typeof c.actorName === "string" && typeof o?.key === "string" && OUTCOMES.has(o.key) && typeof o.params === "object" && o.params !== null;
  });
}

/** The receipt's outcome as a message of its own, to be told inside another. */
function outcomeMessage(outcome: ReceiptOutcome): NestedMessage {
  switch (outcome.key) {
    case "assigned":
    case "assignedPending":
      return { key: `cards.receipt.${outcome.key}` as MessageKey, params: { name: outcome.params.name } };
    case "actionRecorded":
      return { key: "cards.receipt.actionRecorded", params: { action: { key: `cards.action.${outcome.params.action}` as MessageKey } } };
    case "contactUpdated":
    case "contactSavedPending":
      return { key: `cards.receipt.${outcome.key}` as MessageKey, params: { email: outcome.params.email } };
    case "snoozed":
      return { key: "cards.receipt.snoozed", params: { count: outcome.params.days } };
    case "noteAdded":
      return { key: "cards.receipt.noteAdded" };
    case "alreadyDone":
      return { key: "cards.receipt.alreadyDone", params: { name: outcome.params.name } };
    case "stale":
      return { key: "cards.receipt.stale" };
  }
}

/** "Customer · use case: Deployment assigned to Anna, by Anna in Webex", as a notice card's payload (its keys, not its words). */
export function changeNotice(change: AlertChange, view: Pick<AlertView, "customer" | "useCase">): { card: "notice"; view: { tone: "info"; title: Message; text: Message } } {
  const chat = CHAT_REGISTRY[change.chat as ChatName]?.title ?? change.chat;
  return {
    card: "notice",
    view: {
      tone: "info",
      title: { key: "cards.thread.changedTitle", params: { chat } },
      text: { key: "cards.thread.changed", params: { customer: view.customer.name, useCase: view.useCase.name, what: outcomeMessage(change.outcome), actor: change.actorName, chat } },
    },
  };
}

/** The notices of a redraw, written once it is sent: in the card's thread, one per change, in order. */
export async function enqueueChangeNotices(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "channel" | "destination" | "csmId" | "alertId">, cardRowId: number, notices: readonly object[]): Promise<void> {
  if (notices.length === 0) return;
  await pool.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key)
     SELECT $1::"ChatChannel", $2, $3, $4, 'notice', (n.payload || jsonb_build_object('threadOf', $5::int))::json, 'change:' || $6::text || ':' || n.k
     FROM unnest($7::jsonb[]) WITH ORDINALITY AS n(payload, k)
     ORDER BY n.k
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [row.channel, row.destination, row.csmId, row.alertId, cardRowId, row.id, notices.map((n) => JSON.stringify(n))],
  );
}
