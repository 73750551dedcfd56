import { createHash } from "node:crypto";
import type { Queryable } from "../db/sql.js";
import type { SendChannel } from "./store.js";

/** What an admin is told about a destination the bot cannot deliver to (payload of a `notice` row). */
export interface DeliveryFailedNotice {
  deliveryFailed: {
    channel: SendChannel;
    destination: string;
    reason: string;
    /** The first message that could not be delivered. */
    outboxId: number;
  };
}

export function isDeliveryFailedNotice(payload: unknown): payload is DeliveryFailedNotice {
  const inner = (payload as Partial<DeliveryFailedNotice> | null)?.deliveryFailed;
  return typeof inner === "object" && inner !== null && typeof inner.destination === "string" && typeof inner.reason === "string";
}

/**
 * One notice per (destination, reason) to each partner admin, on one chat: the first of
 * `channels` the admin has an account on (a Slack or Webex id), never the broken destination
 * itself. "One" holds per failure episode: the dedupe key
 * names the last message that did reach the destination, so the same failure after the
 * destination worked again (bot removed a second time) tells the admins again, while a
 * hundred queued messages failing the same way tell them once.
 *
 * Runs in the transaction that marks the message dead. Returns the number of notices written.
 */
export async function enqueueAdminNotices(
  client: Queryable,
  failure: { channel: SendChannel; destination: string; reason: string; outboxId: number },
  options: { adminEmails: readonly string[]; channels: readonly ("webex" | "slack" | "preview")[] },
): Promise<number> {
  if (options.adminEmails.length === 0 || options.channels.length === 0) return 0;
  const { rows: [lastSent] } = await client.query<{ id: number | null }>(
    `SELECT max(id) AS id FROM outbox_message WHERE channel = $1::"ChatChannel" AND destination = $2 AND status = 'sent'`,
    [failure.channel, failure.destination],
  );
  const episode = lastSent?.id ?? 0;
  const reasonKey = createHash("sha256").update(reasonClass(failure.reason)).digest("hex").slice(0, 16);
  const { rows: admins } = await client.query<{ id: number; slack_user_id: string | null; webex_person_id: string | null }>(
    `SELECT id, slack_user_id, webex_person_id FROM csm WHERE active AND lower(email) = ANY($1::text[]) ORDER BY id`,
    [options.adminEmails.map((e) => e.toLowerCase())],
  );
  const rows: { channel: string; destination: string; csmId: number; dedupe: string }[] = [];
  for (const admin of admins) {
    const destination = `csm:${admin.id}`;
    const usable = options.channels.filter((c) => !(c === failure.channel && destination === failure.destination));
    const known = (c: string) => c === "preview" || (c === "slack" ? admin.slack_user_id : admin.webex_person_id) !== null;
    const channel = usable.find(known) ?? usable[0];
    if (!channel) continue;
    rows.push({ channel, destination, csmId: admin.id, dedupe: `notice:delivery-failed:${failure.channel}:${failure.destination}:${reasonKey}:${episode}:admin:${admin.id}` });
  }
  if (rows.length === 0) return 0;
  const payload: DeliveryFailedNotice = { deliveryFailed: failure };
  const result = await client.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, kind, payload, dedupe_key)
     SELECT channel, destination, csm_id, 'notice', $4::jsonb, dedupe
     FROM unnest($1::"ChatChannel"[], $2::text[], $3::int[], $5::text[]) AS t(channel, destination, csm_id, dedupe)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [rows.map((r) => r.channel), rows.map((r) => r.destination), rows.map((r) => r.csmId), JSON.stringify(payload), rows.map((r) => r.dedupe)],
  );
  return result.rowCount ?? 0;
}

/**
 * The part of a reason that names the failure, without ids or timestamps a platform may
 * add ("channel_not_found", "404 room not found"), so the same failure is one notice.
 */
export function reasonClass(reason: string): string {
  return reason.toLowerCase().replace(/[0-9a-f]{8,}/g, "#").replace(/\s+/g, " ").trim().slice(0, 200);
}
