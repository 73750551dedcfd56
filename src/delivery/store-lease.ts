import type pg from "pg";
import type { ClaimedRow } from "./store-rows.js";

/**
 * The statements that renew or end a claim. Each checks the fencing token (store.ts: the
 * lease's expiry), so an instance whose lease was taken over writes nothing.
 */

export const FENCE = `id = $1 AND status = 'sending' AND next_attempt_at = $2::timestamp`;

/** What the chat answered to a sent message; `answeredAt`: performance.now() when it did. */
export interface SentMessage {
  externalId: string | null;
  conversationId: string | null;
  answeredAt?: number;
}

/**
 * `sent_at` is when the chat answered, not when the outcome was committed (a handed-over
 * `sent` is written by the next row through the gate): the destination's next message is
 * paced from it, so commit and hand-over delays are not added to every gap. Whole ms, rounded
 * down: never earlier than the answer, so never closer than the limit to the previous message.
 */
const agoMs = (sent: SentMessage) => (sent.answeredAt === undefined ? 0 : Math.max(0, Math.floor(performance.now() - sent.answeredAt)));

/** A row ended as sent, with the chat's ids in $3 and $4 and how long ago it answered (agoMs) in `agoParam`. */
const sentSet = (agoParam: string) =>
  `status = 'sent', sent_at = now() - ${agoParam}::int * interval '1 millisecond', external_id = $3, conversation_id = $4, last_error = NULL, next_attempt_at = now()`;

/** A row due again in $4 ms with the reason in $3, `attempts` given back by the SQL `returned` (0 or 1; a 429 is not an attempt). */
export const retrySet = (returned: string) =>
  `status = 'failed', last_error = $3, next_attempt_at = now() + $4::int * interval '1 millisecond', attempts = attempts - ${returned}`;

/** Ends a claim as sent. false: the lease was lost (another instance holds the row now). */
export async function markSent(db: Pick<pg.Pool, "query">, row: Pick<ClaimedRow, "id" | "token">, sent: SentMessage): Promise<boolean> {
  const result = await db.query(
    `UPDATE outbox_message SET ${sentSet("$5")}
     WHERE ${FENCE}`,
    [row.id, row.token, sent.externalId, sent.conversationId, agoMs(sent)],
  );
  return result.rowCount === 1;
}

/**
 * A refresh sent: the refresh row is sent, and the message it replaced is now known by its
 * new id, written onto the original alert row so the next refresh replaces the right one.
 */
export async function markRefreshed(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "token">, sent: SentMessage & { externalId: string; conversationId: string }, originalId: number | null): Promise<boolean> {
  const { rows } = await pool.query<{ done: number }>(
    `WITH done AS (
       UPDATE outbox_message SET ${sentSet("$6")}
       WHERE ${FENCE} RETURNING id
     ), original AS (
       UPDATE outbox_message SET external_id = $3, conversation_id = $4
       WHERE id = $5 AND EXISTS (SELECT 1 FROM done) RETURNING id
     )
     SELECT (SELECT count(*) FROM done)::int AS done, (SELECT count(*) FROM original)::int AS original`,
    [row.id, row.token, sent.externalId, sent.conversationId, originalId, agoMs(sent)],
  );
  return rows[0]?.done === 1;
}

/** A retryable failure: due again at `delayMs` from now. `countAttempt: false` for a 429. */
export async function markRetry(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "token">, reason: string, delayMs: number, countAttempt: boolean): Promise<boolean> {
  const result = await pool.query(
    `UPDATE outbox_message SET ${retrySet("$5::int")} WHERE ${FENCE}`,
    [row.id, row.token, truncate(reason), Math.max(0, Math.round(delayMs)), countAttempt ? 0 : 1],
  );
  return result.rowCount === 1;
}

/** Not sent and never will be on its own: `dead` (until `outbox retry`) or `superseded`. */
export async function markFinal(db: Pick<pg.Pool, "query">, row: Pick<ClaimedRow, "id" | "token">, status: "dead" | "superseded", reason: string): Promise<boolean> {
  const result = await db.query(`UPDATE outbox_message SET status = $3::"OutboxStatus", last_error = $4, next_attempt_at = now() WHERE ${FENCE}`, [
    row.id,
    row.token,
    status,
    truncate(reason),
  ]);
  return result.rowCount === 1;
}

/** Gives a row back untouched (graceful shutdown): as it was before the claim. */
export async function release(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "token" | "previous">): Promise<boolean> {
  const next = row.previous.nextAttemptAt === "now" ? null : row.previous.nextAttemptAt;
  const result = await pool.query(
    `UPDATE outbox_message SET status = $3::"OutboxStatus", attempts = GREATEST(0, attempts - 1), next_attempt_at = COALESCE($4::timestamp, now())
     WHERE ${FENCE}`,
    [row.id, row.token, row.previous.status, next],
  );
  return result.rowCount === 1;
}

/**
 * The heartbeat: renews the leases of every row an instance holds, in one statement. Returns
 * the new token of each row still held; a row missing from the answer was taken over.
 */
