import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lcaUrl, loadConfig } from "../../src/config.js";
import { ingestRows } from "../../src/ingest/ingest.js";
import { enqueueTeamReports, teamReportDue } from "../../src/jobs/team-report-job.js";
import { teamChartSvg } from "../../src/cards/team-chart.js";
import { teamView } from "../../src/queries/team.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";
import { ok, row } from "../support/rows.js";

/** The team read model on a small fixture, and the weekly report's outbox rows, on both databases. */
const config = loadConfig({ TEAM_SPACES: "slack:C0TEAM=Team,webex:Y2lzY29zcGFyazovL3VzL1JPT00vdGVhbQ=Webex team" });
const HOSTILE = `<script>alert(1)</script> & "Co"`;
const NOW = new Date("2026-11-25T10:00:00Z"); // a Wednesday of 2026-W48
const anna = "anna.petrova@partner.example";
const james = "james.lee@partner.example";

const rows = [
  // Anna: one stalled use case (Implement since 1 September: 85 days, 40 over 45) and one without any contact.
  row({ crPartyId: "300000001", crPartyName: "Northwind", deploymentId: "DPL1", useCase: "Campus Network Automation", stage: "implement", stageEnteredOn: "2026-09-01", csmEmail: anna }),
  row({ crPartyId: "300000001", crPartyName: "Northwind", deploymentId: "DPL1", useCase: "Campus Network Segmentation", stage: "use", stageEnteredOn: "2026-10-20", csmEmail: anna, ciscoContact: null }),
  // James: a stalled Onboard (resolved on 18 November below) and a stalled Use at a customer with a hostile name (116 days, 56 over 60).
  row({ crPartyId: "300000002", crPartyName: "Contoso", deploymentId: "DPL2", useCase: "Campus Network Automation", stage: "onboard", stageEnteredOn: "2026-08-01", csmEmail: james }),
  row({ crPartyId: "300000005", crPartyName: HOSTILE, deploymentId: "DPL5", useCase: "Campus Network Automation", stage: "use", stageEnteredOn: "2026-08-01", csmEmail: james }),
  // Nobody's deployment, not stalled; an excluded use case that no count may see.
  row({ crPartyId: "300000003", crPartyName: "Fabrikam", deploymentId: "DPL3", useCase: "Campus Network Automation", stage: "purchase", stageEnteredOn: "2026-11-01", csmEmail: null }),
  row({ crPartyId: "300000004", crPartyName: "Excluded Ltd", deploymentId: "DPL4", useCase: "Campus Network Automation", stage: "adopt", stageEnteredOn: "2026-01-01", csmEmail: anna, excluded: true }),
];

