import type pg from "pg";
import type { AlertKind } from "../domain/recommendations.js";
import type { SendChat } from "../protocol/chats.js";

/**
 * Every statement the dispatcher runs against outbox_message. The table has no lease or
 * owner column, so a claim is encoded in the columns it has:
 *
 * - `status = 'sending'` and `next_attempt_at` = when the lease expires. The lease is short
 *   (seconds) and the holder renews it with a heartbeat while it holds the row, a slow chat
 *   call included; a crashed instance's rows are taken again once that time has passed.
 * - the lease's expiry is also the claim's fencing token: every write that ends a claim
 *   checks `status = 'sending' AND next_attempt_at = <token>`, so an instance whose lease
 *   was taken over cannot overwrite the new holder's outcome. Each new claim sets a later
 *   expiry, so tokens never repeat for a row.
 * - `attempts` counts the claims that called the chat API (a release gives it back, a 429
 *   does not count).
 */

export type OutboxKind = "alert" | "reminder" | "digest" | "refresh" | "notice" | "home";
export type SendChannel = SendChat;

/** A row this instance holds (status 'sending' with our lease). */
export interface ClaimedRow {
  id: number;
  channel: SendChannel;
  destination: string;
  csmId: number | null;
  alertId: number | null;
  kind: string;
  payload: unknown;
  /** Including this claim. */
  attempts: number;
  createdAt: Date;
  /** Above 0: a person is looking at this card (the one they clicked); it goes first, through the gate too. */
  priority: number;
  /** The lease's expiry as the database wrote it: the fencing token. */
  token: string;
  /** What to put back on release. */
  previous: { status: "pending" | "failed"; nextAttemptAt: string };
  /** How long to wait before sending: the destination's rate limit, a Retry-After, the coalescing window. */
  waitMs: number;
  /** The alert of an alert or reminder row as it is now. */
  alert: { status: "open" | "resolved"; kind: AlertKind; useCaseDeploymentId: number } | null;
  /** Unsent alert/reminder rows to the same destination about the same use case, created within the coalescing window. */
  siblings: Sibling[];
  /** Taken over from an instance whose lease ran out: ms since that instance's last renewal (its heartbeat). */
  takenOverAfterMs: number | null;
}

export interface Sibling {
  id: number;
  kind: string;
  alertId: number;
  alertKind: AlertKind;
  alertStatus: "open" | "resolved";
  payload: unknown;
}

export interface ClaimOptions {
  channels: readonly SendChannel[];
  limit: number;
  leaseMs: number;
  /** Claim rows that become sendable within this long (then wait locally until they are). */
  horizonMs: number;
  /** Alert rows wait this long after they were written, to be coalesced with their siblings. */
  coalesceWindowMs: number;
  /** Minimum gap between two messages to one destination, per channel. */
  minIntervalMs: Partial<Record<SendChannel, number>>;
}

interface ClaimRecord {
  id: number;
  channel: SendChannel;
  destination: string;
  csm_id: number | null;
  alert_id: number | null;
  kind: string;
  payload: unknown;
  attempts: number;
  created_at: Date;
  priority: number;
  token: string;
  prev_status: "pending" | "failed" | "sending";
  prev_next: string;
  wait_ms: number;
  alert_status: "open" | "resolved" | null;
  alert_kind: AlertKind | null;
  ucd_id: number | null;
  siblings: Sibling[] | null;
  taken_over_ms: number | null;
}

/**
 * Takes the head row (lowest id not yet sent, dead or superseded) of destinations whose head
 * is due, one row per destination, and leases it. SKIP LOCKED: instances never wait for
 * each other and never take the same row. A destination whose head is being sent, waits for
 * a retry or is rate-limited yields nothing: that is what keeps each destination in order.
 *
 * The rate limit is shared by all instances without any extra state: the next message to a
 * destination is due `minInterval` after the `sent_at` of the one before it.
 */
