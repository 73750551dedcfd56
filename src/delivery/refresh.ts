import type { Queryable } from "../db/sql.js";
import type { AlertChange, ShownCard } from "../protocol/port.js";
import { isCard } from "./store-rows.js";
import { markThreaded } from "./thread.js";

/**
 * The one way a card gets redrawn: an alert changed, so every card of it already sent, in
 * every chat, gets a refresh row, which the dispatcher turns into chat.update (Slack) or
 * delete-and-repost (Webex) with the alert as it is then: retried, paced and ordered like
 * any delivery. The card the person clicked goes first (priority 1), whether the outbox
 * sent it or it was an answer to a command; it is written first, so when both name the
 * same message the dispatcher drops the later row as redundant.
 *
 * `change` (what was done, and in which chat) rides on the refreshes of the cards in the
 * other chats: after the redraw, a short notice in the card's thread says who changed it where.
 */
export async function enqueueRedraws(db: Queryable, alertId: number, clicked?: ShownCard, change?: AlertChange): Promise<number> {
  let written = 0;
  if (clicked && clicked.alertId === alertId) {
    // The answer to the click is in the card's thread: marked before the redraw is written, so every redraw keeps it.
    if (clicked.threaded) await markThreaded(db, clicked);
    const result = await db.query(
      `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key, priority)
       SELECT $2::"ChatChannel", $3, $4, a.id, 'refresh',
              (jsonb_build_object('alertId', a.id, 'externalId', $5::text, 'conversationId', $6::text)
                || CASE WHEN $7::boolean THEN jsonb_build_object('thread', true) ELSE '{}'::jsonb END)::json,
              'redraw:' || $2 || ':' || $5 || ':' || a.version, 1
       FROM alert a WHERE a.id = $1
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [alertId, clicked.chat, clicked.destination, clicked.csmId, clicked.externalId, clicked.conversationId, clicked.threaded === true],
    );
    written += result.rowCount ?? 0;
  }
  const result = await db.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key)
     SELECT o.channel, o.destination, o.csm_id, o.alert_id, 'refresh',
            CASE WHEN $2::jsonb IS NOT NULL AND o.channel::text <> $3 THEN
              (jsonb_build_object('alertId', o.alert_id, 'externalId', o.external_id, 'conversationId', o.conversation_id) || jsonb_build_object('changes', jsonb_build_array($2::jsonb)))::json
            ELSE json_build_object('alertId', o.alert_id, 'externalId', o.external_id, 'conversationId', o.conversation_id) END,
            'refresh:' || o.id || ':' || a.version
     FROM outbox_message o JOIN alert a ON a.id = o.alert_id
     WHERE o.alert_id = $1 AND o.kind IN ('alert', 'reminder') AND o.status = 'sent'
       AND o.external_id IS NOT NULL AND o.conversation_id IS NOT NULL AND o.channel IS NOT NULL
       AND ${isCard("o")}
     ORDER BY o.id
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [alertId, change ? JSON.stringify(change) : null, change?.chat ?? null],
  );
  if (change && change.chat !== "preview") await enqueuePreviewChangeNotices(db, alertId, change);
  return written + (result.rowCount ?? 0) + (await enqueueSummaryRedraws(db, alertId));
}

/**
 * A delivered summary that lists the alert is a redraw target like its card (issue 17): a
 * refresh row names the summary row, and the dispatcher redraws the whole summary as it is
 * then. The clicked summary (a click on one of its items) is found by its message id.
 */
async function enqueueSummaryRedraws(db: Queryable, alertId: number): Promise<number> {
  const result = await db.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key)
     SELECT o.channel, o.destination, o.csm_id, NULL, 'refresh',
            json_build_object('summaryId', o.id, 'externalId', o.external_id, 'conversationId', o.conversation_id),
            'summary-refresh:' || o.id || ':' || a.id || ':' || a.version
     FROM outbox_message o JOIN alert a ON a.id = $1
     WHERE o.kind = 'summary' AND o.status = 'sent' AND o.channel IS NOT NULL
       AND o.external_id IS NOT NULL AND o.conversation_id IS NOT NULL
       AND o.payload::jsonb -> 'alertIds' @> to_jsonb($1::int)
     ORDER BY o.id
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [alertId],
  );
  return result.rowCount ?? 0;
}

/**
 * The preview redraws nothing (its inbox draws every card as it stands now), but it is told
 * of a change made in another chat as the other chats are: a notice in the thread of the
 * alert's card, one per CSM whose inbox has the card. The inbox draws it with the alert's
 * names when it is read (payload `change`, `threadOf` the card row).
 */
async function enqueuePreviewChangeNotices(db: Queryable, alertId: number, change: AlertChange): Promise<void> {
  await db.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key)
     SELECT DISTINCT ON (o.destination) 'preview'::"ChatChannel", o.destination, o.csm_id, o.alert_id, 'notice',
            json_build_object('alertId', o.alert_id, 'threadOf', o.id, 'change', $2::jsonb),
            'change:preview:' || o.id || ':' || a.version
     FROM outbox_message o JOIN alert a ON a.id = o.alert_id
     WHERE o.alert_id = $1 AND o.channel = 'preview' AND o.kind IN ('alert', 'reminder') AND o.status = 'sent'
       AND ${isCard("o")}
     ORDER BY o.destination, o.id
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [alertId, JSON.stringify(change)],
  );
}