describe.each(DB_KINDS)("the team report on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await ingestRows(db.pool, ok(rows), { asOf: "2026-11-02", source: "test", stallThresholds: config.alerts.stallThresholds, reminderDays: 7, partnerDomains: config.partner.domains, adminEmails: [] });
    // Contoso's stalled alert resolved on Wednesday of 2026-W47 (the ingest's own clock is today's).
    await db.pool.query(
      `UPDATE alert SET status = 'resolved', resolved_at = '2026-11-18T08:00:00Z'
       WHERE kind = 'stalled' AND use_case_deployment_id IN (SELECT u.id FROM use_case_deployment u JOIN deployment d ON d.id = u.deployment_id WHERE d.deployment_id = 'DPL2')`,
    );
  });
  afterAll(async () => {
    await db?.close();
  });

  const view = () => teamView({ prisma: db.prisma, today: "2026-11-25", stallThresholds: config.alerts.stallThresholds, lcaUrl: lcaUrl(config), timeZone: "UTC", now: NOW });

  it("counts each CSM's open alerts by kind and names their longest stalled use case", async () => {
    const team = await view();
    expect(team.date).toBe("2026-11-25");
    expect(team.week).toBe("2026-W48");
    expect(team.csms.map((c) => [c.email, c.counts.stalled, c.counts.missing_contact, c.oldestStalled?.customer.name, c.oldestStalled?.daysOver])).toEqual([
      [anna, 1, 1, "Northwind", 40],
      [james, 1, 0, HOSTILE, 56],
    ]);
    expect(team.csms[0]!.oldestStalled).toMatchObject({ deploymentId: "DPL1", stage: "implement", useCase: { name: "Campus Network Automation" } });
    expect(team.totals).toEqual({ new_use_case: 0, stalled: 2, bounced_contact: 0, missing_contact: 1, regression: 0 });
  });

  it("lists the deployments nobody is assigned to, and counts use cases per stage without the excluded one", async () => {
    const team = await view();
    expect(team.unassigned).toEqual({ count: 1, top: [{ deploymentId: "DPL3", customer: { crPartyId: "300000003", name: "Fabrikam" }, openAlerts: 0 }] });
    expect(team.funnel).toEqual([
      { stage: "purchase", count: 1 },
      { stage: "onboard", count: 1 },
      { stage: "implement", count: 1 },
      { stage: "use", count: 2 },
      { stage: "engage", count: 0 },
      { stage: "adopt", count: 0 },
      { stage: "optimize", count: 0 },
    ]);
  });

  it("counts stalled alerts open at the end of each of the last 8 ISO weeks, none before the first snapshot", async () => {
    // An open stalled alert on a use case excluded now (as if left from before its exclusion): in no week.
    const inserted = await db.pool.query(
      `INSERT INTO alert (kind, subject, use_case_deployment_id, status, facts, opened_on)
       SELECT 'stalled', 'stalled:excluded', u.id, 'open', '{}'::jsonb, '2026-11-02' FROM use_case_deployment u WHERE u.excluded`,
    );
    expect(inserted.rowCount).toBe(1);
    const team = await view();
    expect(team.weeks.map((w) => [w.week, w.monday, w.stalled])).toEqual([
      ["2026-W41", "2026-10-05", null],
      ["2026-W42", "2026-10-12", null],
      ["2026-W43", "2026-10-19", null],
      ["2026-W44", "2026-10-26", null],
      // First snapshot on Monday 2 November: three stalled; Contoso's resolved in W47.
      ["2026-W45", "2026-11-02", 3],
      ["2026-W46", "2026-11-09", 3],
      ["2026-W47", "2026-11-16", 2],
      ["2026-W48", "2026-11-23", 2],
    ]);
  });

  it("ends a week at the next Monday's midnight in the partner's zone", async () => {
    // 21:30 UTC on Sunday 22 November is already Monday in Moscow: W47 ends before it there.
    await db.pool.query(`UPDATE alert SET resolved_at = '2026-11-22T21:30:00Z' WHERE status = 'resolved' AND kind = 'stalled'`);
    const at = async (timeZone: string) =>
      (await teamView({ prisma: db.prisma, today: "2026-11-25", stallThresholds: config.alerts.stallThresholds, lcaUrl: lcaUrl(config), timeZone, now: NOW })).weeks.find((w) => w.week === "2026-W47")!.stalled;
    expect(await at("UTC")).toBe(2);
    expect(await at("Europe/Moscow")).toBe(3);
  });

  it("draws no name from the data into the chart, in either language", async () => {
    const team = await view();
    for (const locale of ["en", "ru"] as const) {
      const svg = await teamChartSvg(team, locale);
      expect(svg).not.toContain("<script");
      expect(svg).not.toContain("Northwind");
      expect(svg).not.toContain("alert(1)");
      expect(svg).toContain(locale === "en" ? "Implement" : "Внедрение");
    }
  });

  it("writes the weekly report once per ISO week per team space", async () => {
    const spaces = config.teamSpaces;
    const monday = new Date("2026-11-30T06:00:00Z");
    expect(await enqueueTeamReports(db.pool, { spaces, timeZone: "UTC", now: monday })).toBe(2);
    // Later that week, on this or another instance: nothing more.
    expect(await enqueueTeamReports(db.pool, { spaces, timeZone: "UTC", now: new Date("2026-11-30T12:00:00Z") })).toBe(0);
    expect(await enqueueTeamReports(db.pool, { spaces, timeZone: "UTC", now: new Date("2026-12-06T23:59:00Z") })).toBe(0);
    // The next Monday: one more each.
    expect(await enqueueTeamReports(db.pool, { spaces, timeZone: "UTC", now: new Date("2026-12-07T06:00:00Z") })).toBe(2);
    const { rows: written } = await db.pool.query<{ channel: string; destination: string; kind: string; payload: unknown; dedupe_key: string }>(
      `SELECT channel::text AS channel, destination, kind, payload, dedupe_key FROM outbox_message WHERE kind = 'team_report' ORDER BY id`,
    );
    expect(written.map((r) => [r.channel, r.destination, r.payload, r.dedupe_key])).toEqual([
      ["slack", "C0TEAM", { week: "2026-W49" }, "team-report:2026-W49:slack:C0TEAM"],
      ["webex", "Y2lzY29zcGFyazovL3VzL1JPT00vdGVhbQ", { week: "2026-W49" }, "team-report:2026-W49:webex:Y2lzY29zcGFyazovL3VzL1JPT00vdGVhbQ"],
      ["slack", "C0TEAM", { week: "2026-W50" }, "team-report:2026-W50:slack:C0TEAM"],
      ["webex", "Y2lzY29zcGFyazovL3VzL1JPT00vdGVhbQ", { week: "2026-W50" }, "team-report:2026-W50:webex:Y2lzY29zcGFyazovL3VzL1JPT00vdGVhbQ"],
    ]);
  });

  it("waits on Monday for the day's refresh when a feed is configured, until noon", async () => {
    const withFeed = loadConfig({ LCA_FEED: "/srv/lca", TIME_ZONE: "Europe/Moscow" });
    const morning = new Date("2026-11-30T05:00:00Z"); // 08:00 in Moscow
    expect(await teamReportDue(db.pool, loadConfig({}), morning)).toBe(true);
    expect(await teamReportDue(db.pool, withFeed, morning)).toBe(false);
    await db.pool.query(`INSERT INTO job_run (job, slot, instance, finished_at, outcome) VALUES ('refresh', '2026-11-30', 'test', now(), 'ok')`);
    expect(await teamReportDue(db.pool, withFeed, morning)).toBe(true);
    expect(await teamReportDue(db.pool, withFeed, new Date("2026-12-07T09:00:00Z"))).toBe(true); // 12:00 in Moscow, no refresh row
  });
});
