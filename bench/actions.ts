/**
 * npm run bench:actions — the time of a card action through the whole pipeline (envelope
 * validation, identity, handler in a transaction with its audit row, re-reading the view
 * for the receipt) on the embedded database, over 1,000 actions on the demo data set.
 *
 *   ACTIONS=1000 npm run bench:actions
 */
import { handleAction } from "../src/actions/conversation.js";
import type { ConversationDeps } from "../src/actions/context.js";
import { loadConfig } from "../src/config.js";
import { openEmbedded } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { loadDemo } from "../src/demo/load.js";
import { createLogger } from "../src/log.js";

const ACTIONS = Number(process.env.ACTIONS ?? 1000);
const config = loadConfig({ ADMINS: "james.lee@partner.example" });
const db = await openEmbedded("memory://");
await migrate(db.pool);
await loadDemo(db, config, "2026-11-23");
const deps: ConversationDeps = { db, config, log: createLogger("silent"), now: () => new Date() };
const people = ["anna.petrova@partner.example", "james.lee@partner.example", "sophie.mueller@partner.example"].map((email) => ({ channel: "preview" as const, userId: email, email, emailVerified: true }));
const alerts = await db.prisma.alert.findMany({ where: { status: "open", kind: { in: ["stalled", "regression", "new_use_case"] } }, select: { id: true } });
const deployments = await db.prisma.deployment.findMany({ where: { active: true }, select: { id: true } });

async function nextEnvelope(i: number): Promise<Record<string, unknown>> {
  switch (i % 3) {
    case 0: {
      const { id, version } = await db.prisma.alert.findUniqueOrThrow({ where: { id: alerts[i % alerts.length]!.id } });
      return { a: "rec.act", v: 1, id, ev: version, act: "contacted_customer", comment: `call ${i}` };
    }
    case 1: {
      const { id, version } = await db.prisma.alert.findUniqueOrThrow({ where: { id: alerts[(i * 7) % alerts.length]!.id } });
      return { a: "alert.snooze", v: 1, id, ev: version, days: 1 };
    }
    default: {
      const { id, version } = await db.prisma.deployment.findUniqueOrThrow({ where: { id: deployments[i % deployments.length]!.id } });
      return { a: "usecase.assign", v: 1, id, ev: version };
    }
  }
}

// Warm-up: JIT, prepared plans, the first card render.
for (let i = 0; i < 30; i++) await handleAction(deps, people[i % 3]!, await nextEnvelope(i));

const latencies: number[] = [];
let failures = 0;
const wall = performance.now();
for (let i = 0; i < ACTIONS; i++) {
  const envelope = await nextEnvelope(i + 30);
  const t0 = performance.now();
  const outcome = await handleAction(deps, people[i % 3]!, envelope);
  latencies.push(performance.now() - t0);
  const card = outcome.effects[0];
  if (card?.type !== "reply" || card.card.card !== "receipt") failures++;
}
const wallMs = performance.now() - wall;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
console.log(`${ACTIONS} card actions through the pipeline on the embedded database (rec.act, alert.snooze, usecase.assign in turn):`);
console.log(`  p50 ${pct(50)} ms   p90 ${pct(90)} ms   p99 ${pct(99)} ms   max ${latencies.at(-1)!.toFixed(1)} ms   (${(wallMs / 1000).toFixed(1)} s in all, ${failures} without a receipt)`);
console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await db.close();
