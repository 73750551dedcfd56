import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { generatePortfolio, nextDay } from "../../src/demo/portfolio.js";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { ingestFile, ingestRows, type IngestSummary } from "../../src/ingest/ingest.js";
import { openSnapshot } from "../../src/ingest/read.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";

const config = loadConfig({});
const options = (asOf: string) => ({ asOf, stallThresholds: config.alerts.stallThresholds, reminderDays: 7, partnerDomains: ["partner.example"], adminEmails: [] });
const dir = mkdtempSync(path.join(tmpdir(), "lca-unchanged-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every table the merge and the alert engine write, without the clock's columns. */
const TABLES = ["customer", "deployment", "csm", "use_case", "use_case_deployment", "contact", "stage_change", "alert", "recommendation", "outbox_message"];
const CLOCK = ["created_at", "updated_at", "opened_at", "resolved_at", "next_attempt_at", "closed_at"];

async function model(db: TestDatabase): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const { rows } = await db.pool.query<{ row: unknown }>(`SELECT to_jsonb(t) - $1::text[] AS row FROM ${table} t ORDER BY id`, [CLOCK]);
    tables[table] = rows.map((r) => r.row);
  }
  return tables;
}

const ignoringTime = ({ durationMs: _d, phaseMs: _p, rowsUnchanged: _u, ...rest }: IngestSummary) => rest;

/**
 * A next day whose changes reach the customers and deployments through rows that did not
 * all change: a name differing on a customer's later row only (the first row's wins), a
 * CSM changed on one row of a deployment, a customer gone, a CSM outside the partner.
 */
function days(): [SnapshotRow[], SnapshotRow[]] {
  const csmEmails = ["anna.petrova@partner.example", "james.lee@partner.example", "someone@outside.example"];
  const day1 = generatePortfolio({ seed: 11, customers: 40, maxRows: 400, asOf: "2026-11-19", csmEmails, partnerDomain: "partner.example" });
  const next = nextDay(day1, { seed: 3, asOf: "2026-11-20", changeRate: 0.05 }).rows;
  const byCustomer = new Map<string, SnapshotRow[]>();
  for (const r of next) byCustomer.set(r.crPartyId, [...(byCustomer.get(r.crPartyId) ?? []), r]);
  const [several, gone] = [...byCustomer.values()].filter((rows) => rows.length >= 3);
  const renamed = several![1]!;
  const day2 = next
    .filter((r) => r.crPartyId !== gone![0]!.crPartyId)
    .map((r) => (r === renamed ? { ...r, crPartyName: `${r.crPartyName} (renamed on one row)` } : r))
    .map((r, i) => (i === 5 ? { ...r, csmEmail: "james.lee@partner.example" } : r));
  return [day1.rows, day2];
}

describe.each(DB_KINDS)("a next day read past its unchanged rows on %s", (kind) => {
  let skipping: TestDatabase;
  let full: TestDatabase;
  beforeEach(async () => {
    [skipping, full] = await Promise.all([createTestDatabase(kind), createTestDatabase(kind)]);
  });
  afterEach(async () => {
    await Promise.all([skipping.close(), full.close()]);
  });

  it("leaves the model exactly as reading every row in full does, and says how many rows it passed over", async () => {
    const [day1, day2] = days();
    const files = [path.join(dir, `${kind}-day1.csv`), path.join(dir, `${kind}-day2.csv`)] as const;
    await writeSnapshot(day1, files[0]);
    await writeSnapshot(day2, files[1]);
    const summaries: [IngestSummary, IngestSummary][] = [];
    for (const [i, file] of files.entries()) {
      const asOf = i === 0 ? "2026-11-19" : "2026-11-20";
      const passedOver = await ingestFile(skipping.pool, file, options(asOf));
      const readInFull = await ingestRows(full.pool, (await openSnapshot(file)).rows, { ...options(asOf), source: path.basename(file) });
      summaries.push([passedOver, readInFull]);
    }
    const [first] = summaries[0]!;
    const [second, secondInFull] = summaries[1]!;
    expect(first!.rowsUnchanged).toBe(0);
    expect(second!.rowsUnchanged).toBeGreaterThan(day2.length * 0.8);
    expect(second!.rowsUnchanged).toBeLessThan(day2.length);
    expect(secondInFull!.rowsUnchanged).toBe(0);
    expect(ignoringTime(second!)).toEqual(ignoringTime(secondInFull!));
    expect(second!.outsiders.count).toBeGreaterThan(0);
    expect(second!.customers.removed).toBe(1);
    expect(await model(skipping)).toEqual(await model(full));
  });

  it("reads again in full the rows of a use case with a chat change waiting for LCA", async () => {
    const [day1] = days();
    const file = path.join(dir, `${kind}-again.csv`);
    await writeSnapshot(day1, file);
    await ingestFile(skipping.pool, file, options("2026-11-19"));
    const { rows: [target] } = await skipping.pool.query<{ id: number; deployment_id: number }>(`SELECT id, deployment_id FROM use_case_deployment ORDER BY id LIMIT 1`);
    const { rows: [csm] } = await skipping.pool.query<{ id: number }>(`SELECT id FROM csm WHERE active ORDER BY id LIMIT 1`);
    await skipping.pool.query(
      `INSERT INTO pending_lca_change (deployment_id, use_case_deployment_id, field, value_before, value_chat, csm_id, chat) VALUES ($1, $2, 'partner_contact_1_email', NULL, 'new@customer.example', $3, 'slack')`,
      [target!.deployment_id, target!.id, csm!.id],
    );
    const again = await ingestFile(skipping.pool, file, options("2026-11-20"));
    expect(again.rowsUnchanged).toBe(day1.length - 1);
  });
});
