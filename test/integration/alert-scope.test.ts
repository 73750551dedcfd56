import { describe, expect, it } from "vitest";
import { runAlertEngine } from "../../src/alerts/engine.js";
import { loadConfig } from "../../src/config.js";
import { inTransaction } from "../../src/db/sql.js";
import { generatePortfolio, nextDay, type Portfolio } from "../../src/demo/portfolio.js";
import { addDays } from "../../src/domain/dates.js";
import type { StallThresholds } from "../../src/domain/stages.js";
import { ingestRows } from "../../src/ingest/ingest.js";
import { createTestDatabase } from "../support/db.js";

/**
 * An ingest evaluates alerts only for the use cases the snapshot changed and those whose
 * rules move with time (src/alerts/engine.ts, candidatesSql). After each one, evaluating
 * every active use case must find nothing left to do: the same alerts, the same facts.
 */
const alertState = `SELECT id, kind, subject, status, resolution, lca_wait, facts::text, reminder_count, last_notified_on FROM alert ORDER BY id`;

describe("alerts of the changed set", () => {
  it("leave nothing for a full evaluation to open, resolve or mark, day after day", async () => {
    const db = await createTestDatabase("postgres");
    const defaults = loadConfig({}).alerts.stallThresholds;
    // A domain override, and on day 6 a raised threshold: open stalled alerts must resolve.
    const lowered: StallThresholds = { ...defaults, implement: 20, domains: { "Campus Network": { use: 15, adopt: null } } };
    const raised: StallThresholds = { ...lowered, implement: 200 };
    try {
      const start = "2026-11-02";
      let portfolio: Portfolio = generatePortfolio({ seed: 5, customers: 60, asOf: start, csmEmails: ["anna.petrova@partner.example"], partnerDomain: "partner.example" });
      let evaluated = 0;
      for (let day = 0; day < 10; day++) {
        const asOf = addDays(start, day);
        if (day > 0) portfolio = nextDay(portfolio, { seed: 40 + day, asOf, changeRate: 0.05 });
        const stallThresholds = day >= 6 ? raised : lowered;
        const options = { asOf, source: `day-${day}`, stallThresholds, reminderDays: 3, partnerDomains: ["partner.example"], adminEmails: [] };
        await ingestRows(db.pool, portfolio.rows.map((row) => ({ ok: true as const, row })), options);
        const before = (await db.pool.query(alertState)).rows;
        const full = await inTransaction(db.pool, async (client) => {
          const summary = await runAlertEngine(client, { rules: { asOf, stallThresholds, newWindowDays: 30 }, reminderDays: 3, baseline: false, scope: "all" });
          const after = (await client.query(alertState)).rows;
          await client.query("ROLLBACK"); // leaves the database as the ingest did
          await client.query("BEGIN");
          return { summary, after };
        });
        expect(full.after, `alerts after a full evaluation on ${asOf}`).toEqual(before);
        expect(Object.values(full.summary.opened).reduce((a, b) => a + b, 0), asOf).toBe(0);
        evaluated += before.length;
      }
      const kinds = (await db.pool.query<{ kind: string; status: string }>(`SELECT DISTINCT kind, status FROM alert ORDER BY 1, 2`)).rows.map((r) => `${r.kind}:${r.status}`);
      expect(kinds).toEqual(expect.arrayContaining(["stalled:open", "stalled:resolved", "new_use_case:open", "regression:open", "bounced_contact:open"]));
      expect(evaluated).toBeGreaterThan(100);
      const reminded = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert WHERE reminder_count > 0`);
      expect(reminded.rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });
});
