import type { Queryable } from "../db/sql.js";
import { isWeekend, todayIn } from "../domain/dates.js";
import type { MessageKey } from "../i18n.js";
import type { NoticeView } from "../protocol/views.js";
import { lcaChangeCounts, totalOf } from "./summary.js";

// Typed here so a key missing from locales/en fails tsc, though the SQL writes the payload.
const TITLE: MessageKey = "chat.changes.staleTitle";
const TEXT: MessageKey = "chat.changes.staleText";

/**
 * On a working day (Monday to Friday in the partner's zone) with stale changes, one notice to
 * each partner admin: how many changes wait and the command that gets the workbook. One row
 * per admin for every chat the service has (the dispatcher fans it out, as for the outsiders
 * notice); the dedupe key names the admin and the day, so every later run that day, on this
 * or another instance, writes nothing. Returns the number of rows written.
 */
export async function enqueueStaleReminders(db: Queryable, options: { adminEmails: readonly string[]; timeZone: string; now: Date }): Promise<number> {
  const today = todayIn(options.timeZone, options.now);
  if (isWeekend(today) || options.adminEmails.length === 0) return 0;
  const counts = await lcaChangeCounts(db);
  const stale = totalOf(counts.stale);
  if (stale === 0) return 0;
  const pending = totalOf(counts.pending);
  const view: NoticeView = { tone: "warning", title: { key: TITLE, params: { count: stale } }, text: { key: TEXT, params: { stale, pending } } };
  const result = await db.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, kind, payload, dedupe_key)
     SELECT NULL, 'csm:' || c.id, c.id, 'notice', $2::jsonb, 'notice:lca-stale:' || $3 || ':admin:' || c.id
     FROM csm c WHERE c.active AND lower(c.email) = ANY($1::text[])
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [options.adminEmails.map((e) => e.toLowerCase()), JSON.stringify({ card: "notice", view }), today],
  );
  return result.rowCount ?? 0;
}
