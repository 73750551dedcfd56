import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handleAction } from "../../src/actions/conversation.js";
import type { ConversationDeps } from "../../src/actions/context.js";
import type { ChatIdentity } from "../../src/actions/identity.js";
import { enqueueEscalations, escalationRecipients, escalationViewNow, type EscalationPayload } from "../../src/alerts/escalation.js";
import { createPlanner } from "../../src/delivery/plan.js";
import type { ClaimedRow } from "../../src/delivery/store.js";
import { loadConfig, type Config } from "../../src/config.js";
import { loadDemo } from "../../src/demo/load.js";
import { createLogger } from "../../src/log.js";
import { renderCard } from "../../src/cards/render.js";
import { renderBlockKit } from "../../src/channels/slack/render.js";
import type { EscalationView } from "../../src/protocol/views.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";

/**
 * Escalation (issue 17), on both databases: an untouched alert after its reminders (step 1)
 * and an unclaimed team-space alert (step 2) go once per step to TEAM_LEADS, else to ADMINS;
 * a touched, snoozed, noted or not-yet-reminded alert does not; running twice sends once.
 */
const ADMIN = "james.lee@partner.example";
const LEAD = "sophie.mueller@partner.example";
const TUESDAY = new Date("2026-12-01T09:00:00Z");
const withLeads = loadConfig({ ADMINS: ADMIN, TEAM_LEADS: `${LEAD}, Maria.Garcia@partner.example` });
const adminsOnly = loadConfig({ ADMINS: ADMIN });
const as = (email: string): ChatIdentity => ({ channel: "preview", userId: email, email, emailVerified: true });

