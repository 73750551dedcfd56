import { DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import type { SendChannel } from "./store.js";

export interface DispatcherTuning {
  /**
   * How long a claim holds a row without renewal: a crashed instance's rows are taken again
   * this long after its last heartbeat. Short, because a live instance renews it.
   */
  leaseMs: number;
  /** How often the leases of every held row are renewed, a row in a slow chat call too. At most leaseMs / 4. */
  heartbeatMs: number;
  /** A chat call that has not answered in this long counts as a retryable failure. */
  sendTimeoutMs: number;
  /** How often to look for new rows when idle. */
  pollMs: number;
  /** Most rows held (claimed, rendering, waiting for their rate limit or the gate) at once. */
  claimBatch: number;
  /**
   * Claim only what the gate is expected to pass within this long (measured): with a slow
   * chat API an instance takes a few rows, not a batch that other instances could be sending.
   */
  claimAheadMs: number;
  /** Rows between "call the chat API" and "commit the outcome" at once: the duplicates a crash can cause. */
  maxInFlight: number;
  /** Rows being prepared (read, rendered) at once; the soonest due first. */
  prepareConcurrency: number;
  /** Alert rows about one use case to one destination written this close together become one card; alert rows wait this long before they are sent. */
  coalesceWindowMs: number;
  /** Minimum gap between two messages to one destination (Slack: about 1 per second per channel). */
  minIntervalMs: Record<SendChannel, number>;
  /** Minimum gap between two card replacements on one chat, per instance (Slack chat.update is tier 3, about 50 a minute). */
  replaceIntervalMs: Record<SendChannel, number>;
  /** Claim rows that become due within this long, and wait for them locally (precise pacing). */
  horizonMs: number;
  /** Fewest milliseconds between two claims while busy (fewer, larger claims). */
  claimGapMs: number;
  backoff: BackoffPolicy;
  /** A retryable failure is retried at least this long after the row was written (then maxAttempts decides). */
  retryWindowMs: number;
}

export const DEFAULT_TUNING: DispatcherTuning = {
  leaseMs: 5_000,
  heartbeatMs: 1_000,
  sendTimeoutMs: 20_000,
  pollMs: 250,
  claimBatch: 256,
  claimAheadMs: 1_000,
  maxInFlight: 1,
  prepareConcurrency: 4,
  coalesceWindowMs: 3_000,
  minIntervalMs: { slack: 1_000, webex: 0 },
  replaceIntervalMs: { slack: 1_200, webex: 0 },
  horizonMs: 1_000,
  claimGapMs: 50,
  backoff: DEFAULT_BACKOFF,
  retryWindowMs: 6 * 3_600_000,
};
