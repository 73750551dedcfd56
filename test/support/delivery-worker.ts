/**
 * One dispatching instance for the fault tests and the benchmark: the real dispatcher against
 * PostgreSQL, sending through FakeChatPort to the fake chat API. Run with
 * `node --import tsx test/support/delivery-worker.ts`.
 *
 * Environment: DATABASE_URL, FAKE_CHAT_URL, INSTANCE, DELIVERY_TUNING (JSON, partial
 * DispatcherTuning), OUTBOX_MAX_ATTEMPTS, SHUTDOWN_MS, LOG_LEVEL.
 * Prints one JSON line {"ready":…} once claiming, and {"done":…} with its counts and peak RSS
 * after a SIGTERM (graceful stop), and the CPU it used since it started claiming.
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
// CPU from here to the stop: what the dispatcher spent on the run (the benchmark divides it by the messages).
const cpuAtStart = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ready: instance, pid: process.pid })}\n`);

process.once("SIGTERM", () => {
  // A second SIGTERM (the harness stopping everything in its finally) must not cut the exit short: a --cpu-prof profile is written at exit.
  process.on("SIGTERM", () => undefined);
  void (async () => {
    const cpu = process.cpuUsage(cpuAtStart);
    const stop = await dispatcher.stop(Number(env.SHUTDOWN_MS ?? 5_000));
    await db.close();
    process.stdout.write(`${JSON.stringify({ done: instance, counts: dispatcher.counts, stop, maxRssKb: process.resourceUsage().maxRSS, cpuMs: (cpu.user + cpu.system) / 1000, cpuSysMs: cpu.system / 1000 })}\n`);
    process.exit(0);
  })();
});