export async function renewLeases(pool: Pick<pg.Pool, "query">, held: readonly Pick<ClaimedRow, "id" | "token">[], leaseMs: number): Promise<Map<number, string>> {
  if (held.length === 0) return new Map();
  const { rows } = await pool.query<{ id: number; token: string }>(
    `UPDATE outbox_message m SET next_attempt_at = now() + $3::int * interval '1 millisecond'
     FROM unnest($1::bigint[], $2::timestamp[]) AS h(id, token)
     WHERE m.id = h.id AND m.status = 'sending' AND m.next_attempt_at = h.token
     RETURNING m.id, m.next_attempt_at::text AS token`,
    [held.map((r) => r.id), held.map((r) => r.token), Math.round(leaseMs)],
  );
  return new Map(rows.map((r) => [Number(r.id), r.token]));
}

/**
 * The last step before the chat call, in one statement: the lease still ours (renewed), and
 * for an alert or reminder whether its alert is still open. A resolution that commits after
 * this statement can still race the call; the window is this statement's round trip.
 * Returns null if the lease was lost.
 */
export async function fenceSend(pool: Pick<pg.Pool, "query">, row: Pick<ClaimedRow, "id" | "token">, leaseMs: number): Promise<{ token: string; resolved: boolean } | null> {
  const { rows } = await pool.query<{ token: string; resolved: boolean }>(
    `UPDATE outbox_message m SET next_attempt_at = now() + $3::int * interval '1 millisecond' WHERE ${FENCE}
     RETURNING m.next_attempt_at::text AS token,
       (m.kind IN ('alert', 'reminder') AND m.alert_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.id = m.alert_id AND a.status = 'open')) AS resolved`,
    [row.id, row.token, Math.round(leaseMs)],
  );
  return rows[0] ?? null;
}

/**
 * The previous message's `sent` and the next one's fence (fenceSend) in one statement and one
 * transaction: the gate passes from one row to the next with a single round trip, and the
 * next chat call still starts only once the previous outcome is committed (at most one
 * message between an answer and its commit). `sent`: whether the first row was ours to mark;
 * `fenced`: as fenceSend answers for the second.
 */
export async function markSentAndFence(
  pool: Pick<pg.Pool, "query">,
  row: Pick<ClaimedRow, "id" | "token">,
  sent: SentMessage,
  next: Pick<ClaimedRow, "id" | "token">,
  leaseMs: number,
): Promise<{ sent: boolean; fenced: { token: string; resolved: boolean } | null }> {
  const { rows } = await pool.query<{ sent: number; token: string | null; resolved: boolean | null }>(
    `WITH done AS (
       UPDATE outbox_message SET ${sentSet("$8")}
       WHERE ${FENCE} RETURNING id
     ), fenced AS (
       UPDATE outbox_message m SET next_attempt_at = now() + $7::int * interval '1 millisecond'
       WHERE id = $5 AND status = 'sending' AND next_attempt_at = $6::timestamp
       RETURNING m.next_attempt_at::text AS token,
         (m.kind IN ('alert', 'reminder') AND m.alert_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.id = m.alert_id AND a.status = 'open')) AS resolved
     )
     SELECT (SELECT count(*) FROM done)::int AS sent, f.token, f.resolved FROM (SELECT 1) AS one LEFT JOIN fenced f ON true`,
    [row.id, row.token, sent.externalId, sent.conversationId, next.id, next.token, Math.round(leaseMs), agoMs(sent)],
  );
  const r = rows[0];
  return { sent: r?.sent === 1, fenced: r && r.token !== null ? { token: r.token, resolved: r.resolved === true } : null };
}

/**
 * Coalescing picked another row of the group: our row is superseded and the chosen one is
 * leased in the same statement (it is not a head, so no other instance can hold it).
 * Returns the chosen row's token, or null if either row changed meanwhile.
 */
export async function supersedeInFavourOf(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "token">, chosenId: number, leaseMs: number): Promise<{ token: string; attempts: number } | null> {
  const { rows } = await pool.query<{ token: string | null; attempts: number | null; done: number }>(
    `WITH chosen AS (
       UPDATE outbox_message SET status = 'sending', attempts = attempts + 1, next_attempt_at = now() + $4::int * interval '1 millisecond'
       WHERE id = $3 AND status IN ('pending', 'failed')
         AND EXISTS (SELECT 1 FROM outbox_message WHERE ${FENCE})
       RETURNING next_attempt_at::text AS token, attempts
     ), done AS (
       UPDATE outbox_message SET status = 'superseded', last_error = 'coalesced into #' || $3::bigint, next_attempt_at = now()
       WHERE ${FENCE} AND EXISTS (SELECT 1 FROM chosen) RETURNING id
     )
     SELECT (SELECT token FROM chosen), (SELECT attempts FROM chosen), (SELECT count(*) FROM done)::int AS done`,
    [row.id, row.token, chosenId, Math.round(leaseMs)],
  );
  const r = rows[0];
  return r && r.done === 1 && r.token !== null && r.attempts !== null ? { token: r.token, attempts: r.attempts } : null;
}

/** The rest of a coalesced group: superseded by the row that carries the card. */
export async function supersedeRows(pool: pg.Pool, ids: readonly number[], reason: string): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await pool.query(
    `UPDATE outbox_message SET status = 'superseded', last_error = $2, next_attempt_at = now() WHERE id = ANY($1::bigint[]) AND status IN ('pending', 'failed')`,
    [ids, truncate(reason)],
  );
  return result.rowCount ?? 0;
}

export function truncate(reason: string): string {
  return reason.length > 1000 ? `${reason.slice(0, 997)}...` : reason;
}
