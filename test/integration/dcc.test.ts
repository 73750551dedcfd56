import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { ingestRows } from "../../src/ingest/ingest.js";
import { alertView, findCustomer, useCaseDetail } from "../../src/queries/queries.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";
import { testConfig } from "../support/memory-store.js";
import { ok, row } from "../support/rows.js";

const options = (asOf: string) => ({
  asOf, source: `day-${asOf}`, stallThresholds: testConfig.alerts.stallThresholds, reminderDays: 7,
  partnerDomains: testConfig.partner.domains, adminEmails: [], writeback: { graceDays: 2, timeZone: "UTC" },
});
// Stalled in Implement (more than 45 days by 2026-11-23), telemetry on, no consent.
const uc = (crPartyId: string, deploymentId: string, useCase: string, adoptionPartner: string | null, more: Partial<SnapshotRow> = {}) =>
  row({ crPartyId, crPartyName: `Customer ${crPartyId}`, deploymentId, useCase, adoptionPartner, stage: "implement", stageEnteredOn: "2026-09-01", telemetry: true, dcc: false, ...more });

// Partner names are hostile text like any cell: markup, a formula, quotes, another script.
const snapshot = (bPartner: string) => [
  // A: the same partner written twice, with other case and spaces: one partner.
  uc("100001", "DPLA1", "Campus Network Automation", "Acme Partners"),
  uc("100001", "DPLA2", "Campus Network Assurance", "  ACME partners "),
  // B: two partners, the second only on an excluded row: it counts all the same.
  uc("100002", "DPLB1", "Campus Network Automation", "<b>Partner</b> & 'One' *bold*"),
  uc("100002", "DPLB1", "Campus Network Assurance", bPartner, { excluded: true }),
  uc("100002", "DPLB2", "Secure Access", "<b>Partner</b> & 'One' *bold*", { dcc: true }),
  // C: one partner, the other rows empty or blank: empty is no partner.
  uc("100003", "DPLC1", "Campus Network Automation", "Ural Integrator"),
  uc("100003", "DPLC1", "Campus Network Assurance", null),
  uc("100003", "DPLC2", "Secure Access", "   "),
  // D: Cyrillic names that differ only in case: one partner.
  uc("100004", "DPLD1", "Campus Network Automation", "ООО Ромашка"),
  uc("100004", "DPLD2", "Campus Network Assurance", "ооо РОМАШКА"),
];

describe.each(DB_KINDS)("a customer bought from several partners, DCC needed, on %s", (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await db.close();
  });

  const multi = async () =>
    Object.fromEntries((await db.pool.query<{ cr_party_id: string; multi_partner: boolean }>(`SELECT cr_party_id, multi_partner FROM customer ORDER BY cr_party_id`)).rows.map((r) => [r.cr_party_id, r.multi_partner]));
  const ctx = () => ({ prisma: db.prisma, today: "2026-11-23", stallThresholds: testConfig.alerts.stallThresholds, lcaUrl: (id: string) => id });
  const ucdOf = async (deploymentId: string, useCase: string) =>
    (await db.pool.query<{ id: number }>(`SELECT x.id FROM use_case_deployment x JOIN deployment d ON d.id = x.deployment_id JOIN use_case u ON u.id = x.use_case_id WHERE d.deployment_id = $1 AND u.name = $2`, [deploymentId, useCase])).rows[0]!.id;

  it("is decided at ingest from distinct trimmed, case-folded Adoption Partners, excluded rows included, and follows the next snapshot", async () => {
    await ingestRows(db.pool, ok(snapshot("=HYPERLINK(\"http://x.example\",\"Other\")")), options("2026-11-23"));
    expect(await multi()).toEqual({ "100001": false, "100002": true, "100003": false, "100004": false });

    // The stalled card asks for the consent (telemetry is on); the use-case card says it is needed.
    const id = await ucdOf("DPLB1", "Campus Network Automation");
    const detail = (await useCaseDetail(ctx(), id))!;
    expect(detail.useCase).toMatchObject({ telemetry: true, dcc: false, multiPartner: true });
    expect(detail.recommendation?.kind).toBe("request_dcc");
    const { rows: [alert] } = await db.pool.query<{ id: number }>(`SELECT id FROM alert WHERE use_case_deployment_id = $1 AND kind = 'stalled'`, [id]);
    expect((await alertView(ctx(), alert!.id))!.useCase).toMatchObject({ dcc: false, multiPartner: true });
    // A single-partner customer's stalled use case keeps the step with the customer.
    expect((await useCaseDetail(ctx(), await ucdOf("DPLA1", "Campus Network Automation")))!.recommendation?.kind).toBe("find_adoption_barrier");

    // The customer card: the use case without consent is marked, the one with it is not (the excluded one is not listed).
    const found = await findCustomer(ctx(), "100002");
    if (!("found" in found)) throw new Error("customer 100002 not found");
    expect(found.found.deployments.flatMap((d) => d.useCases.map((u) => [d.deploymentId, u.name, u.dccNeeded]))).toEqual([
      ["DPLB1", "Campus Network Automation", true],
      ["DPLB2", "Secure Access", false],
    ]);

    // Next day the second partner is the first one written otherwise: one partner again.
    await ingestRows(db.pool, ok(snapshot(" <B>PARTNER</B> & 'ONE' *BOLD* ")), options("2026-11-24"));
    expect(await multi()).toEqual({ "100001": false, "100002": false, "100003": false, "100004": false });
    expect((await useCaseDetail({ ...ctx(), today: "2026-11-24" }, id))!.recommendation?.kind).toBe("find_adoption_barrier");
  });
});
