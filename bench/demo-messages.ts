/**
 * npm run bench:demo-messages — how many messages one demo refresh sends, per destination and
 * in total, without summaries (BATCH_OVER above any count) and with BATCH_OVER=5 (issue 17).
 * Loads the demo data set (two days of snapshots: the second is the refresh) into an
 * embedded database and counts the outbox rows it wrote that post something new: alert cards
 * and summaries (a person's row becomes one message on each chat, so per chat the counts are
 * these). Digests, Home pages and notices are the same either way and are left out.
 *
 *   npm run bench:demo-messages
 *   BATCH_OVERS=none,5,3,1 npm run bench:demo-messages
 */
import { loadConfig } from "../src/config.js";
import { openEmbedded } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { loadDemo } from "../src/demo/load.js";

async function measure(batchOver: number): Promise<{ total: number; max: number; destinations: number; byKind: Record<string, number> }> {
  const db = await openEmbedded("memory://");
  try {
    await migrate(db.pool);
    const env: Record<string, string> = { DATA_DIR: "memory://", BATCH_OVER: String(batchOver) };
    if (process.env.TEAM_SPACES) env.TEAM_SPACES = process.env.TEAM_SPACES;
    await loadDemo(db, loadConfig(env), "2026-11-23");
    const { rows } = await db.pool.query<{ destination: string; kind: string; n: number }>(
      `SELECT destination, kind, count(*)::int AS n FROM outbox_message WHERE kind IN ('alert', 'summary') GROUP BY destination, kind`,
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
const results: Record<string, unknown> = {};
for (const setting of settings) results[`BATCH_OVER=${setting}`] = await measure(setting === "none" ? 1_000_000 : Number(setting));
console.log(JSON.stringify(results));
