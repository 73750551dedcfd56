import type pg from "pg";

/**
 * A person's row is written for every chat (channel NULL) by whatever decided it: an ingest
 * run from an operator's shell knows no chat. The running service's dispatcher makes one row
 * per chat it has, each with the parent's time and dedupe key plus the chat, and supersedes
 * the parent. Parents are taken in id order and SKIP LOCKED, so two instances never fan out
 * the same row and each destination's rows keep their order.
 */
export async function fanOut(pool: Pick<pg.Pool, "query">, channels: readonly string[], limit = 1000): Promise<number> {
  if (channels.length === 0) return 0;
  const { rows } = await pool.query<{ children: number }>(
    `WITH parents AS (
       SELECT id FROM outbox_message WHERE channel IS NULL AND status = 'pending' ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
     ), children AS (
       INSERT INTO outbox_message (created_at, channel, destination, csm_id, alert_id, kind, payload, status, next_attempt_at, dedupe_key)
       SELECT o.created_at, c.channel::"ChatChannel", o.destination, o.csm_id, o.alert_id, o.kind, o.payload, 'pending', o.next_attempt_at,
              o.dedupe_key || '@' || c.channel
       FROM outbox_message o JOIN parents p ON p.id = o.id CROSS JOIN unnest($1::text[]) WITH ORDINALITY AS c(channel, n)
       ORDER BY o.id, c.n
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id
     ), parents_done AS (
       UPDATE outbox_message o SET status = 'superseded', last_error = 'fanned out to ' || $3, next_attempt_at = now()
       FROM parents p WHERE o.id = p.id RETURNING o.id
     )
     SELECT (SELECT count(*) FROM children)::int AS children, (SELECT count(*) FROM parents_done)::int AS parents`,
    [channels, limit, channels.join(", ")],
  );
  return rows[0]?.children ?? 0;
}

/** Preview rows are not sent anywhere: the preview page reads them. Marks a batch sent. */
export async function markPreviewSent(pool: pg.Pool, limit = 1000): Promise<number> {
  const result = await pool.query(
    `UPDATE outbox_message SET status = 'sent', sent_at = now(), attempts = attempts + 1, next_attempt_at = now(), last_error = NULL
     WHERE id IN (
       SELECT id FROM outbox_message
       WHERE channel = 'preview' AND (status IN ('pending', 'failed') OR (status = 'sending' AND next_attempt_at <= now()))
       ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)`,
    [limit],
  );
  return result.rowCount ?? 0;
}
