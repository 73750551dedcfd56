import type pg from "pg";
import { FENCE } from "./store-lease.js";
import type { ClaimedRow } from "./store-rows.js";

/**
 * A row claimed inside its CSM's quiet hours goes back to wait until they end (issue 17):
 * pending again, due at the window's end, its attempt given back and nothing counted as a
 * failure. The destination's later rows wait behind it, so their order holds.
 */
export async function markDeferred(pool: Pick<pg.Pool, "query">, row: Pick<ClaimedRow, "id" | "token">, until: Date, reason: string): Promise<boolean> {
  const result = await pool.query(
    `UPDATE outbox_message SET status = 'pending', attempts = GREATEST(0, attempts - 1), next_attempt_at = to_timestamp($3::double precision / 1000), last_error = $4
     WHERE ${FENCE}`,
    [row.id, row.token, until.getTime(), reason],
  );
  return result.rowCount === 1;
}
