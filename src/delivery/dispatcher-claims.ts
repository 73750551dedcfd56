import type pg from "pg";
import type { ChatName } from "../protocol/chats.js";
import type { Logger } from "../log.js";
import { takeover } from "../metrics.js";
import type { DeliveryCounter } from "./dispatcher-counts.js";
import type { Held, HeldRows } from "./dispatcher-held.js";
import type { KnownHolds } from "./dispatcher-holds.js";
import type { GateClock } from "./dispatcher-pacing.js";
import type { StopSwitch } from "./dispatcher-stop.js";
import type { DispatcherTuning } from "./dispatcher-tuning.js";
import { sleep } from "./gate.js";
import { claim, fanOut, markPreviewSent, type ClaimedRow, type SendChannel } from "./store.js";
import { activeHolds } from "./store-hold.js";

export interface ClaimLoopDeps {
  pool: pg.Pool;
  log: Logger;
  tuning: DispatcherTuning;
  /** The chats this instance has a port for: the only rows it claims. */
  channels: readonly SendChannel[];
  /** The chats a row written for every chat is fanned out to. */
  fanOutTo: readonly ChatName[];
  held: HeldRows;
  counter: DeliveryCounter;
  stop: StopSwitch;
  gateClock: GateClock;
  /** Learns, at each poll, the 429 holds other instances met (for the rows already claimed). */
  holds: KnownHolds;
  /** Takes one held row from claimed to recorded. */
  handle: (entry: Held) => Promise<void>;
  /** Reads what a claimed batch's plans need, in one go, before the rows are handled one by one. */
  prefetch?: (rows: readonly ClaimedRow[]) => void;
}

export interface ClaimLoop {
  /** Fans out and marks previews (at most once per poll unless forced), then claims and holds what the gate can pass soon. Returns the rows claimed. */
  claimRound(force?: boolean): Promise<number>;
  /** Claims until stopping, backing off while the database is away. */
  run(): Promise<void>;
  /** Cuts the current wait short: new rows, or a row finished. */
  wake(): void;
}

export function createClaimLoop(deps: ClaimLoopDeps): ClaimLoop {
  const { pool, log, tuning, channels, held, stop } = deps;
  let nudge: (() => void) | undefined;
  let lastClaim = 0;
  let lastPreview = -Infinity;
  /** Held rows at or below which a finished row wakes the claim loop (half the last budget). */
  let lowWater = 4;

  async function claimRound(force = false): Promise<number> {
    if (force || performance.now() - lastPreview >= tuning.pollMs) {
      lastPreview = performance.now();
      await fanOut(pool, deps.fanOutTo);
      deps.counter.countPreviews(await markPreviewSent(pool));
      if (channels.length > 0) deps.holds.learn(await activeHolds(pool, channels));
    }
    const budget = Math.min(tuning.claimBatch, Math.max(8, Math.ceil(tuning.claimAheadMs / deps.gateClock.meanMs)));
    lowWater = Math.floor(budget / 2);
    const free = budget - held.size;
    if (free <= 0 || channels.length === 0) return 0;
    const claimedAt = performance.now();
    lastClaim = claimedAt;
    const rows = await claim(pool, {
      channels,
      limit: free,
      leaseMs: tuning.leaseMs,
      horizonMs: tuning.horizonMs,
      coalesceWindowMs: tuning.coalesceWindowMs,
      minIntervalMs: tuning.minIntervalMs,
    });
    if (rows.length > 0) deps.prefetch?.(rows);
    for (const row of rows) {
      if (row.takenOverAfterMs !== null) {
        takeover.observe(row.takenOverAfterMs / 1000);
        log.info({ outboxId: row.id, destination: row.destination, takenOverAfterMs: row.takenOverAfterMs }, "delivery: took over a message whose holder stopped renewing its lease");
      }
      const entry = held.hold(row, claimedAt + tuning.leaseMs);
      entry.done = deps
        .handle(entry)
        .catch((error: unknown) => log.error({ err: error, outboxId: row.id }, "delivery: unexpected failure handling an outbox row; its lease will expire and it will be retried"))
        .finally(() => {
          held.letGo(row.id);
          // A finished row brings the next claim forward only once half the budget is free: the
          // claim reads every live row, so fewer, larger claims (the poll still comes every pollMs).
          if (held.size <= lowWater) nudge?.();
        });
    }
    return rows.length;
  }

  /** Waits `ms`, or less if woken (a row finished, wake()), but never claims more often than claimGapMs. */
  async function idle(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        nudge = undefined;
        stop.signal.removeEventListener("abort", finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      nudge = finish;
      stop.signal.addEventListener("abort", finish, { once: true });
    });
    const gap = tuning.claimGapMs - (performance.now() - lastClaim);
    if (gap > 0 && !stop.stopping) await sleep(gap, stop.signal);
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stop.stopping) {
      let claimed = 0;
      try {
        claimed = await claimRound();
        if (failures > 0) log.info({ after: failures }, "delivery: database reachable again, claiming");
        failures = 0;
      } catch (error) {
        failures++;
        const wait = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
        log.warn({ err: error, failures, retryInMs: wait }, "delivery: cannot claim outbox rows");
        await sleep(wait, stop.signal);
        continue;
      }
      // A full batch: wait for a row to finish; a partial one: nothing more is due, poll.
      await idle(claimed > 0 && held.size >= tuning.claimBatch ? tuning.pollMs * 4 : tuning.pollMs);
    }
  }

  return {
    claimRound,
    run,
    wake() {
      nudge?.();
    },
  };
}