describe.each(DB_KINDS)("escalation on %s", (kind) => {
  let db: TestDatabase;
  let alerts: { untouched: number; touched: number; snoozed: number; noted: number; notReminded: number; unclaimed: number; unclaimedYoung: number };

  /** The escalation rows, each with the card it would draw on TUESDAY (the view is drawn at send time). */
  const escalationRows = async () => {
    const { rows } = await db.pool.query<{ dedupe_key: string; destination: string; channel: string | null; csm_email: string; kind: string; alert_id: number | null; payload: EscalationPayload }>(
      `SELECT o.dedupe_key, o.destination, o.channel::text AS channel, c.email AS csm_email, o.kind, o.alert_id, o.payload
       FROM outbox_message o JOIN csm c ON c.id = o.csm_id WHERE o.dedupe_key LIKE 'escalation:%' ORDER BY o.id`,
    );
    return Promise.all(rows.map(async (r) => {
      expect(r).toMatchObject({ kind: "escalation", alert_id: r.payload.alertId });
      const view = (await escalationViewNow(db.pool, withLeads, r.payload.alertId, r.payload.step, TUESDAY))!;
      expect(view).toMatchObject({ alertId: r.payload.alertId, step: r.payload.step });
      return { ...r, payload: { card: "escalation", view } };
    }));
  };
  const escalationAudits = async () =>
    (await db.pool.query<{ entity_id: string; csm_id: number | null; channel: string | null; after: { step: number; to: string[] } }>(
      `SELECT entity_id, csm_id, channel::text AS channel, after FROM audit_entry WHERE action = 'alert.escalated' ORDER BY id`,
    )).rows;

  /** Every open alert fresh and untouched, then seven of them set up as the cases below. */
  async function arrange() {
    await db.pool.query(`DELETE FROM outbox_message WHERE dedupe_key LIKE 'escalation:%' OR dedupe_key LIKE 'test-delivered:%'`);
    await db.pool.query(`DELETE FROM audit_entry`);
    await db.pool.query(`UPDATE alert SET opened_on = '2026-12-01', last_notified_on = '2026-12-01', reminder_count = 0, acted_by_id = NULL, acted_at = NULL, last_action = NULL, snoozed_until = NULL WHERE status = 'open'`);
    const { rows } = await db.pool.query<{ id: number; deployment_id: number }>(
      `SELECT DISTINCT ON (x.deployment_id) a.id, x.deployment_id FROM alert a JOIN use_case_deployment x ON x.id = a.use_case_deployment_id
       JOIN deployment d ON d.id = x.deployment_id
       WHERE a.status = 'open' AND a.kind = 'stalled' AND d.assigned_csm_id IS NOT NULL AND x.active AND NOT x.excluded
       ORDER BY x.deployment_id, a.id LIMIT 7`,
    );
    expect(rows.length).toBe(7);
    const [untouched, touched, snoozed, noted, notReminded, unclaimed, unclaimedYoung] = rows.map((r) => r.id) as [number, number, number, number, number, number, number];
    const old = (id: number, days: number, reminders = 1) =>
      db.pool.query(`UPDATE alert SET opened_on = DATE '2026-12-01' - $2::int, last_notified_on = DATE '2026-12-01' - 1, reminder_count = $3 WHERE id = $1`, [id, days, reminders]);
    for (const id of [untouched, touched, snoozed, noted]) await old(id, 20);
    await old(notReminded, 20, 0);
    await db.pool.query(`UPDATE alert SET acted_by_id = (SELECT id FROM csm ORDER BY id LIMIT 1), acted_at = now(), last_action = 'contacted_customer' WHERE id = $1`, [touched]);
    // A snooze still running (and, to test the snooze alone, no "acted by").
    await db.pool.query(`UPDATE alert SET snoozed_until = now() + interval '3 days' WHERE id = $1`, [snoozed]);
    await db.pool.query(`INSERT INTO audit_entry (csm_id, channel, action, entity, entity_id, after) VALUES ((SELECT id FROM csm ORDER BY id LIMIT 1), 'slack', 'alert.note', 'alert', $1, '{"note":"on it"}')`, [String(noted)]);
    // Team-space alerts: their deployments nobody's.
    for (const id of [unclaimed, unclaimedYoung]) {
      await db.pool.query(`UPDATE deployment SET assigned_csm_id = NULL WHERE id = (SELECT x.deployment_id FROM alert a JOIN use_case_deployment x ON x.id = a.use_case_deployment_id WHERE a.id = $1)`, [id]);
    }
    await old(unclaimed, 4, 0);
    await old(unclaimedYoung, 2, 0);
    // Each reached someone the day it opened (a sent card): escalation skips alerts that reached nobody.
    await db.pool.query(
      `INSERT INTO outbox_message (created_at, destination, alert_id, kind, payload, status, dedupe_key)
       SELECT opened_on, 'csm:0', id, 'alert', '{}', 'sent', 'test-delivered:' || id FROM alert WHERE id = ANY($1::int[])`,
      [rows.map((r) => r.id)],
    );
    alerts = { untouched, touched, snoozed, noted, notReminded, unclaimed, unclaimedYoung };
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await loadDemo(db, withLeads, "2026-11-23");
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(arrange);

  it("step 1 for the untouched alert after its reminders, step 2 for the unclaimed team-space alert, to each team lead, once", async () => {
    const first = await enqueueEscalations(db.pool, withLeads, TUESDAY);
    expect(first.escalated).toEqual({ 1: 1, 2: 1 });
    expect(first.rows).toBe(4);
    // Again, later that day or the next: nothing more, for either step.
    expect(await enqueueEscalations(db.pool, withLeads, new Date("2026-12-01T12:30:00Z"))).toEqual({ escalated: { 1: 0, 2: 0 }, rows: 0 });
    const rows = await escalationRows();
    expect(new Set(rows.map((r) => r.csm_email))).toEqual(new Set([LEAD, "maria.garcia@partner.example"]));
    expect(rows.every((r) => r.channel === null && r.payload.card === "escalation")).toBe(true);
    const byAlert = (id: number) => rows.filter((r) => r.payload.view.alertId === id);
    expect(byAlert(alerts.untouched).map((r) => r.payload.view.step)).toEqual([1, 1]);
    expect(byAlert(alerts.unclaimed).map((r) => r.payload.view.step)).toEqual([2, 2]);
    expect(byAlert(alerts.unclaimed)[0]!.payload.view.deployment.assignedCsm).toBeNull();
    expect(byAlert(alerts.untouched)[0]!.payload.view).toMatchObject({ daysOpen: 20, kind: "stalled" });
    expect(byAlert(alerts.untouched)[0]!.payload.view.deployment.assignedCsm).not.toBeNull();
    expect(byAlert(alerts.untouched)[0]!.payload.view.csms.length).toBeGreaterThan(1);
    // The card reads in each lead's language: customer, use case, kind, days open, whose it is, the CSM picker.
    const card = byAlert(alerts.unclaimed)[0]!.payload;
    const en = JSON.stringify(renderCard("escalation", card.view, { locale: "en", timeZone: "UTC" }));
    const ru = JSON.stringify(renderCard("escalation", card.view, { locale: "ru", timeZone: "Europe/Moscow" }));
    expect(en).toContain(card.view.customer.name);
    expect(en).toContain("Not assigned");
    expect(en).toContain("Assign deployment to me");
    expect(ru).toContain("Эскалация");
    expect(ru).toContain("4 дня");
    expect(renderBlockKit({ card: "escalation", view: card.view }, { locale: "en", timeZone: "UTC" }).modals).not.toEqual({});
    for (const quiet of [alerts.touched, alerts.snoozed, alerts.noted, alerts.notReminded, alerts.unclaimedYoung]) expect(byAlert(quiet)).toEqual([]);
    // The next working day only the younger team-space alert is due (3 days unclaimed); the others are done.
    expect(await enqueueEscalations(db.pool, withLeads, new Date("2026-12-02T09:00:00Z"))).toEqual({ escalated: { 1: 0, 2: 1 }, rows: 2 });
    expect((await escalationRows()).slice(4).map((r) => [r.payload.view.alertId, r.payload.view.step])).toEqual([[alerts.unclaimedYoung, 2], [alerts.unclaimedYoung, 2]]);

    const audits = await escalationAudits();
    expect(audits.slice(0, 2).map((a) => [Number(a.entity_id), a.after.step, a.csm_id, a.channel])).toEqual([
      [alerts.untouched, 1, null, null],
      [alerts.unclaimed, 2, null, null],
    ].sort((a, b) => (a[0] as number) - (b[0] as number)));
  });

  it("more than BATCH_OVER at once go to each lead as one escalation summary, once", async () => {
    const batched = loadConfig({ ADMINS: ADMIN, TEAM_LEADS: `${LEAD}, Maria.Garcia@partner.example`, BATCH_OVER: "1" });
    const outcome = await enqueueEscalations(db.pool, batched, TUESDAY);
    expect(outcome).toEqual({ escalated: { 1: 1, 2: 1 }, rows: 2 });
    expect(await escalationAudits()).toHaveLength(2);
    const { rows } = await db.pool.query<{ kind: string; channel: string | null; csm_email: string; payload: { alertIds: number[]; page: number; pages: number; escalation: boolean } }>(
      `SELECT o.kind, o.channel::text AS channel, c.email AS csm_email, o.payload FROM outbox_message o JOIN csm c ON c.id = o.csm_id
       WHERE o.dedupe_key LIKE 'escalation:%' ORDER BY o.id`,
    );
    expect(new Set(rows.map((r) => r.csm_email))).toEqual(new Set([LEAD, "maria.garcia@partner.example"]));
    for (const r of rows) {
      expect(r).toMatchObject({ kind: "summary", channel: null, payload: { page: 1, pages: 1, escalation: true } });
      expect(new Set(r.payload.alertIds)).toEqual(new Set([alerts.untouched, alerts.unclaimed]));
    }
    expect((await enqueueEscalations(db.pool, batched, new Date("2026-12-01T12:30:00Z"))).rows).toBe(0);
  });

  it("draws the card when it is sent: not sent once the alert was acted on, snoozed or resolved since it was escalated", async () => {
    await enqueueEscalations(db.pool, withLeads, TUESDAY);
    const { rows: [lead] } = await db.pool.query<{ id: number }>(`SELECT id FROM csm WHERE email = $1`, [LEAD]);
    const plan = createPlanner({ pool: db.pool, prisma: db.prisma, config: withLeads, render: (card) => ({ text: card.card, card }) as never, now: () => TUESDAY });
    const rowOf = async (alertId: number): Promise<ClaimedRow> => {
      const { rows: [o] } = await db.pool.query<{ id: number; payload: unknown }>(`SELECT id, payload FROM outbox_message WHERE kind = 'escalation' AND alert_id = $1 AND csm_id = $2`, [alertId, lead!.id]);
      const { rows: [a] } = await db.pool.query<{ status: "open" | "resolved"; kind: never; ucd: number }>(`SELECT status::text AS status, kind::text AS kind, use_case_deployment_id AS ucd FROM alert WHERE id = $1`, [alertId]);
      return { id: Number(o!.id), channel: "slack", destination: `csm:${lead!.id}`, csmId: lead!.id, alertId, kind: "escalation", payload: o!.payload, attempts: 1, createdAt: TUESDAY, priority: 0, token: "", previous: { status: "pending", nextAttemptAt: "now" }, waitMs: 0, alert: { status: a!.status, kind: a!.kind, useCaseDeploymentId: a!.ucd }, siblings: [], takenOverAfterMs: null };
    };
    expect(await plan(await rowOf(alerts.untouched))).toMatchObject({ kind: "send", message: { card: { card: "escalation", view: { alertId: alerts.untouched, step: 1, daysOpen: 20 } } } });
    // The CSM acts on it overnight (the lead's quiet hours held the card): the card is not sent.
    await db.pool.query(`UPDATE alert SET acted_by_id = (SELECT id FROM csm ORDER BY id LIMIT 1), acted_at = now(), last_action = 'contacted_customer' WHERE id = $1`, [alerts.untouched]);
    expect(await plan(await rowOf(alerts.untouched))).toEqual({ kind: "supersede", reason: "alert acted on or snoozed since it was escalated" });
    await db.pool.query(`UPDATE alert SET status = 'resolved', resolved_at = now() WHERE id = $1`, [alerts.unclaimed]);
    expect(await plan(await rowOf(alerts.unclaimed))).toEqual({ kind: "supersede", reason: "alert resolved before sending" });
    // The audit keeps the step as it was taken.
    expect((await escalationAudits()).map((a) => Number(a.entity_id)).sort()).toEqual([alerts.untouched, alerts.unclaimed].sort());
    await db.pool.query(`UPDATE alert SET status = 'open', resolved_at = NULL WHERE id = $1`, [alerts.unclaimed]);
  });

  it("goes to the admins when no team leads are set, and nowhere at the weekend", async () => {
    expect((await enqueueEscalations(db.pool, adminsOnly, new Date("2026-12-05T09:00:00Z"))).rows).toBe(0);
    const outcome = await enqueueEscalations(db.pool, adminsOnly, TUESDAY);
    expect(outcome.escalated).toEqual({ 1: 1, 2: 1 });
    expect((await escalationRows()).map((r) => r.csm_email)).toEqual([ADMIN, ADMIN]);
  });

  it("an unclaimed alert is step 2 once, and no step 1 follows when it is still nobody's at 14 days", async () => {
    await enqueueEscalations(db.pool, withLeads, TUESDAY);
    await db.pool.query(`UPDATE alert SET opened_on = DATE '2026-12-01' - 20, reminder_count = 2 WHERE id = $1`, [alerts.unclaimed]);
    const later = await enqueueEscalations(db.pool, withLeads, new Date("2026-12-02T09:00:00Z"));
    expect(later.escalated[1]).toBe(0);
    expect((await escalationAudits()).filter((a) => Number(a.entity_id) === alerts.unclaimed).map((a) => a.after.step)).toEqual([2]);
  });

  it("a team lead assigns from the escalation card to a CSM of the partner; a CSM who is neither lead nor admin may not", async () => {
    await enqueueEscalations(db.pool, withLeads, TUESDAY);
    const view = (await escalationRows()).find((r) => r.payload.view.alertId === alerts.unclaimed)!.payload.view;
    const deps: ConversationDeps = { db, config: withLeads, log: createLogger("silent"), now: () => TUESDAY };
    const envelope = { a: "usecase.assign", v: 1, id: view.deployment.rowId, ev: view.deployment.version, al: view.alertId, to: "oliver.brown@partner.example" };
    const refused = await handleAction(deps, as("dmitry.sokolov@partner.example"), envelope);
    expect(refused.effects[0]).toMatchObject({ type: "reply", card: { card: "notice", view: { text: { key: "chat.errors.notAdminAssign" } } } });
    const outsider = await handleAction(deps, as(LEAD), { ...envelope, to: "someone@outside.example" });
    expect(outsider.effects[0]).toMatchObject({ card: { view: { text: { key: "chat.errors.assigneeOutsidePartner" } } } });
    const done = await handleAction(deps, as(LEAD), envelope);
    expect(done.effects[0]).toMatchObject({ type: "reply", card: { card: "receipt" } });
    const deployment = await db.prisma.deployment.findUniqueOrThrow({ where: { id: view.deployment.rowId }, include: { assignedCsm: true } });
    expect(deployment.assignedCsm?.email).toBe("oliver.brown@partner.example");
    // Assigned: the alert is touched now, and its step 2 stays the only one.
    expect(await db.prisma.alert.findUniqueOrThrow({ where: { id: view.alertId } })).toMatchObject({ lastAction: "assigned" });
  });
});

describe("escalation recipients", () => {
  it("are TEAM_LEADS when set, else ADMINS, never an address outside the partner", () => {
    expect(escalationRecipients(withLeads)).toEqual([LEAD, "maria.garcia@partner.example"]);
    expect(escalationRecipients(adminsOnly)).toEqual([ADMIN]);
    const tampered: Config = { ...adminsOnly, partner: { ...adminsOnly.partner, teamLeads: ["mallory@outside.example", LEAD] } };
    expect(escalationRecipients(tampered)).toEqual([LEAD]);
  });

  it("TEAM_LEADS outside PARTNER_DOMAINS refuse to start, like ADMINS", () => {
    expect(() => loadConfig({ TEAM_LEADS: "lead@outside.example" })).toThrow(/TEAM_LEADS: lead@outside.example is not in PARTNER_DOMAINS/);
    expect(() => loadConfig({ TEAM_LEADS: "not an email" })).toThrow(/TEAM_LEADS/);
    expect(loadConfig({}).escalation).toEqual({ afterDays: 14, unclaimedDays: 3 });
    expect(loadConfig({}).partner.teamLeads).toEqual([]);
    expect(loadConfig({ ESCALATE_AFTER_DAYS: "10", ESCALATE_UNCLAIMED_DAYS: "1" }).escalation).toMatchObject({ afterDays: 10, unclaimedDays: 1 });
    expect(() => loadConfig({ ESCALATE_UNCLAIMED_DAYS: "0" })).toThrow(/ESCALATE_UNCLAIMED_DAYS/);
  });
});

/**
 * The flood a new installation would get (review of issue 17): the engine opens the baseline
 * snapshot's alerts without sending them, yet stamps their last_notified_on, so only the
 * outbox can tell which alerts reached someone. Through the real ingest: a baseline snapshot,
 * the next day's, then three weeks later an escalation run.
 */
describe.each(DB_KINDS)("escalation after a new installation's first snapshots on %s", (kind) => {
  let db: TestDatabase;
  const BASELINE_ON = "2026-11-09";

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    // A team space takes the unassigned deployments' alerts, as a real installation's would.
    await db.pool.query(`INSERT INTO team_space (name, channel, address) VALUES ('CS team', 'webex', 'room-cs-team')`);
    await loadDemo(db, withLeads, "2026-11-10");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("escalates the alerts that reached someone, never the baseline's that reached nobody", async () => {
    const { rows: open } = await db.pool.query<{ id: number; opened_on: string; assigned: boolean; reached: boolean }>(
      `SELECT a.id, a.opened_on::text AS opened_on, d.assigned_csm_id IS NOT NULL AS assigned,
              EXISTS (SELECT 1 FROM outbox_message o WHERE (o.alert_id = a.id AND o.kind IN ('alert', 'reminder'))
                        OR (o.kind = 'summary' AND o.payload->'alertIds' @> to_jsonb(a.id))) AS reached
       FROM alert a JOIN use_case_deployment x ON x.id = a.use_case_deployment_id JOIN deployment d ON d.id = x.deployment_id
       WHERE a.status = 'open' AND x.active AND NOT x.excluded`,
    );
    const baselineOnly = open.filter((a) => a.opened_on === BASELINE_ON && !a.reached);
    const reachedUnassigned = open.filter((a) => a.reached && !a.assigned);
    // The case the review describes: baseline alerts on unassigned deployments, stamped as if notified.
    expect(baselineOnly.filter((a) => !a.assigned).length).toBeGreaterThan(0);
    expect(reachedUnassigned.length).toBeGreaterThan(0);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM alert WHERE opened_on = $1 AND last_notified_on IS NULL`, [BASELINE_ON])).rows[0].n).toBe(0);

    // Three weeks on, a weekday: past ESCALATE_UNCLAIMED_DAYS (3) and ESCALATE_AFTER_DAYS (14). From the
    // wall clock, as the outbox rows were written (created_at now()), not from the snapshots' days.
    const later = new Date(Date.now() + 21 * 86_400_000);
    while ([0, 6].includes(later.getUTCDay())) later.setUTCDate(later.getUTCDate() + 1);
    later.setUTCHours(9, 0, 0, 0);
    const outcome = await enqueueEscalations(db.pool, withLeads, later);
    const escalated = new Set((await db.pool.query<{ entity_id: string }>(`SELECT entity_id FROM audit_entry WHERE action = 'alert.escalated'`)).rows.map((r) => Number(r.entity_id)));
    for (const a of baselineOnly) expect(escalated.has(a.id)).toBe(false);
    for (const id of escalated) expect(open.find((a) => a.id === id)?.reached).toBe(true);
    // Every unclaimed alert the team space was told about goes to the leads (step 2).
    expect(outcome.escalated[2]).toBe(reachedUnassigned.length);
    for (const a of reachedUnassigned) expect(escalated.has(a.id)).toBe(true);
  });
});
