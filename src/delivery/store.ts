/**
 * Every statement the dispatcher runs against outbox_message. The table has no lease or
 * owner column, so a claim is encoded in the columns it has:
 *
 * - `status = 'sending'` and `next_attempt_at` = when the lease expires. The lease is short
 *   (seconds) and the holder renews it with a heartbeat while it holds the row, a slow chat
 *   call included; a crashed instance's rows are taken again once that time has passed.
 * - the lease's expiry is also the claim's fencing token: every write that ends a claim
 *   checks `status = 'sending' AND next_attempt_at = <token>`, so an instance whose lease
 *   was taken over cannot overwrite the new holder's outcome. Each new claim sets a later
 *   expiry, so tokens never repeat for a row.
 * - `attempts` counts the claims that called the chat API (a release gives it back, a 429
 *   does not count).
 *
 * This file is the store's public face; the statements live by what they do: claiming
 * (store-claim.ts), renewing and ending a claim (store-lease.ts), rows no port sends
 * (store-fan-out.ts) and the chain of redrawn cards (store-refresh.ts).
 */

export type { ClaimedRow, OutboxKind, SendChannel, Sibling } from "./store-rows.js";
export { claim, type ClaimOptions } from "./store-claim.js";
export { fenceSend, markFinal, markRefreshed, markRetry, markSent, markSentAndFence, release, renewLeases, supersedeInFavourOf, supersedeRows } from "./store-lease.js";
export { fanOut, markPreviewSent } from "./store-fan-out.js";
export { currentMessage, supersedeLaterRefreshes } from "./store-refresh.js";
