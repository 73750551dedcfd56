import type pg from "pg";

/** `lca-bot outbox` and `lca-bot outbox retry`: what waits, what failed, what is dead; requeue the dead. */

export const LISTED_STATES = ["pending", "sending", "failed", "dead"] as const;
export type ListedState = (typeof LISTED_STATES)[number];

export interface OutboxRowSummary {
  id: number;
  createdAt: Date;
  channel: string;
  destination: string;
  kind: string;
  alertId: number | null;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
}

export interface OutboxListing {
  counts: Record<ListedState, number>;
  /** Age of the oldest undelivered (pending, sending, failed) row, in seconds; null when none. */
  oldestAgeSeconds: number | null;
  /** The oldest rows of each state (at most `limit` each). */
  oldest: Record<ListedState, OutboxRowSummary[]>;
  /** The listing as a person reads it. */
  text: string;
}

export async function listOutbox(pool: pg.Pool, options: { limit?: number } = {}): Promise<OutboxListing> {
  const limit = options.limit ?? 10;
  const { rows: countRows } = await pool.query<{ status: ListedState; n: number; oldest_s: number | null }>(
    `SELECT status::text AS status, count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float8 AS oldest_s
     FROM outbox_message WHERE status IN ('pending', 'sending', 'failed', 'dead') GROUP BY status`,
  );
  const { rows } = await pool.query<{
    status: ListedState;
    id: number;
    created_at: Date;
    channel: string;
    destination: string;
    kind: string;
    alert_id: number | null;
    attempts: number;
    next_attempt_at: Date;
    last_error: string | null;
  }>(
    `SELECT status::text AS status, id, created_at, coalesce(channel::text, 'every chat') AS channel, destination, kind, alert_id, attempts, next_attempt_at, last_error
     FROM (SELECT *, row_number() OVER (PARTITION BY status ORDER BY id) AS k
           FROM outbox_message WHERE status IN ('pending', 'sending', 'failed', 'dead')) t
     WHERE k <= $1 ORDER BY status, id`,
    [limit],
  );
  const counts = Object.fromEntries(LISTED_STATES.map((s) => [s, countRows.find((r) => r.status === s)?.n ?? 0])) as Record<ListedState, number>;
  const undelivered = countRows.filter((r) => r.status !== "dead" && r.oldest_s !== null).map((r) => r.oldest_s!);
  const oldest = Object.fromEntries(
    LISTED_STATES.map((s) => [
      s,
      rows
        .filter((r) => r.status === s)
        .map((r) => ({
          id: r.id,
          createdAt: r.created_at,
          channel: r.channel,
          destination: r.destination,
          kind: r.kind,
          alertId: r.alert_id,
          attempts: r.attempts,
          nextAttemptAt: r.next_attempt_at,
          lastError: r.last_error,
        })),
    ]),
  ) as Record<ListedState, OutboxRowSummary[]>;
  const listing = { counts, oldestAgeSeconds: undelivered.length > 0 ? Math.max(...undelivered) : null, oldest };
  return { ...listing, text: formatListing(listing, limit) };
}

function formatListing(listing: Omit<OutboxListing, "text">, limit: number): string {
  const { counts, oldest } = listing;
  const lines = [
    `Outbox: ${counts.pending} pending, ${counts.sending} sending, ${counts.failed} failed (will retry), ${counts.dead} dead` +
      (listing.oldestAgeSeconds !== null ? `; oldest undelivered ${formatAge(listing.oldestAgeSeconds)} old` : "; nothing waiting"),
  ];
  const describe: Record<ListedState, string> = {
    pending: "pending (oldest first)",
    sending: "sending (leased by an instance)",
    failed: "failed, waiting to retry",
    dead: "dead (not retried; `lca-bot outbox retry` requeues them)",
  };
  for (const state of LISTED_STATES) {
    if (oldest[state].length === 0) continue;
    lines.push("", `${describe[state]}${counts[state] > limit ? `, ${limit} of ${counts[state]}` : ""}:`);
    for (const r of oldest[state]) {
      const due = state === "failed" ? `, next try ${r.nextAttemptAt.toISOString()}` : "";
      const error = r.lastError ? `\n      ${r.lastError}` : "";
      lines.push(`  #${r.id}  ${r.createdAt.toISOString()}  ${r.channel} ${r.destination}  ${r.kind}${r.alertId !== null ? ` alert ${r.alertId}` : ""}  attempts ${r.attempts}${due}${error}`);
    }
  }
  return lines.join("\n");
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

export interface RetryResult {
  /** Rows put back to pending, due now, with their attempts reset. */
  requeued: number[];
  /** Ids asked for that are not dead (unknown, or in another state): left alone. */
  skipped: number[];
}

/**
 * Puts dead rows back in line: all of them, or those named. They go out in id order with
 * the rest of their destination's rows; the attempt count starts again.
 */
export async function retryDead(pool: pg.Pool, options: { ids?: readonly number[] } = {}): Promise<RetryResult> {
  const ids = options.ids && options.ids.length > 0 ? [...new Set(options.ids)] : null;
  const { rows } = await pool.query<{ id: number }>(
    `UPDATE outbox_message SET status = 'pending', attempts = 0, next_attempt_at = now()
     WHERE status = 'dead' AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
     RETURNING id`,
    [ids],
  );
  const requeued = rows.map((r) => r.id).sort((a, b) => a - b);
  const skipped = ids ? ids.filter((id) => !requeued.includes(id)) : [];
  return { requeued, skipped };
}

/** The line `lca-bot outbox retry` prints. */
export function formatRetry(result: RetryResult): string {
  const head = result.requeued.length === 0 ? "No dead messages to requeue." : `Requeued ${result.requeued.length} dead message(s): ${abbreviate(result.requeued)}.`;
  return result.skipped.length > 0 ? `${head}\nNot dead, left alone: ${abbreviate(result.skipped)}.` : head;
}

function abbreviate(ids: number[]): string {
  const shown = ids.slice(0, 20).map((id) => `#${id}`).join(", ");
  return ids.length > 20 ? `${shown} and ${ids.length - 20} more` : shown;
}
