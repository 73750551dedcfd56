import type pg from "pg";

/**
 * An action in one chat changed an alert: every card of it already sent to the other chats
 * gets a refresh row, which the dispatcher turns into chat.update (Slack) or delete-and-repost
 * (Webex) with the alert as it is then: retried, paced and ordered like any delivery. The
 * chat the action came from redraws its own cards at once.
 */
export async function enqueueRefreshes(pool: pg.Pool, alertId: number, originChannel: string): Promise<number> {
  const result = await pool.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key)
     SELECT o.channel, o.destination, o.csm_id, o.alert_id, 'refresh',
            json_build_object('alertId', o.alert_id, 'externalId', o.external_id, 'conversationId', o.conversation_id),
            'refresh:' || o.id || ':' || a.version
     FROM outbox_message o JOIN alert a ON a.id = o.alert_id
     WHERE o.alert_id = $1 AND o.kind IN ('alert', 'reminder') AND o.status = 'sent'
       AND o.external_id IS NOT NULL AND o.conversation_id IS NOT NULL
       AND o.channel IN ('webex', 'slack') AND o.channel::text <> $2
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [alertId, originChannel],
  );
  return result.rowCount ?? 0;
}
