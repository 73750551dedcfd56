import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { generatePortfolio, nextDay, type Portfolio } from "../../src/demo/portfolio.js";
import { addDays } from "../../src/domain/dates.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { ingestRows } from "../../src/ingest/ingest.js";
import { createTestDatabase } from "../support/db.js";

/**
 * Replays twelve daily snapshots of a generated portfolio and checks, every day, the open
 * alerts against an expectation computed here from the generated rows alone: a second,
 * independent reading of domain.md's rules.
 */
const THRESHOLDS: Record<string, number | null> = { purchase: 30, onboard: 30, implement: 45, use: 60, engage: 60, adopt: 90, optimize: null };
const ORDER = ["purchase", "onboard", "implement", "use", "engage", "adopt", "optimize"];
const DAY = 86_400_000;
const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY);
const keyOf = (r: Pick<SnapshotRow, "deploymentId" | "architecture" | "solutionDomain" | "useCase">) => `${r.deploymentId}/${r.architecture}/${r.solutionDomain}/${r.useCase}`;

interface History {
  firstSeen: Map<string, string>;
  lastStage: Map<string, string>;
  lastMove: Map<string, "up" | "down">;
}

function expectedOpen(rows: SnapshotRow[], asOf: string, baselineOn: string, history: History): Set<string> {
  const open = new Set<string>();
  for (const r of rows) {
    const key = keyOf(r);
    const previous = history.lastStage.get(key);
    if (previous !== undefined && previous !== r.stage) history.lastMove.set(key, ORDER.indexOf(r.stage) > ORDER.indexOf(previous) ? "up" : "down");
    history.lastStage.set(key, r.stage);
    if (!history.firstSeen.has(key)) history.firstSeen.set(key, asOf);
    if (r.excluded) continue;
    const threshold = THRESHOLDS[r.stage];
    if (threshold !== null && threshold !== undefined && days(r.stageEnteredOn, asOf) > threshold) open.add(`stalled ${key}`);
    if (history.lastMove.get(key) === "down") open.add(`regression ${key}`);
    const first = history.firstSeen.get(key)!;
    if (first > baselineOn && days(first, asOf) <= 30) open.add(`new_use_case ${key}`);
    const contacts = [...(r.ciscoContact ? [{ ...r.ciscoContact, slot: "cisco:0" }] : []), ...r.partnerContacts.map((c, i) => ({ ...c, slot: `partner:${i + 1}` }))];
    // domain.md: one alert when every contact is barred (the bounced one, on the slot to fix);
    // a barred Cisco contact only counts when there is no partner contact to fix instead;
    // missing_contact is a use case with no contact at all.
    const anyPartner = r.partnerContacts.length > 0;
    for (const c of contacts) {
      if (c.barrier === "none" || (c.slot === "cisco:0" && anyPartner)) continue;
      open.add(`bounced_contact ${key}:${c.slot}`);
    }
    if (contacts.length === 0) open.add(`missing_contact ${key}`);
  }
  // A use case that left the snapshot forgets its stage history with its alerts.
  const present = new Set(rows.map(keyOf));
  for (const key of [...history.lastMove.keys()]) if (!present.has(key)) history.lastMove.delete(key);
  return open;
}

describe("replay of daily snapshots", () => {
  it("opens and resolves exactly the alerts an independent reading of the rules expects, day after day", async () => {
    const db = await createTestDatabase("postgres");
    const config = loadConfig({});
    try {
      const start = "2026-11-02";
      let portfolio: Portfolio = generatePortfolio({ seed: 11, customers: 70, asOf: start, csmEmails: ["anna.petrova@partner.example", "james.lee@partner.example"], partnerDomain: "partner.example" });
      const history: History = { firstSeen: new Map(), lastStage: new Map(), lastMove: new Map() };
      let previousOpen = new Map<string, number>();
      let totals = { opened: 0, resolved: 0 };
      for (let day = 0; day < 12; day++) {
        const asOf = addDays(start, day);
        if (day > 0) portfolio = nextDay(portfolio, { seed: 100 + day, asOf, changeRate: 0.06 });
        const summary = await ingestRows(db.pool, portfolio.rows.map((row) => ({ ok: true as const, row })), {
          asOf, source: `day-${day}`, stallThresholds: config.alerts.stallThresholds, reminderDays: 7, partnerDomains: config.partner.domains, adminEmails: [],
        });
        const expected = expectedOpen(portfolio.rows, asOf, start, history);
        const { rows } = await db.pool.query<{ key: string }>(`
          SELECT a.kind || ' ' || d.deployment_id || '/' || u.architecture || '/' || u.solution_domain || '/' || u.name
                 || CASE WHEN a.kind = 'bounced_contact' THEN ':' || split_part(a.subject, ':', 3) || ':' || split_part(a.subject, ':', 4) ELSE '' END AS key
          FROM alert a JOIN use_case_deployment x ON x.id = a.use_case_deployment_id
          JOIN deployment d ON d.id = x.deployment_id JOIN use_case u ON u.id = x.use_case_id
          WHERE a.status = 'open'`);
        const actual = new Set(rows.map((r) => r.key));
        expect([...actual].filter((k) => !expected.has(k)), `unexpected open alerts on ${asOf}`).toEqual([]);
        expect([...expected].filter((k) => !actual.has(k)), `missing alerts on ${asOf}`).toEqual([]);
        // The summary's counts agree with how the open set moved.
        const byKind = new Map<string, number>();
        for (const k of actual) byKind.set(k.split(" ")[0]!, (byKind.get(k.split(" ")[0]!) ?? 0) + 1);
        for (const kind of Object.keys(summary.alerts.opened) as (keyof typeof summary.alerts.opened)[]) {
          expect(summary.alerts.opened[kind] - summary.alerts.resolved[kind], `${kind} on ${asOf}`).toBe((byKind.get(kind) ?? 0) - (previousOpen.get(kind) ?? 0));
        }
        previousOpen = byKind;
        totals = { opened: totals.opened + Object.values(summary.alerts.opened).reduce((a, b) => a + b, 0), resolved: totals.resolved + Object.values(summary.alerts.resolved).reduce((a, b) => a + b, 0) };
      }
      // The replay exercised every rule and resolutions too.
      const kinds = (await db.pool.query<{ kind: string }>(`SELECT DISTINCT kind FROM alert`)).rows.map((r) => r.kind).sort();
      expect(kinds).toEqual(["bounced_contact", "missing_contact", "new_use_case", "regression", "stalled"]);
      expect(totals.resolved).toBeGreaterThan(10);
    } finally {
      await db.close();
    }
  });
});
