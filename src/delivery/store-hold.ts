import type pg from "pg";
import type { ClaimedRow, SendChannel } from "./store-rows.js";
import { FENCE, retrySet, truncate } from "./store-lease.js";

/**
 * Holds from a 429 (outbox_hold): the chat said "nothing more here before Retry-After", and
 * that covers every row to the destination (every destination: '*', when the chat limits
 * the whole bot), in any lane, on any instance, written before or during the wait. The claim
 * reads the table (store-claim.ts); each instance also keeps the live holds in memory
 * (dispatcher-holds.ts) for the rows it had claimed before the 429.
 */

export const EVERY_DESTINATION = "*";

/**
 * A 429 on `row`: the row is due again after `delayMs` (not counted as an attempt, like
 * markRetry for a 429) and what the limit covers is held as long, in one statement. false:
 * the lease was lost; the hold is written anyway, the chat's answer stands whoever holds the row.
 */
export async function markRateLimited(
  pool: Pick<pg.Pool, "query">,
  row: Pick<ClaimedRow, "id" | "token" | "channel" | "destination">,
  reason: string,
  delayMs: number,
  covers: "destination" | "chat",
): Promise<boolean> {
  const { rows } = await pool.query<{ retried: number }>(
    `WITH hold AS (
       INSERT INTO outbox_hold (channel, destination, held_until)
       VALUES ($5::text::"ChatChannel", $6, now() + $4::int * interval '1 millisecond')
       ON CONFLICT (channel, destination) DO UPDATE SET held_until = GREATEST(outbox_hold.held_until, EXCLUDED.held_until)
     ), retried AS (
       UPDATE outbox_message SET ${retrySet("1")} WHERE ${FENCE} RETURNING id
     )
     SELECT count(*)::int AS retried FROM retried`,
    [row.id, row.token, truncate(reason), Math.max(0, Math.round(delayMs)), row.channel, covers === "chat" ? EVERY_DESTINATION : row.destination],
  );
  return rows[0]?.retried === 1;
}

export interface Hold {
  channel: SendChannel;
  destination: string;
  /** From the moment the answer left the database. */
  remainingMs: number;
}

/**
 * The holds still running (another instance's 429s too), for rows claimed before them; holds
 * that ended a while ago are dropped on the way (the claim ignores them, they are clutter).
 */
export async function activeHolds(pool: Pick<pg.Pool, "query">, channels: readonly SendChannel[]): Promise<Hold[]> {
  const { rows } = await pool.query<{ channel: SendChannel; destination: string; remaining_ms: number }>(
    `WITH ended AS (DELETE FROM outbox_hold WHERE held_until < now() - interval '1 minute')
     SELECT channel::text AS channel, destination, ceil(extract(epoch FROM held_until - clock_timestamp()) * 1000)::int AS remaining_ms
     FROM outbox_hold WHERE held_until > now() AND channel::text = ANY($1::text[])`,
    [channels],
  );
  return rows.map((r) => ({ channel: r.channel, destination: r.destination, remainingMs: r.remaining_ms }));
}
