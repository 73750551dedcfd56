import type { ConversationDeps } from "../../src/actions/context.js";
import { createDispatcher, type DispatcherTuning } from "../../src/delivery/dispatcher.js";
import { enqueueHomes } from "../../src/delivery/home.js";
import { enqueueRedraws } from "../../src/delivery/refresh.js";
import { markThreaded } from "../../src/delivery/thread.js";
import type { Logger } from "../../src/log.js";
import type { ChannelPort } from "../../src/protocol/port.js";

/**
 * Card redraws as the service does them: deps.redraw queues refresh rows (deps.redrawHome
 * the CSM's Home rows) and a running
 * dispatcher sends them through the chat's real port. Rows already waiting (the demo data's
 * alerts) are set aside first, so the test sees only what it causes.
 */
export interface Redraws {
  /** Resolves once no redraw is waiting or in flight (the dispatcher has sent or given up on each). */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function redrawThroughOutbox(deps: ConversationDeps, ports: readonly ChannelPort[], log: Logger, tuning: Partial<DispatcherTuning> = {}): Promise<Redraws> {
  await deps.db.pool.query(`UPDATE outbox_message SET status = 'superseded', last_error = 'set aside by the test' WHERE status IN ('pending', 'failed')`);
  const dispatcher = createDispatcher({
    pool: deps.db.pool,
    prisma: deps.db.prisma,
    config: deps.config,
    ports,
    fanOutTo: [],
    log,
    // Pacing is the delivery tests' subject; here the redraw itself is.
    tuning: { replaceIntervalMs: { slack: 0, webex: 0 }, pollMs: 50, ...tuning },
  });
  dispatcher.start();
  let queued = Promise.resolve();
  deps.redraw = (alertId, clicked, change) => {
    queued = queued.then(() => enqueueRedraws(deps.db.pool, alertId, clicked, change)).then(() => dispatcher.wake());
  };
  deps.keepThread = (card) => {
    queued = queued.then(() => markThreaded(deps.db.pool, card));
  };
  deps.redrawHome = (csmId) => {
    queued = queued.then(() => enqueueHomes(deps.db.pool, [csmId])).then(() => dispatcher.wake());
  };
  return {
    async settled(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      await queued;
      for (;;) {
        const { rows } = await deps.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_message WHERE kind IN ('refresh', 'home') AND status IN ('pending', 'failed', 'sending')`);
        if (rows[0]!.n === 0) return;
        if (Date.now() > deadline) throw new Error(`redraws still waiting after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop() {
      delete deps.redraw;
      delete deps.redrawHome;
      delete deps.keepThread;
      await dispatcher.stop(2_000);
    },
  };
}
