import type pg from "pg";
import type { ChannelPort, OutgoingMessage } from "../protocol/port.js";
import type { Config } from "../config.js";
import type { ChatName } from "../protocol/chats.js";
import type { PrismaClient } from "../db/database.js";
import type { Logger } from "../log.js";
import { createClaimLoop } from "./dispatcher-claims.js";
import { createDeliveryCounter, type DeliveryCounts } from "./dispatcher-counts.js";
import { createFailureRecorder } from "./dispatcher-failure.js";
import { createHeldRows } from "./dispatcher-held.js";
import { createKnownHolds } from "./dispatcher-holds.js";
import { createGateClock, createReplacePacing } from "./dispatcher-pacing.js";
import { createRowSender } from "./dispatcher-send.js";
import { createStopSwitch } from "./dispatcher-stop.js";
import { DEFAULT_TUNING, type DispatcherTuning } from "./dispatcher-tuning.js";
import { sleep } from "./gate.js";
import { createPlanner } from "./plan.js";
import { renderMessage, type MessageRenderer } from "./renderer.js";
import type { SendChannel } from "./store.js";

/**
 * The outbox dispatcher: sends the rows the alert engine and the actions wrote, through the
 * chat ports, on any number of instances sharing one PostgreSQL.
 *
 * Guarantees (each instance, each crash):
 * - At least once: a row leaves `pending`/`failed` only as `sent`, `superseded` or `dead`,
 *   each written after the fact; a crashed instance's leased rows are taken again when the
 *   lease expires.
 * - At most one repeat per crash: the only window in which a crash repeats a message is
 *   between the chat API's answer and the commit of `sent`. The gate lets `maxInFlight`
 *   (default 1) rows through that window at a time, so a kill -9 repeats at most that many.
 *   Rendering, waiting for rate limits and claiming run concurrently outside it.
 * - Order per destination: only a destination's head row (lowest id not sent, dead or
 *   superseded) is ever claimed, so row N+1 is never sent while row N is unsent and alive.
 */

export type { DeliveryCounts, DeliveryOutcome } from "./dispatcher-counts.js";
export { DEFAULT_TUNING, type DispatcherTuning } from "./dispatcher-tuning.js";

export interface DispatcherDeps {
  pool: pg.Pool;
  prisma: PrismaClient;
  config: Pick<Config, "partner" | "alerts" | "lcaPortalUrl" | "delivery">;
  ports: readonly ChannelPort[];
  log: Logger;
  /** Card → message in the reader's language; defaults to the Adaptive Card templates. */
  render?: MessageRenderer;
  tuning?: Partial<DispatcherTuning>;
  /** Chats that admin notices go to; default: those with a port here, else the preview. */
  noticeChannels?: readonly ChatName[];
  /** Chats a person's row written for every chat becomes one row each on; default: those with a port here. */
  fanOutTo?: readonly ChatName[];
  now?: () => Date;
}

export interface StopReport {
  /** Rows given back untouched. */
  released: number;
  /** Rows still between the chat API and the commit when the timeout struck (their lease expires). */
  abandoned: number;
  timedOut: boolean;
}

export interface Dispatcher {
  /** Starts the claim loop (idempotent). */
  start(): void;
  /** Stops claiming, finishes what is inside the chat call, gives back the rest; resolves within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<StopReport>;
  /** Sends everything due now (and what becomes due while doing so, within the horizon), then resolves. Not while started. */
  drainOnce(): Promise<DeliveryCounts>;
  /** New rows were written: look now instead of at the next poll. */
  wake(): void;
  /** Outcomes since creation. */
  readonly counts: DeliveryCounts;
}

/**
 * Composes the parts: the claim loop takes rows and holds them (dispatcher-claims.ts), the
 * held rows keep their leases (dispatcher-held.ts), the row sender takes each one from plan
 * to recorded outcome (dispatcher-send.ts; failures: dispatcher-failure.ts), paced per chat
 * (dispatcher-pacing.ts). What is left here is the lifecycle: start, stop, drain.
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const tuning: DispatcherTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  tuning.heartbeatMs = Math.min(tuning.heartbeatMs, tuning.leaseMs / 4);
  const { pool, log } = deps;
  const ports = new Map<SendChannel, ChannelPort>(deps.ports.map((p) => [p.channel, p]));
  const channels = [...ports.keys()];
  const counter = createDeliveryCounter();
  const { counts } = counter;
  const stop = createStopSwitch();
  const gateClock = createGateClock();
  const holds = createKnownHolds();
  const held = createHeldRows({ pool, log, leaseMs: tuning.leaseMs, heartbeatMs: tuning.heartbeatMs });
  const now = deps.now ?? (() => new Date());
  const planner = createPlanner({ pool, prisma: deps.prisma, config: deps.config, render: deps.render ?? renderMessage, now });
  const handle = createRowSender({
    pool,
    log,
    tuning,
    ports,
    plan: planner,
    held,
    counter,
    stop,
    pacing: createReplacePacing(tuning.replaceIntervalMs, stop),
    gateClock,
    holds,
    partnerDomains: deps.config.partner.domains,
    recordFailure: createFailureRecorder({
      pool,
      log,
      held,
      counter,
      backoff: tuning.backoff,
      retryWindowMs: tuning.retryWindowMs,
      maxAttempts: deps.config.delivery.maxAttempts,
      adminEmails: deps.config.partner.admins,
      noticeChannels: deps.noticeChannels ?? (channels.length > 0 ? channels : (["preview"] as const)),
      holds,
      now,
    }),
  });
  const claims = createClaimLoop({ pool, log, tuning, channels, fanOutTo: deps.fanOutTo ?? channels, held, counter, stop, gateClock, holds, handle, prefetch: planner.prefetch });

  let started = false;
  let draining = false;
  let loop: Promise<void> | undefined;

  return {
    counts,
    start() {
      if (started) return;
      if (draining) throw new Error("delivery: start() while drainOnce() runs");
      started = true;
      stop.reset();
      loop = claims.run().catch((error: unknown) => log.fatal({ err: error }, "delivery: the claim loop stopped"));
      log.info({ channels, maxInFlight: tuning.maxInFlight, leaseMs: tuning.leaseMs }, "delivery: dispatcher started");
    },

    async stop(timeoutMs = deps.config.delivery.shutdownTimeoutMs) {
      const deadline = performance.now() + timeoutMs;
      const releasedBefore = counts.released;
      stop.stop();
      claims.wake();
      const everything = async () => {
        await loop;
        while (held.size > 0) await Promise.allSettled(held.all().map((h) => h.done));
      };
      let timedOut = false;
      await Promise.race([
        everything(),
        sleep(Math.max(0, deadline - performance.now())).then(() => {
          timedOut = true;
        }),
      ]);
      started = false;
      // A call still hanging keeps no lease alive: its row is taken again one lease from now.
      held.stopHeartbeat();
      const report: StopReport = { released: counts.released - releasedBefore, abandoned: held.size, timedOut };
      log.info(report, "delivery: dispatcher stopped");
      return report;
    },

    async drainOnce() {
      if (started) throw new Error("delivery: drainOnce() while the dispatcher is started");
      draining = true;
      stop.reset();
      const before = { ...counts };
      try {
        for (;;) {
          await claims.claimRound(true);
          if (held.size === 0) break;
          await Promise.race(held.all().map((h) => h.done));
        }
      } finally {
        draining = false;
      }
      return counter.since(before);
    },

    wake() {
      claims.wake();
    },
  };
}

export type { OutgoingMessage };
