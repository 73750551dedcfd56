import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db.js";
import { enqueue, markerNotice, seedPortfolio, unsent, until } from "../support/delivery.js";
import { startWorker, type Worker, faultTuning } from "../support/delivery-workers.js";
import { startFakeChat, type FakeChatOptions, type Received } from "../support/fake-chat.js";

/**
 * kill -9 of a dispatching instance, over many runs with two instances sharing one
 * PostgreSQL and one fake chat API. Each run writes 40 messages to 6 destinations, kills one
 * instance, starts a replacement, waits until every message is recorded as sent, and counts
 * what the fake API accepted: nothing may be missing, and a crash may repeat at most the one
 * message that was between the API's answer and the commit.
 *
 * Half the runs kill at a random moment; the other half kill the instance the instant the
 * fake API has answered one of its messages — the worst moment, which should cost exactly
 * one duplicate (the bound is tight, not just unobserved).
 */

const RUNS = Number(process.env.FAULT_KILL_RUNS ?? 24);
const PER_RUN = 40;
const TUNING = faultTuning({ leaseMs: 2_000 });

interface RunResult {
  run: number;
  mode: "random" | "answered";
  victim: string;
  missing: string[];
  duplicates: number;
  outOfOrder: string[];
}

describe("kill -9 of a dispatching instance", () => {
  it(`loses nothing and repeats at most the one in-flight message per crash (${RUNS} runs, two instances)`, async () => {
    const db = await createTestDatabase("postgres");
    const { csmIds } = await seedPortfolio(db.pool, { csms: 2, useCases: 1 });
    const destinations = [
      { channel: "slack" as const, destination: "C-0" },
      { channel: "slack" as const, destination: "C-1" },
      { channel: "slack" as const, destination: `csm:${csmIds[0]}` },
      { channel: "webex" as const, destination: "ROOM-0" },
      { channel: "webex" as const, destination: "ROOM-1" },
      { channel: "webex" as const, destination: `csm:${csmIds[1]}` },
    ];
    const base: FakeChatOptions = { latencyMs: () => Math.random() * 3 };
    const fake = await startFakeChat(base);
    let serial = 0;
    const spawnWorker = () => startWorker({ databaseUrl: db.url!, fakeChatUrl: fake.url, name: `w${serial++}`, tuning: TUNING });
    const workers: Worker[] = await Promise.all([spawnWorker(), spawnWorker()]);
    const results: RunResult[] = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        const slot = run % 2;
        const victim = workers[slot]!;
        const mode = run % 4 < 2 ? "answered" : "random";
        if (mode === "answered") {
          const nth = 1 + Math.floor(Math.random() * 6);
          let seen = 0;
          fake.options = {
            ...base,
            onAnswered: (r) => {
              if (r.instance === victim.name && r.status === 200 && ++seen === nth) {
                victim.kill();
                fake.options = base;
              }
            },
          };
        }
        const markers = Array.from({ length: PER_RUN }, (_, k) => `${run}-${k}`);
        const ids = await enqueue(
          db.pool,
          markers.map((m, k) => ({ ...destinations[k % destinations.length]!, payload: markerNotice(m) })),
        );
        if (mode === "random") setTimeout(() => victim.kill(), Math.random() * 250);
        // If the victim got too few messages to reach its n-th answer, kill it anyway.
        const fallback = setTimeout(() => victim.kill(), 3_000);
        await victim.exited;
        clearTimeout(fallback);
        fake.options = base;
        const replacement = spawnWorker();
        await until(async () => (await unsent(db.pool, ids)) === 0, 30_000, `run ${run}: all messages sent`);
        workers[slot] = await replacement;

        const counts = fake.deliveredCounts();
        const firstSeen = new Map<string, Received>();
        for (const r of fake.delivered()) if (r.marker && markers.includes(r.marker) && !firstSeen.has(r.marker)) firstSeen.set(r.marker, r);
        const outOfOrder: string[] = [];
        for (const d of destinations) {
          const order = [...firstSeen.values()].filter((r) => r.destination === d.destination && r.channel === d.channel).map((r) => Number(r.marker!.split("-")[1]));
          if (order.some((k, i) => i > 0 && k < order[i - 1]!)) outOfOrder.push(`${d.channel}:${d.destination} ${order.join(",")}`);
        }
        results.push({
          run,
          mode,
          victim: victim.name,
          missing: markers.filter((m) => !counts.get(m)),
          duplicates: markers.reduce((sum, m) => sum + Math.max(0, (counts.get(m) ?? 0) - 1), 0),
          outOfOrder,
        });
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop().catch(() => null)));
      await fake.close();
      await db.close();
    }

    // Counted again at the end: no late repeat of an earlier run's message.
    const totals = fake.deliveredCounts();
    const lateTotal = [...totals.values()].reduce((a, b) => a + b, 0);
    const duplicates = results.reduce((a, r) => a + r.duplicates, 0);
    console.log(
      `kill -9: ${results.length} runs, ${results.length} crashes, ${RUNS * PER_RUN} messages; duplicates per run: ` +
        results.map((r) => `${r.run}:${r.mode[0]}${r.duplicates}`).join(" ") +
        `; total duplicates ${duplicates} (${results.filter((r) => r.mode === "answered").reduce((a, r) => a + r.duplicates, 0)} in the ${results.filter((r) => r.mode === "answered").length} kill-on-answer runs)`,
    );
    expect(results).toHaveLength(RUNS);
    expect(results.flatMap((r) => r.missing)).toEqual([]);
    expect(results.flatMap((r) => r.outOfOrder)).toEqual([]);
    expect(Math.max(...results.map((r) => r.duplicates))).toBeLessThanOrEqual(1);
    expect(lateTotal).toBe(RUNS * PER_RUN + duplicates);
  }, 170_000);
});
