/**
 * npm run bench:delivery — delivering 10,000 alerts to 200 CSMs and 20 team spaces through the
 * real dispatcher (PostgreSQL, real card rendering), against a fake chat API that enforces
 * Slack's chat.postMessage limit of one message per second per channel (answering 429 with
 * Retry-After when it is exceeded). Reports the time taken next to the lower bound the rate
 * limit allows (the busiest channel's messages one window apart), the 429s received and each
 * instance's peak RSS; first with one instance, then with two.
 *
 *   npm run bench:delivery
 *   WINDOW_MS=250 npm run bench:delivery     # the limit scaled down: 1 message per 250 ms per channel
 *   ALERTS=10000 CSMS=200 SPACES=20 INSTANCES=1,2 WINDOW_MS=1000
 *   BUSY=2 npm run bench:delivery           # the machine busy: 2 CPU-burning processes for each run
 *
 * BUSY=N starts N child processes that spin on the CPU from before the instances start until
 * the run's figures are taken, then kills them: "other work on the machine" made reproducible
 * (on 2 cores, BUSY=2 leaves the dispatcher, PostgreSQL and the fake chat API contending for
 * the CPU with two busy neighbours). The table shows the 1-minute load average at each run's end.
 *
 * Needs the local PostgreSQL (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
 * Every instance is its own process (test/support/delivery-worker.ts), as in production.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpus, loadavg } from "node:os";
import type { DispatcherTuning } from "../src/delivery/dispatcher.js";
import { createTestDatabase, type TestDatabase } from "../test/support/db.js";
import { addAlerts, seedPortfolio, until } from "../test/support/delivery.js";
import { startWorker, type WorkerReport } from "../test/support/delivery-workers.js";
import { startFakeChat } from "../test/support/fake-chat.js";

const ALERTS = Number(process.env.ALERTS ?? 10_000);
const CSMS = Number(process.env.CSMS ?? 200);
const SPACES = Number(process.env.SPACES ?? 20);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 1_000);
const INSTANCES = (process.env.INSTANCES ?? "1,2").split(",").map(Number);
const BUSY = Number(process.env.BUSY ?? 0);

/** N processes that burn a CPU each until killed: the busy machine, the same every run. */
function startBurners(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ["-e", "for (;;) Math.sqrt(Math.random())"], { stdio: "ignore" }));
}

interface Result {
  instances: number;
  elapsedMs: number;
  boundMs: number;
  busiest: number;
  delivered: number;
  rateLimited: number;
  sent: number;
  /** Mean gap between two messages to one channel, over all channels. */
  meanGapMs: number;
  reports: (WorkerReport | null)[];
  /** 1-minute load average as the run ended. */
  load: number;
}

/** A fresh database with the portfolio, and the outbox rows one ingest would write (one transaction). */
async function prepare(): Promise<{ db: TestDatabase; enqueue: () => Promise<Map<string, number>> }> {
  const db = await createTestDatabase("postgres");
  const { ucdIds } = await seedPortfolio(db.pool, { csms: CSMS, useCases: ALERTS });
  await db.pool.query(
    `INSERT INTO team_space (name, channel, address) SELECT 'Team ' || i, 'slack', 'C-TEAM-' || lpad(i::text, 2, '0') FROM generate_series(1, $1) AS i`,
    [SPACES],
  );
  await addAlerts(db.pool, ucdIds, "stalled");
  // Every tenth alert is on an unassigned deployment: it goes to a team space; the rest to the assigned CSM.
  const enqueue = async () => {
    await db.pool.query(
      `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key)
       SELECT 'slack',
              CASE WHEN k % 10 = 0 THEN 'C-TEAM-' || lpad((1 + (k / 10) % $1)::text, 2, '0') ELSE 'csm:' || d.assigned_csm_id END,
              CASE WHEN k % 10 = 0 THEN NULL ELSE d.assigned_csm_id END,
              a.id, 'alert', json_build_object('alertId', a.id, 'notice', 0), 'bench:' || a.id
       FROM (SELECT a.*, row_number() OVER (ORDER BY a.id) AS k FROM alert a) a
       JOIN use_case_deployment x ON x.id = a.use_case_deployment_id
       JOIN deployment d ON d.id = x.deployment_id
       ORDER BY a.id`,
      [SPACES],
    );
    const { rows } = await db.pool.query<{ destination: string; n: number }>(`SELECT destination, count(*)::int AS n FROM outbox_message GROUP BY destination`);
    return new Map(rows.map((r) => [r.destination, r.n]));
  };
  return { db, enqueue };
}

