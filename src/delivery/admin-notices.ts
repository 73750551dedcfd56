import { createHash } from "node:crypto";
import type { Queryable } from "../db/sql.js";
import { CHAT_REGISTRY, type ChatName } from "../protocol/chats.js";
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
 * `channels` the admin has an account on (a chat_identity row), never the broken destination
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
  options: { adminEmails: readonly string[]; channels: readonly ChatName[] },
): Promise<number> {
  if (options.adminEmails.length === 0 || options.channels.length === 0) return 0;
  const { rows: [lastSent] } = await client.query<{ id: number | null }>(
    `SELECT max(id) AS id FROM outbox_message WHERE channel = $1::"ChatChannel" AND destination = $2 AND status = 'sent'`,
    [failure.channel, failure.destination],
  );
  const episode = lastSent?.id ?? 0;
  const reasonKey = createHash("sha256").update(reasonClass(failure.reason)).digest("hex").slice(0, 16);
  const { rows: admins } = await client.query<{ id: number; chats: string[] }>(
    `SELECT c.id, array_remove(array_agg(i.chat::text), NULL) AS chats
     FROM csm c LEFT JOIN chat_identity i ON i.csm_id = c.id
     WHERE c.active AND lower(c.email) = ANY($1::text[]) GROUP BY c.id ORDER BY c.id`,
    [options.adminEmails.map((e) => e.toLowerCase())],
  );
  const rows: { channel: string; destination: string; csmId: number; dedupe: string }[] = [];
  for (const admin of admins) {
    const destination = `csm:${admin.id}`;
    const usable = options.channels.filter((c) => !(c === failure.channel && destination === failure.destination));
    // The preview needs no account: it shows any CSM's rows.
    // A chat without accounts reaches anyone; the others only those linked on it.
    const known = (c: ChatName) => !CHAT_REGISTRY[c].sends || admin.chats.includes(c);
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

/** The kinds of delivery failure an admin is told about in words (`chat.delivery.cause.<cause>`). */
export const DELIVERY_CAUSES = ["removed", "notFound", "archived", "inactive", "restricted", "rejected", "cannotEdit", "rateLimited", "token", "network", "outsidePartner", "other"] as const;
export type DeliveryCause = (typeof DELIVERY_CAUSES)[number];

/** Slack's error codes and Webex's statuses (as the ports write them into a reason), by cause. */
const CAUSE_PATTERNS: readonly [DeliveryCause, RegExp][] = [
  ["outsidePartner", /outside the partner's email domains|PARTNER_DOMAINS/i],
  ["removed", /\bnot_in_channel\b|\bwebex 403\b/],
  ["archived", /\bis_archived\b/],
  ["inactive", /\baccount_inactive\b|\buser_disabled\b/],
  ["notFound", /\bchannel_not_found\b|\busers?_not_found\b|\bmessage_not_found\b|\bwebex 40[46]\b|\bwebex 410\b/],
  ["restricted", /\brestricted_action\b|\bcannot_dm_bot\b|\bmissing_scope\b/],
  ["cannotEdit", /\bcant_update_message\b|\bedit_window_closed\b/],
  ["rejected", /\binvalid_blocks(_format)?\b|\bmsg_too_long\b|\bno_text\b|\bwebex (400|409|413|415|422)\b/],
  ["rateLimited", /\brate_limited\b|\bwebex 429\b|\bratelimited\b/],
  ["token", /\bwebex 401\b|\binvalid_auth\b|\bnot_authed\b|\btoken_revoked\b|\baccount_inactive_token\b/],
  ["network", /\bnetwork:|\bunreachable\b|\bno answer within\b|\bhttp_5\d\d\b|\bwebex 5\d\d\b|ECONNREFUSED|ETIMEDOUT|ENOTFOUND/i],
];

/**
 * Why a message could not be delivered, as a cause the admin notice explains in the admin's
 * language (the raw reason is shown next to it). "gave up after 5 attempts: network: …" is
 * classified by what it gave up on.
 */
export function deliveryCause(reason: string): DeliveryCause {
  for (const [cause, pattern] of CAUSE_PATTERNS) if (pattern.test(reason)) return cause;
  return "other";
}