const CLAIM_SQL = `
WITH heads AS (
  SELECT DISTINCT ON (channel, destination, kind = 'refresh') id
  FROM outbox_message
  WHERE status IN ('pending', 'failed', 'sending') AND channel::text = ANY($1::text[])
  ORDER BY channel, destination, kind = 'refresh', id
), candidates AS (
  SELECT o.id, o.alert_id, o.priority, o.status AS prev_status, o.next_attempt_at AS prev_next,
         CASE WHEN o.kind = 'refresh' THEN o.next_attempt_at ELSE GREATEST(
           o.next_attempt_at,
           CASE WHEN o.kind IN ('alert', 'reminder') THEN o.created_at + $2::int * interval '1 millisecond' END,
           (SELECT s.sent_at FROM outbox_message s
             WHERE s.destination = o.destination AND s.channel = o.channel AND s.id < o.id AND s.status = 'sent' AND s.kind <> 'refresh'
             ORDER BY s.id DESC LIMIT 1)
             + COALESCE(($3::jsonb ->> o.channel::text)::int, 0) * interval '1 millisecond'
         ) END AS ready_at
  FROM outbox_message o JOIN heads h ON h.id = o.id
  WHERE (o.status <> 'sending' OR o.next_attempt_at <= now())
    -- A coalesced card can be in flight above the head: one message per destination (and lane) at a time.
    AND NOT EXISTS (SELECT 1 FROM outbox_message x
                    WHERE x.channel = o.channel AND x.destination = o.destination AND x.id <> o.id
                      AND (x.kind = 'refresh') = (o.kind = 'refresh')
                      AND x.status = 'sending' AND x.next_attempt_at > now())
), picked AS (
  SELECT * FROM candidates
  WHERE ready_at <= now() + $4::int * interval '1 millisecond'
  -- The card a person just clicked first, then a dead instance's rows: they have waited a whole lease already.
  ORDER BY priority DESC, (prev_status = 'sending') DESC, ready_at, id
  LIMIT $5
), locked AS (
  SELECT o.id FROM outbox_message o
  WHERE o.id IN (SELECT id FROM picked)
    AND (o.status IN ('pending', 'failed') OR (o.status = 'sending' AND o.next_attempt_at <= now()))
  FOR UPDATE SKIP LOCKED
)
UPDATE outbox_message m
SET status = 'sending', attempts = m.attempts + 1, next_attempt_at = now() + $6::int * interval '1 millisecond'
FROM picked p LEFT JOIN alert a ON a.id = p.alert_id
WHERE m.id = p.id AND m.id IN (SELECT id FROM locked)
RETURNING m.id, m.channel::text AS channel, m.destination, m.csm_id, m.alert_id, m.kind, m.payload, m.attempts, m.created_at, m.priority,
  m.next_attempt_at::text AS token, p.prev_status::text AS prev_status, p.prev_next::text AS prev_next,
  -- clock_timestamp(): measured as the answer leaves, so the wait is not lengthened by the statement's own time.
  GREATEST(0, ceil(extract(epoch FROM p.ready_at - clock_timestamp()) * 1000))::int AS wait_ms,
  a.status::text AS alert_status, a.kind::text AS alert_kind, a.use_case_deployment_id AS ucd_id,
  -- A lease that ran out: its holder last renewed it one lease before its expiry.
  CASE WHEN p.prev_status = 'sending' THEN GREATEST(0, round(extract(epoch FROM clock_timestamp()::timestamp - p.prev_next) * 1000) + $6)::int END AS taken_over_ms,
  CASE WHEN m.kind IN ('alert', 'reminder') AND a.id IS NOT NULL THEN (
    SELECT json_agg(json_build_object('id', s.id, 'kind', s.kind, 'alertId', s.alert_id, 'alertKind', sa.kind, 'alertStatus', sa.status, 'payload', s.payload) ORDER BY s.id)
    FROM outbox_message s JOIN alert sa ON sa.id = s.alert_id
    WHERE s.destination = m.destination AND s.channel = m.channel AND s.id <> m.id
      AND s.status IN ('pending', 'failed') AND s.kind IN ('alert', 'reminder')
      AND sa.use_case_deployment_id = a.use_case_deployment_id
      AND s.created_at BETWEEN m.created_at - $2::int * interval '1 millisecond' AND m.created_at + $2::int * interval '1 millisecond'
  ) END AS siblings`;

