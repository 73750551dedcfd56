import type pg from "pg";
import type { SendOutcome } from "../protocol/port.js";
import type { ChatName } from "../protocol/chats.js";
import { inTransaction } from "../db/sql.js";
import type { Logger } from "../log.js";
import { rateLimited, retries } from "../metrics.js";
import { enqueueAdminNotices, isDeliveryFailedNotice } from "./admin-notices.js";
import { backoffDelayMs, type BackoffPolicy } from "./backoff.js";
import type { DeliveryCounter } from "./dispatcher-counts.js";
import type { Held, HeldRows } from "./dispatcher-held.js";
import type { KnownHolds } from "./dispatcher-holds.js";
import { markFinal, markRetry } from "./store.js";
import { EVERY_DESTINATION, markRateLimited } from "./store-hold.js";


/** The longest a 429 holds delivery back, whatever its Retry-After says: an hour. */
export const MAX_RETRY_AFTER_MS = 3_600_000;
export type SendFailure = Extract<SendOutcome, { ok: false }>;

export interface FailureRecorderDeps {
  pool: pg.Pool;
  log: Logger;
  held: HeldRows;
  counter: DeliveryCounter;
  backoff: BackoffPolicy;
  /** A retryable failure is retried at least this long after the row was written. */
  retryWindowMs: number;
  /** Retryable failures before a row may die (once the retry window has passed too). */
  maxAttempts: number;
  /** Who hears about a dead row, and on which chats. */
  adminEmails: readonly string[];
  noticeChannels: readonly ChatName[];
  /** A 429 holds back this instance's other rows there at once (the claim reads the stored hold). */
  holds: KnownHolds;
  now: () => Date;
}

/**
 * What a failed send (or a failed preparation) becomes: a 429 waits exactly as asked, a
 * retryable failure backs off, and the rest is dead, with a notice to the admins.
 */
export function createFailureRecorder(deps: FailureRecorderDeps): (entry: Held, outcome: SendFailure) => Promise<void> {
  const { pool, log, held } = deps;
  const { count } = deps.counter;

  return async function recordFailure(entry, outcome) {
    const row = entry.row;
    const fields = { outboxId: row.id, channel: row.channel, destination: row.destination, attempts: row.attempts, reason: outcome.reason };
    if (outcome.retryAfterMs !== undefined) {
      // A chat's Retry-After is its word, within reason: a bogus one (days) would hold every message to what it covers that long.
      const retryAfterMs = Math.min(Math.max(0, outcome.retryAfterMs), MAX_RETRY_AFTER_MS);
      rateLimited.inc({ channel: row.channel });
      retries.inc({ channel: row.channel });
      const covers = outcome.retryAfterCovers ?? "destination";
      log.info({ ...fields, retryAfterMs, askedMs: outcome.retryAfterMs, covers }, "delivery: rate limited, waiting as asked");
      // Before the write: the next row through the gate must already see it.
      deps.holds.add(row.channel, covers === "chat" ? EVERY_DESTINATION : row.destination, retryAfterMs);
      if (await held.persist(entry, () => markRateLimited(pool, row, `429: ${outcome.reason} (retry after ${retryAfterMs} ms)`, retryAfterMs, covers))) {
        count("rate_limited", row.channel);
      }
      return;
    }
    // A retryable failure gives up only after maxAttempts AND the retry window: a chat that
    // is down for an hour loses nothing (issue: "nothing is lost if Webex is down for an hour").
    const withinWindow = deps.now().getTime() - row.createdAt.getTime() < deps.retryWindowMs;
    if (outcome.retryable && (row.attempts < deps.maxAttempts || withinWindow)) {
      const delay = backoffDelayMs(row.attempts, deps.backoff);
      retries.inc({ channel: row.channel });
      log.warn({ ...fields, retryInMs: delay }, "delivery: send failed, will retry");
      if (await held.persist(entry, () => markRetry(pool, row, outcome.reason, delay, true))) count("retry", row.channel);
      return;
    }
    const reason = outcome.retryable ? `gave up after ${row.attempts} attempts: ${outcome.reason}` : outcome.reason;
    log.error(fields, outcome.retryable ? "delivery: giving up, message is dead" : "delivery: permanent failure, message is dead");
    // Admins hear about destinations they can fix, not about a notice to themselves failing or
    // a card someone deleted before its refresh.
    const notify = row.kind !== "refresh" && row.kind !== "home" && !(row.kind === "notice" && isDeliveryFailedNotice(row.payload));
    const recorded = await held.persist(entry, () =>
      inTransaction(pool, async (client) => {
        const ok = await markFinal(client, row, "dead", reason);
        if (ok && notify) {
          await enqueueAdminNotices(client, { channel: row.channel, destination: row.destination, reason, outboxId: row.id }, { adminEmails: deps.adminEmails, channels: deps.noticeChannels });
        }
        return ok;
      }),
    );
    if (recorded) count("dead", row.channel);
  };
}
