import type pg from "pg";
import { isCard, type ClaimedRow, type SendChannel } from "./store-rows.js";

/**
 * The message a refresh replaces, as it is known now: a refresh enqueued before an earlier
 * refresh was sent still names the old id, so follow the chain of sent refreshes from it.
 * Returns the original alert row (to write the new id onto) and the current ids.
 */
export async function currentMessage(pool: pg.Pool, channel: SendChannel, alertId: number, externalId: string): Promise<{ originalId: number; externalId: string; conversationId: string | null; notice: number } | null> {
  let current = externalId;
  for (let hops = 0; hops < 20; hops++) {
    const { rows } = await pool.query<{ id: number; conversation_id: string | null; notice: number | null }>(
      `SELECT id, conversation_id, CASE WHEN payload ->> 'notice' ~ '^[0-9]+$' THEN (payload ->> 'notice')::int END AS notice FROM outbox_message
       WHERE alert_id = $1 AND channel = $2::"ChatChannel" AND kind IN ('alert', 'reminder') AND external_id = $3 AND status = 'sent'
         AND ${isCard()}
       ORDER BY id DESC LIMIT 1`,
      [alertId, channel, current],
    );
    if (rows[0]) return { originalId: rows[0].id, externalId: current, conversationId: rows[0].conversation_id, notice: rows[0].notice ?? 0 };
    const next = await pool.query<{ external_id: string }>(
      `SELECT external_id FROM outbox_message
       WHERE kind = 'refresh' AND channel = $1::"ChatChannel" AND status = 'sent' AND payload ->> 'externalId' = $2 AND external_id IS NOT NULL AND external_id <> $2
       ORDER BY id DESC LIMIT 1`,
      [channel, current],
    );
    if (!next.rows[0]) return null;
    current = next.rows[0].external_id;
  }
  return null;
}

/**
 * Unsent refreshes of the same message behind this one: redundant, since a refresh renders
 * the alert as it is when sent. The changes they would have told (payload `changes`) are
 * handed back, so the one refresh sent tells them all.
 */
export async function supersedeLaterRefreshes(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "channel" | "destination">, externalId: string): Promise<unknown[]> {
  const result = await pool.query<{ id: string; changes: unknown }>(
    `UPDATE outbox_message SET status = 'superseded', last_error = 'coalesced into #' || $1::bigint, next_attempt_at = now()
     WHERE channel = $2::"ChatChannel" AND destination = $3 AND kind = 'refresh' AND id > $1 AND status IN ('pending', 'failed')
       AND payload ->> 'externalId' = $4
     RETURNING id, payload -> 'changes' AS changes`,
    [row.id, row.channel, row.destination, externalId],
  );
  // RETURNING has no order: the changes go in the order they were made.
  const rows = [...result.rows].sort((a, b) => Number(a.id) - Number(b.id));
  return rows.flatMap((r) => (Array.isArray(r.changes) ? r.changes : []));
}