async function runOnce(instances: number): Promise<Result> {
  const { db, enqueue } = await prepare();
  const fake = await startFakeChat({ rateLimit: { windowMs: WINDOW_MS } });
  const burners = startBurners(BUSY);
  const tuning: Partial<DispatcherTuning> = {
    minIntervalMs: { slack: WINDOW_MS, webex: WINDOW_MS },
    // The rows are written at once by one transaction: nothing to coalesce, no reason to wait.
    coalesceWindowMs: 0,
  };
  const workers = await Promise.all(Array.from({ length: instances }, (_, i) => startWorker({ databaseUrl: db.url!, fakeChatUrl: fake.url, name: `bench-${i}`, tuning })));
  try {
    const started = performance.now();
    const perDestination = await enqueue();
    const total = [...perDestination.values()].reduce((a, b) => a + b, 0);
    await until(() => fake.delivered().length >= total, 30 * 60_000, "every message delivered");
    const elapsedMs = performance.now() - started;
    await until(async () => (await db.pool.query(`SELECT count(*)::int AS n FROM outbox_message WHERE status <> 'sent'`)).rows[0].n === 0, 60_000, "every row recorded");
    const busiest = Math.max(...perDestination.values());
    const byChannel = new Map<string, number[]>();
    for (const r of fake.delivered()) byChannel.set(r.destination, [...(byChannel.get(r.destination) ?? []), r.at]);
    const gaps = [...byChannel.values()].flatMap((ats) => ats.slice(1).map((at, i) => at - ats[i]!));
    const meanGapMs = gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length);
    const load = loadavg()[0]!;
    const reports = await Promise.all(workers.map((w) => w.stop()));
    return {
      load,
      instances,
      elapsedMs,
      boundMs: (busiest - 1) * WINDOW_MS,
      busiest,
      delivered: fake.delivered().length,
      rateLimited: fake.received.filter((r) => r.status === 429).length,
      sent: total,
      meanGapMs,
      reports,
    };
  } finally {
    for (const b of burners) b.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.stop().catch(() => null)));
    await fake.close();
    await db.close();
  }
}

const scaled = WINDOW_MS === 1_000 ? "Slack's real limit" : `scaled down from Slack's 1 per 1000 ms; the floor uses the same ${WINDOW_MS} ms`;
console.log(`bench:delivery — ${ALERTS.toLocaleString("en")} alerts to ${CSMS} CSMs and ${SPACES} team spaces over Slack (real card rendering, PostgreSQL)`);
console.log(`fake chat API limit: 1 message per ${WINDOW_MS} ms per channel (${scaled}); 429 with Retry-After above it`);
console.log(`dispatcher: default tuning (maxInFlight 1: at most one repeat per crash), coalescing window 0 (one ingest, nothing to coalesce)`);
console.log(BUSY > 0 ? `machine busy: ${BUSY} CPU-burning processes during each run (BUSY=${BUSY}), ${cpus().length} CPUs` : `machine as it is (BUSY=0; BUSY=2 adds two CPU-burning processes), ${cpus().length} CPUs`);
console.log(`floor: the rate-limit bound for these messages, (busiest channel's messages - 1) × ${WINDOW_MS} ms; ratio = time / floor\n`);
const results: Result[] = [];
for (const n of INSTANCES) results.push(await runOnce(n));

const cpuMs = (r: Result) => r.reports.reduce((sum, w) => sum + (w?.cpuMs ?? NaN), 0);
const table = [
  ["instances", "messages", "time s", "floor s", "ratio", "CPU ms/msg", "429s", "mean gap ms (floor)", "peak RSS MB", "load 1m", "sent by instance"],
  ...results.map((r) => [
    String(r.instances),
    String(r.delivered),
    (r.elapsedMs / 1000).toFixed(1),
    (r.boundMs / 1000).toFixed(1),
    (r.elapsedMs / r.boundMs).toFixed(2),
    (cpuMs(r) / r.delivered).toFixed(2),
    String(r.rateLimited),
    `${r.meanGapMs.toFixed(0)} (${WINDOW_MS})`,
    r.reports.map((w) => (w ? String(Math.round(w.maxRssKb / 1024)) : "?")).join(", "),
    r.load.toFixed(2),
    r.reports.map((w) => w?.counts.sent ?? "?").join(" + "),
  ]),
];
const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
for (const row of table) console.log(row.map((cell, c) => (c === 0 || c === row.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
if (process.env.DEBUG_CPU) for (const r of results) console.log("sys ms/msg", r.reports.map((w) => ((w as unknown as { cpuSysMs: number }).cpuSysMs / r.delivered).toFixed(2)).join(", "));
for (const r of results) if (r.delivered !== r.sent) console.log(`!! ${r.instances} instance(s): ${r.delivered} messages arrived for ${r.sent} outbox rows`);
const one = results.find((r) => r.instances === 1);
for (const r of results) if (one && r.instances > 1 && r.elapsedMs > one.elapsedMs) console.log(`!! ${r.instances} instances were slower than one`);
// One line for scripts: instances=ratio, in the order run.
console.log(`ratio ${results.map((r) => `${r.instances}=${(r.elapsedMs / r.boundMs).toFixed(2)}`).join(" ")}`);
