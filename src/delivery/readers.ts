import type { Config } from "../config.js";
import type { Queryable } from "../db/sql.js";
import { csmLocale, type Locale } from "../locale.js";
import type { SendChat } from "../protocol/chats.js";
import { readerZone, type QuietHours } from "../domain/quiet.js";

/** A CSM as one chat reaches them: their account there and the language and zone to render in. */
export interface Reader {
  csmId: number;
  email: string;
  active: boolean;
  /** Their user id on this chat (Webex personId, Slack user id), null before they are linked. */
  chatUserId: string | null;
  locale: Locale;
  /** Their own zone, else the one their chat reports for them (Slack's `tz`), else the partner's. */
  timeZone: string;
  /** When nothing new is posted to them (issue 17). */
  quiet: QuietHours;
}


/**
 * The readers of `csmIds` on `chat`, by CSM id (unknown ids are absent). The one read of a
 * CSM's chat identity for delivery: sends and redraws render in the same language.
 */
export async function readersOn(
  db: Queryable,
  chat: SendChat,
  csmIds: readonly number[],
  partner: Pick<Config["partner"], "defaultLocale" | "timeZone">,
): Promise<Map<number, Reader>> {
  if (csmIds.length === 0) return new Map();
  const { rows } = await db.query<{
    id: number; email: string; active: boolean; locale: string | null; time_zone: string | null; user_id: string | null; chat_locale: string | null;
    reported_zone: string | null; quiet_from: string | null; quiet_to: string | null; quiet_weekends: boolean;
  }>(
    `SELECT c.id, c.email, c.active, c.locale, c.time_zone, i.user_id, i.locale AS chat_locale, c.quiet_from, c.quiet_to, c.quiet_weekends,
            -- The zone any chat reported for them: the same person on every chat.
            (SELECT z.time_zone FROM chat_identity z WHERE z.csm_id = c.id AND z.time_zone IS NOT NULL ORDER BY z.updated_at DESC LIMIT 1) AS reported_zone
     FROM csm c LEFT JOIN chat_identity i ON i.csm_id = c.id AND i.chat = $2::"ChatChannel"
     WHERE c.id = ANY($1::int[])`,
    [csmIds, chat],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        csmId: r.id,
        email: r.email,
        active: r.active,
        chatUserId: r.user_id,
        locale: csmLocale(r, r.chat_locale, partner.defaultLocale),
        timeZone: readerZone(r.time_zone, r.reported_zone, partner.timeZone),
        quiet: { from: r.quiet_from, to: r.quiet_to, weekends: r.quiet_weekends },
      },
    ]),
  );
}