export async function claim(pool: pg.Pool, options: ClaimOptions): Promise<ClaimedRow[]> {
  if (options.channels.length === 0 || options.limit <= 0) return [];
  const { rows } = await pool.query<ClaimRecord>(CLAIM_SQL, [
    options.channels,
    Math.round(options.coalesceWindowMs),
    JSON.stringify(options.minIntervalMs),
    Math.round(options.horizonMs),
    options.limit,
    Math.round(options.leaseMs),
  ]);
  return rows
    .map((r) => ({
      id: r.id,
      channel: r.channel,
      destination: r.destination,
      csmId: r.csm_id,
      alertId: r.alert_id,
      kind: r.kind,
      payload: r.payload,
      attempts: r.attempts,
      createdAt: r.created_at,
      priority: r.priority,
      token: r.token,
      // A lease that expired is given back as pending (its original due time is lost).
      previous: { status: r.prev_status === "failed" ? ("failed" as const) : ("pending" as const), nextAttemptAt: r.prev_status === "sending" ? "now" : r.prev_next },
      waitMs: r.wait_ms,
      alert: r.alert_status && r.alert_kind && r.ucd_id !== null ? { status: r.alert_status, kind: r.alert_kind, useCaseDeploymentId: r.ucd_id } : null,
      siblings: r.siblings ?? [],
      takenOverAfterMs: r.taken_over_ms,
    }))
    .sort((a, b) => a.waitMs - b.waitMs || a.id - b.id);
}

const FENCE = `id = $1 AND status = 'sending' AND next_attempt_at = $2::timestamp`;

/** Ends a claim as sent. false: the lease was lost (another instance holds the row now). */
export async function markSent(db: Pick<pg.Pool, "query">, row: Pick<ClaimedRow, "id" | "token">, sent: { externalId: string | null; conversationId: string | null }): Promise<boolean> {
  const result = await db.query(
    `UPDATE outbox_message SET status = 'sent', sent_at = now(), external_id = $3, conversation_id = $4, last_error = NULL, next_attempt_at = now()
     WHERE ${FENCE}`,
    [row.id, row.token, sent.externalId, sent.conversationId],
  );
  return result.rowCount === 1;
}

/**
 * A refresh sent: the refresh row is sent, and the message it replaced is now known by its
 * new id, written onto the original alert row so the next refresh replaces the right one.
 */
export async function markRefreshed(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "token">, sent: { externalId: string; conversationId: string }, originalId: number | null): Promise<boolean> {
  const { rows } = await pool.query<{ done: number }>(
    `WITH done AS (
       UPDATE outbox_message SET status = 'sent', sent_at = now(), external_id = $3, conversation_id = $4, last_error = NULL, next_attempt_at = now()
       WHERE ${FENCE} RETURNING id
     ), original AS (
       UPDATE outbox_message SET external_id = $3, conversation_id = $4
       WHERE id = $5 AND EXISTS (SELECT 1 FROM done) RETURNING id
     )
     SELECT (SELECT count(*) FROM done)::int AS done, (SELECT count(*) FROM original)::int AS original`,
    [row.id, row.token, sent.externalId, sent.conversationId, originalId],
  );
  return rows[0]?.done === 1;
}

/** A retryable failure: due again at `delayMs` from now. `countAttempt: false` for a 429. */
export async function markRetry(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "token">, reason: string, delayMs: number, countAttempt: boolean): Promise<boolean> {
  const result = await pool.query(
    `UPDATE outbox_message SET status = 'failed', last_error = $3, next_attempt_at = now() + $4::int * interval '1 millisecond',
       attempts = attempts - $5::int
     WHERE ${FENCE}`,
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

/** Unsent refreshes of the same message behind this one: redundant, since a refresh renders the alert as it is when sent. */
export async function supersedeLaterRefreshes(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "channel" | "destination">, externalId: string): Promise<number> {
  const result = await pool.query(
    `UPDATE outbox_message SET status = 'superseded', last_error = 'coalesced into #' || $1::bigint, next_attempt_at = now()
     WHERE channel = $2::"ChatChannel" AND destination = $3 AND kind = 'refresh' AND id > $1 AND status IN ('pending', 'failed')
       AND payload ->> 'externalId' = $4`,
    [row.id, row.channel, row.destination, externalId],
  );
  return result.rowCount ?? 0;
}

function truncate(reason: string): string {
  return reason.length > 1000 ? `${reason.slice(0, 997)}...` : reason;
}
