import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db.js";
import { enqueue, markerNotice, unsent, until } from "../support/delivery.js";
import { startWorker, type Worker, faultTuning } from "../support/delivery-workers.js";
import { startFakeChat, type Received } from "../support/fake-chat.js";

/**
 * A chat API that answers 500 and 429 (Retry-After 1 s) for a while, then recovers, and that
 * enforces a per-channel rate limit like Slack's chat.postMessage (scaled to one message per
 * 100 ms so the test is short). Two instances dispatch.
 */

const WINDOW_MS = 100;
const OUTAGE_MS = 2_500;
const RETRY_AFTER_MS = 1_000;
const TUNING = faultTuning({ sendTimeoutMs: 1_000, horizonMs: 200, minIntervalMs: { slack: WINDOW_MS, webex: WINDOW_MS }, backoff: { baseMs: 200, factor: 2, maxMs: 1_500 } });

describe("a chat API that fails for a while", () => {
  it("gets everything once it recovers, once each, in order per destination, within the rate limit", async () => {
    const db = await createTestDatabase("postgres");
    let outageUntil = Infinity;
    const fake = await startFakeChat({
      rateLimit: { windowMs: WINDOW_MS },
      latencyMs: 1,
      fault: ({ n }) => (performance.now() < outageUntil ? (n % 2 ? { status: 429, retryAfterMs: RETRY_AFTER_MS } : { status: 500 }) : undefined),
    });
    const workers: Worker[] = await Promise.all(
      ["out-a", "out-b"].map((n) => startWorker({ databaseUrl: db.url!, fakeChatUrl: fake.url, name: n, tuning: TUNING, maxAttempts: 30 })),
    );
    try {
      const destinations = ["C-0", "C-1", "C-2", "C-3"];
      const markers = Array.from({ length: 48 }, (_, k) => `out-${k}`);
      const destinationOf = (k: number) => destinations[k % destinations.length]!;
      outageUntil = performance.now() + OUTAGE_MS;
      const ids = await enqueue(db.pool, markers.map((m, k) => ({ channel: "slack" as const, destination: destinationOf(k), payload: markerNotice(m) })));
      await until(async () => (await unsent(db.pool, ids)) === 0, 60_000, "every message sent");

      const delivered = fake.delivered();
      const counts = fake.deliveredCounts();
      const faults = fake.received.filter((r) => r.refused === "fault");
      const rateRefusals = fake.received.filter((r) => r.refused === "rate");
      console.log(
        `chat outage: ${faults.length} requests refused during the ${OUTAGE_MS} ms outage (500 and 429), ${rateRefusals.length} refused by the rate limit afterwards, ${delivered.length} delivered`,
      );
      expect(faults.length).toBeGreaterThan(0);
      // Everything arrived, once, and only after the API recovered.
      expect(markers.filter((m) => counts.get(m) !== 1)).toEqual([]);
      expect(delivered.every((r) => r.at >= outageUntil)).toBe(true);
      for (const d of destinations) {
        const mine = delivered.filter((r) => r.destination === d);
        // In order per destination.
        expect(mine.map((r) => Number(r.marker!.split("-")[1]))).toEqual(markers.map((_, k) => k).filter((k) => destinationOf(k) === d));
        // Within the rate limit: the instances pace themselves, the fake never had to refuse.
        const gaps = mine.slice(1).map((r, i) => r.at - mine[i]!.at);
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(WINDOW_MS);
        // Each 429's Retry-After was honoured for its destination.
        for (const refused of faults.filter((r) => r.status === 429 && r.destination === d)) {
          const next = fake.received.find((r: Received) => r.destination === d && r.seq > refused.seq);
          if (next) expect(next.at - refused.at).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
        }
      }
      expect(rateRefusals).toEqual([]);
    } finally {
      await Promise.all(workers.map((w) => w.stop().catch(() => null)));
      await fake.close();
      await db.close();
    }
  }, 120_000);
});
