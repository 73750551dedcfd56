import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Queryable } from "../db/sql.js";
import { HOME_CHATS } from "../protocol/chats.js";
import type { ClaimedRow } from "./store.js";

/**
 * A CSM's Home page (Slack App Home) is republished through the outbox like any delivery:
 * a `home` row per chat with a Home (HOME_CHATS) on which the CSM has an account, drawn
 * from the data when it is sent, so only the newest state matters and the rows behind it
 * are superseded. Without `csmIds`: every active CSM with such an account (after a refresh).
 */
export async function enqueueHomes(db: Queryable, csmIds?: readonly number[]): Promise<number> {
  if (HOME_CHATS.length === 0 || csmIds?.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, kind, payload, dedupe_key)
     SELECT i.chat, 'csm:' || c.id, c.id, 'home', json_build_object('csmId', c.id), 'home:' || c.id || ':' || i.chat || ':' || $3
     FROM csm c JOIN chat_identity i ON i.csm_id = c.id
     WHERE c.active AND i.chat::text = ANY($1::text[]) AND ($2::int[] IS NULL OR c.id = ANY($2::int[]))
     ORDER BY c.id
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [HOME_CHATS, csmIds ?? null, randomUUID()],
  );
  return result.rowCount ?? 0;
}

/** Unsent Home rows of the same person behind this one: redundant, since this one draws the page as it is when sent. */
export async function supersedeLaterHomes(pool: pg.Pool, row: Pick<ClaimedRow, "id" | "channel" | "destination">): Promise<number> {
  const result = await pool.query(
    `UPDATE outbox_message SET status = 'superseded', last_error = 'coalesced into #' || $1::bigint, next_attempt_at = now()
     WHERE channel = $2::"ChatChannel" AND destination = $3 AND kind = 'home' AND id > $1 AND status IN ('pending', 'failed')`,
    [row.id, row.channel, row.destination],
  );
  return result.rowCount ?? 0;
}
