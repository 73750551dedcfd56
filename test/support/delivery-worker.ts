/**
 * One dispatching instance for the fault tests and the benchmark: the real dispatcher against
 * PostgreSQL, sending through FakeChatPort to the fake chat API. Run with
 * `node --import tsx test/support/delivery-worker.ts`.
 *
 * Environment: DATABASE_URL, FAKE_CHAT_URL, INSTANCE, DELIVERY_TUNING (JSON, partial
 * DispatcherTuning), OUTBOX_MAX_ATTEMPTS, SHUTDOWN_MS, LOG_LEVEL.
 * Prints one JSON line {"ready":…} once claiming, and {"done":…} with its counts and peak RSS
 * after a SIGTERM (graceful stop).
 */
import { openDatabase } from "../../src/db/database.js";
import { createDispatcher, type DispatcherTuning } from "../../src/delivery/dispatcher.js";
import { createLogger } from "../../src/log.js";
import { deliveryConfig } from "./delivery.js";
import { FakeChatPort } from "./fake-chat-port.js";

const env = process.env;
const instance = env.INSTANCE ?? `worker-${process.pid}`;
const db = await openDatabase({ kind: "postgres", url: env.DATABASE_URL! });
const tuning = JSON.parse(env.DELIVERY_TUNING ?? "{}") as Partial<DispatcherTuning>;
const ports = (["slack", "webex"] as const).map((channel) => new FakeChatPort(channel, env.FAKE_CHAT_URL!, instance));
const log = createLogger(env.LOG_LEVEL ?? "warn", process.stderr).child({ instance });
const dispatcher = createDispatcher({
  pool: db.pool,
  prisma: db.prisma,
  config: deliveryConfig({ OUTBOX_MAX_ATTEMPTS: env.OUTBOX_MAX_ATTEMPTS ?? "8" }),
  ports,
  log,
  tuning,
});
dispatcher.start();
process.stdout.write(`${JSON.stringify({ ready: instance, pid: process.pid })}\n`);

process.once("SIGTERM", () => {
  void (async () => {
    const stop = await dispatcher.stop(Number(env.SHUTDOWN_MS ?? 5_000));
    await db.close();
    process.stdout.write(`${JSON.stringify({ done: instance, counts: dispatcher.counts, stop, maxRssKb: process.resourceUsage().maxRSS })}\n`);
    process.exit(0);
  })();
});
