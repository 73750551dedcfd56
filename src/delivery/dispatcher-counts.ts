import { sends } from "../metrics.js";

export type DeliveryOutcome = "sent" | "superseded" | "retry" | "rate_limited" | "dead" | "released";

export type DeliveryCounts = Record<DeliveryOutcome | "preview", number>;

export const zeroCounts = (): DeliveryCounts => ({ sent: 0, superseded: 0, retry: 0, rate_limited: 0, dead: 0, released: 0, preview: 0 });

/** The dispatcher's outcomes since creation, kept in step with the `sends` metric: one call counts both. */
export interface DeliveryCounter {
  readonly counts: DeliveryCounts;
  count(outcome: DeliveryOutcome, channel: string, n?: number): void;
  /** Preview rows marked sent: they have no port, so they are counted apart from the outcomes. */
  countPreviews(n: number): void;
  /** What was counted since `before` (a copy of `counts` taken then). */
  since(before: DeliveryCounts): DeliveryCounts;
}

export function createDeliveryCounter(): DeliveryCounter {
  const counts = zeroCounts();
  return {
    counts,
    count(outcome, channel, n = 1) {
      counts[outcome] += n;
      sends.inc({ channel, outcome }, n);
    },
    countPreviews(n) {
      if (n <= 0) return;
      counts.preview += n;
      sends.inc({ channel: "preview", outcome: "sent" }, n);
    },
    since(before) {
      const delta = zeroCounts();
      for (const key of Object.keys(delta) as (keyof DeliveryCounts)[]) delta[key] = counts[key] - before[key];
      return delta;
    },
  };
}
