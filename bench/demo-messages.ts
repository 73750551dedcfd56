/**
 * npm run bench:demo-messages — how many messages one refresh sends, per destination and in
 * total, without summaries (BATCH_OVER above any count) and with BATCH_OVER=5 (issue 17).
 *
 * Two data sets, each two days of snapshots (the second is the refresh), in an embedded
 * database:
 * - `demo`: the demo data set `npm start` loads;
 * - `portfolio`: a generated partner of ROWS use-case rows (default 3000) and CSMS CSMs
 *   (default 8), whose next day changes 2% of the rows, as the ingest bench's does.
 * Counts the outbox rows the refresh wrote that post something new: alert cards and
 * summaries (a person's row becomes one message on each chat, so per chat the counts are
 * these). Digests, Home pages and notices are the same either way and are left out.
 *
 *   npm run bench:demo-messages
 *   BATCH_OVERS=none,5,3,1 ROWS=10000 npm run bench:demo-messages
 */
import { loadConfig, type Config } from "../src/config.js";
import { openEmbedded, type Database } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { loadDemo } from "../src/demo/load.js";
import { generatePortfolio, nextDay } from "../src/demo/portfolio.js";
import { ingestRows } from "../src/ingest/ingest.js";

const DAY = "2026-11-23";
const ROWS = Number(process.env.ROWS ?? 3000);
const CSMS = Number(process.env.CSMS ?? 8);

type Load = (db: Database, config: Config) => Promise<{ since: bigint }>;

const maxOutboxId = async (db: Database): Promise<bigint> =>
  BigInt((await db.pool.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM outbox_message`)).rows[0]?.id ?? 0);

const demo: Load = async (db, config) => {
  // The demo's first day is the baseline, whose alerts are not sent: every row is the refresh's.
  await loadDemo(db, config, DAY);
  return { since: 0n };
};

const portfolio: Load = async (db, config) => {
  const csmEmails = Array.from({ length: CSMS }, (_, i) => `csm${i}@partner.example`);
  const day1 = generatePortfolio({ seed: 2026, customers: Math.ceil(ROWS / 7) + 100, maxRows: ROWS, asOf: "2026-11-22", csmEmails, partnerDomain: "partner.example" });
  const day2 = nextDay(day1, { seed: 7, asOf: DAY, changeRate: 0.02 });
  const options = { stallThresholds: config.alerts.stallThresholds, reminderDays: config.alerts.reminderDays, batchOver: config.alerts.batchOver, partnerDomains: ["partner.example"], adminEmails: [] };
  const asRows = (rows: typeof day1.rows) => rows.map((row) => ({ ok: true as const, row }));
  await ingestRows(db.pool, asRows(day1.rows), { ...options, asOf: "2026-11-22", source: "day1" });
  const since = await maxOutboxId(db);
  await ingestRows(db.pool, asRows(day2.rows), { ...options, asOf: DAY, source: "day2" });
  return { since };
};

async function measure(load: Load, batchOver: number): Promise<{ total: number; max: number; destinations: number; byKind: Record<string, number> }> {
  const db = await openEmbedded("memory://");
  try {
    await migrate(db.pool);
    const env: Record<string, string> = { DATA_DIR: "memory://", BATCH_OVER: String(batchOver) };
    if (process.env.TEAM_SPACES) env.TEAM_SPACES = process.env.TEAM_SPACES;
    const { since } = await load(db, loadConfig(env));
    const { rows } = await db.pool.query<{ destination: string; kind: string; n: number }>(
      `SELECT destination, kind, count(*)::int AS n FROM outbox_message WHERE kind IN ('alert', 'summary') AND id > $1 GROUP BY destination, kind`,
      [since.toString()],
    );
    const per = new Map<string, number>();
    const byKind: Record<string, number> = {};
    for (const r of rows) {
      per.set(r.destination, (per.get(r.destination) ?? 0) + r.n);
      byKind[r.kind] = (byKind[r.kind] ?? 0) + r.n;
    }
    return { total: [...per.values()].reduce((a, b) => a + b, 0), max: Math.max(0, ...per.values()), destinations: per.size, byKind };
  } finally {
    await db.close();
  }
}

// "none": no summaries (the threshold above any count), as before issue 17.
const settings = (process.env.BATCH_OVERS ?? "none,5,3").split(",");
const results: Record<string, Record<string, unknown>> = {};
for (const [name, load] of [["demo", demo], [`portfolio ${ROWS} rows, ${CSMS} CSMs`, portfolio]] as const) {
  results[name] = {};
  for (const setting of settings) results[name][`BATCH_OVER=${setting}`] = await measure(load, setting === "none" ? 1_000_000 : Number(setting));
}
console.log(JSON.stringify(results, null, 1));
