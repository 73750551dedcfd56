/**
 * When a failed send is tried again. Exponential in the attempt number with "equal jitter"
 * (half fixed, half random), so instances that failed together do not retry together; a
 * 429 waits exactly what the chat API asked for.
 */
export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Growth per further attempt. */
  factor: number;
  /** Upper bound of one delay. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, factor: 3, maxMs: 30 * 60_000 };

/** `attempt`: 1 for the first failed attempt. `random` in [0, 1) (injected in tests). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
