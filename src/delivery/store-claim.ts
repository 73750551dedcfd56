import type pg from "pg";
import type { AlertKind } from "../domain/recommendations.js";
import type { ClaimedRow, SendChannel, Sibling } from "./store-rows.js";
import { EVERY_DESTINATION } from "./store-hold.js";
import { waitsOutQuietHours } from "./store-quiet.js";

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
 * is due, one row per destination, and leases it. SKIP LOCKED under the LIMIT: instances
 * never wait for each other, never take the same row, and one that meets the other's claim
 * takes the next heads instead of coming back short. A destination whose head is being sent, waits for
 * a retry or is rate-limited yields nothing: that is what keeps each destination in order. A
 * row waiting out quiet hours is no head (store-quiet.ts keeps the held rows behind it in order).
 *
 * The rate limit is shared by all instances without any extra state: the next message to a
 * destination is due `minInterval` after the `sent_at` of the one before it. A 429 is the
 * exception: its hold (outbox_hold) keeps every lane of the destination, or the chat, waiting.
 */
/** A 429's hold on the row's destination or its whole chat (store-hold.ts); GREATEST skips the NULL of none. */
const HELD_UNTIL = `(SELECT max(hd.held_until) FROM outbox_hold hd WHERE hd.channel = o.channel AND hd.destination IN (o.destination, '${EVERY_DESTINATION}'))`;

const CLAIM_SQL = `
WITH heads AS (
  SELECT DISTINCT ON (channel, destination, kind = 'refresh') id
  FROM outbox_message
  WHERE status IN ('pending', 'failed', 'sending') AND channel::text = ANY($1::text[])
    -- A row waiting out quiet hours holds no line: what may go now (Home, a card asked for) goes past it.
    AND NOT ${waitsOutQuietHours("outbox_message")}
  ORDER BY channel, destination, kind = 'refresh', id
), candidates AS (
  SELECT o.id, o.alert_id, o.priority, o.status AS prev_status, o.next_attempt_at AS prev_next,
         CASE WHEN o.kind = 'refresh' THEN GREATEST(o.next_attempt_at, ${HELD_UNTIL}) ELSE GREATEST(
           o.next_attempt_at,
           ${HELD_UNTIL},
           -- A card the person asked for (priority) waits for no group: it is the answer to their click.
           CASE WHEN o.kind IN ('alert', 'reminder') AND o.priority = 0 THEN o.created_at + $2::int * interval '1 millisecond' END,
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
  -- Locked as picked, under the LIMIT: rows another instance is claiming right now are skipped
  -- and the next ones taken, so two instances claim different heads instead of the same ones.
  SELECT c.* FROM candidates c JOIN outbox_message l ON l.id = c.id
  WHERE c.ready_at <= now() + $4::int * interval '1 millisecond'
    AND (l.status IN ('pending', 'failed') OR (l.status = 'sending' AND l.next_attempt_at <= now()))
  -- The card a person just clicked first, then a dead instance's rows: they have waited a whole lease already.
  ORDER BY c.priority DESC, (c.prev_status = 'sending') DESC, c.ready_at, c.id
  LIMIT $5
  FOR UPDATE OF l SKIP LOCKED
)
UPDATE outbox_message m
SET status = 'sending', attempts = m.attempts + 1, next_attempt_at = now() + $6::int * interval '1 millisecond'
FROM picked p LEFT JOIN alert a ON a.id = p.alert_id
WHERE m.id = p.id
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
