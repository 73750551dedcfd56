import type pg from "pg";
import { QUIET_DEFERRED_MARK } from "../domain/quiet.js";
import { FENCE } from "./store-lease.js";
import type { ClaimedRow } from "./store-rows.js";

/** SQL: row `o` waits out its CSM's quiet hours (markDeferred) and is not due yet; never null, so NOT of it is safe. */
export const waitsOutQuietHours = (o: string) =>
  `(${o}.status = 'pending' AND ${o}.next_attempt_at > now() AND coalesce(${o}.last_error, '') LIKE '${QUIET_DEFERRED_MARK}%')`;

/**
 * A row claimed inside its CSM's quiet hours goes back to wait until they end (issue 17):
 * pending again, due at the window's end, its attempt given back and nothing counted as a
 * failure. While it waits it is no head (store-claim.ts), so a Home page or a card the person
 * asked for goes past it; a held row behind it is deferred in turn, to no earlier than it,
 * so the destination's new posts still go in order. last_error starts with
 * QUIET_DEFERRED_MARK: that is how the row is released when the person's hours change.
 */
export async function markDeferred(pool: Pick<pg.Pool, "query">, row: Pick<ClaimedRow, "id" | "token">, until: Date, reason: string): Promise<boolean> {
  const marked = reason.startsWith(QUIET_DEFERRED_MARK) ? reason : `${QUIET_DEFERRED_MARK}: ${reason}`;
  const result = await pool.query(
    `UPDATE outbox_message o SET status = 'pending', attempts = GREATEST(0, attempts - 1), last_error = $4,
       next_attempt_at = GREATEST(to_timestamp($3::double precision / 1000)::timestamp,
         (SELECT max(p.next_attempt_at) FROM outbox_message p
          WHERE p.channel = o.channel AND p.destination = o.destination AND p.id < o.id AND p.kind <> 'refresh' AND ${waitsOutQuietHours("p")}))
     WHERE ${FENCE}`,
    [row.id, row.token, until.getTime(), marked],
  );
  return result.rowCount === 1;
}
