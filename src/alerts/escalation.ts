import type pg from "pg";
import { lcaUrl, type Config } from "../config.js";
import { inPartnerDomains } from "../domain/contacts.js";
import { daysBetween, isWeekend, todayIn, type IsoDate } from "../domain/dates.js";
import { escalationDue, type EscalationStep } from "../domain/escalation.js";
import type { AlertKind } from "../domain/recommendations.js";
import { SUMMARY_PAGE_SIZE, type SummaryPayload } from "./batch.js";
import { inTransaction, type Queryable } from "../db/sql.js";
import type { EscalationView, Person } from "../protocol/views.js";

/** Any constant shared by every instance: two runs at once (two instances) take turns, so each step is audited once. */
const ESCALATION_LOCK = 4_171_701;

/** Who gets escalations: TEAM_LEADS when set, else ADMINS; only addresses inside the partner's domains, ever. */
export function escalationRecipients(config: Pick<Config, "partner" | "escalation">): string[] {
  const list = config.partner.teamLeads.length > 0 ? config.partner.teamLeads : config.partner.admins;
  return list.map((e) => e.toLowerCase()).filter((e) => inPartnerDomains(e, config.partner.domains));
}

export interface EscalationOutcome {
  /** Alerts escalated now, by step. */
  escalated: { 1: number; 2: number };
  /** Outbox rows written: one per recipient and alert, or per recipient and summary page when more than BATCH_OVER alerts escalate at once. */
  rows: number;
}

interface CandidateRow {
  alert_id: number;
  kind: AlertKind;
  opened_on: IsoDate;
  delivered_on: IsoDate | null;
  reminder_count: number;
  snoozed_until: IsoDate | null;
  touched: boolean;
  steps_done: number[];
  customer_name: string;
  cr_party_id: string;
  architecture: string;
  solution_domain: string;
  use_case: string;
  deployment_row_id: number;
  deployment_id: string;
  deployment_version: number;
  install_site: string | null;
  csm_name: string | null;
  csm_email: string | null;
}

/**
 * The escalation run (src/domain/escalation.ts has the rules): on a working day in the
 * partner's zone, every open alert whose step is due and not yet taken gets one audit row
 * `alert.escalated` (no CSM, no chat: the bot's) and one escalation row per recipient, a
 * person's row (channel NULL, alert_id set, payload {alertId, step}) that the dispatcher fans
 * out to their chats, checks against PARTNER_DOMAINS again and draws when it sends it: one
 * held by quiet hours is dropped if the alert was resolved or acted on meanwhile. More than
 * BATCH_OVER in one run go as summary pages instead. The outbox's dedupe key names the alert,
 * the step and the recipient, and the audit row is the record of the step, so running twice
 * sends once.
 */
export async function enqueueEscalations(pool: pg.Pool, config: Pick<Config, "partner" | "escalation" | "lcaPortalUrl" | "alerts">, now: Date): Promise<EscalationOutcome> {
  const outcome: EscalationOutcome = { escalated: { 1: 0, 2: 0 }, rows: 0 };
  const today = todayIn(config.partner.timeZone, now);
  const recipients = escalationRecipients(config);
  if (isWeekend(today) || recipients.length === 0) return outcome;
  return inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock($1)`, [ESCALATION_LOCK]);
    const { rows: leads } = await client.query<{ id: number; email: string }>(
      `SELECT id, lower(email) AS email FROM csm WHERE active AND lower(email) = ANY($1::text[]) ORDER BY id`, [recipients]);
    if (leads.length === 0) return outcome;
    const rows = await readCandidates(client, config.partner.timeZone, null);
    const taken: Taken[] = [];
    for (const row of rows) {
      const step = escalationDue(
        { kind: row.kind, openedOn: row.opened_on, deliveredOn: row.delivered_on, reminderCount: row.reminder_count, assigned: row.csm_email !== null, touched: row.touched, snoozedUntil: row.snoozed_until },
        today,
        config.escalation,
      );
      if (step === null || row.steps_done.includes(step)) continue;
      await client.query(
        `INSERT INTO audit_entry (csm_id, channel, action, entity, entity_id, before, after) VALUES (NULL, NULL, 'alert.escalated', 'alert', $1, NULL, $2)`,
        [String(row.alert_id), JSON.stringify({ step, daysOpen: daysBetween(row.opened_on, today), to: leads.map((l) => l.email) })],
      );
      taken.push({ alertId: row.alert_id, step });
      outcome.escalated[step] += 1;
    }
    outcome.rows = taken.length > config.alerts.batchOver ? await enqueueSummaries(client, leads, taken) : await enqueueCards(client, leads, taken);
    return outcome;
  });
}

/** Open alerts that may be escalated, with what the rule and the card need; one alert when alertId is given. */
async function readCandidates(client: Queryable, timeZone: string, alertId: number | null): Promise<CandidateRow[]> {
const { rows } = await client.query<CandidateRow>(
    // Reached: the alerts some card, summary or reminder was written for (a row dead on
    // arrival reached nobody). The baseline's alerts have none until a reminder goes out.
    `WITH reached AS (
       SELECT o.alert_id AS id, o.created_at FROM outbox_message o
       WHERE o.kind IN ('alert', 'reminder') AND o.alert_id IS NOT NULL AND o.status <> 'dead' AND ($2::int IS NULL OR o.alert_id = $2::int)
       UNION ALL
       SELECT s.id::int, o.created_at FROM outbox_message o CROSS JOIN LATERAL jsonb_array_elements_text(o.payload->'alertIds') AS s(id)
       WHERE o.kind = 'summary' AND o.status <> 'dead' AND o.payload->'escalation' IS NULL AND ($2::int IS NULL OR o.payload->'alertIds' @> to_jsonb($2::int))),
     delivered AS (
       SELECT id, ((min(created_at) AT TIME ZONE 'UTC') AT TIME ZONE $1)::date::text AS delivered_on FROM reached GROUP BY id)
     SELECT a.id AS alert_id, a.kind, a.opened_on::text AS opened_on, dl.delivered_on, a.reminder_count,
            ((a.snoozed_until AT TIME ZONE 'UTC') AT TIME ZONE $1)::date::text AS snoozed_until,
            (a.acted_by_id IS NOT NULL OR EXISTS (
               SELECT 1 FROM audit_entry e WHERE e.entity = 'alert' AND e.entity_id = a.id::text AND e.csm_id IS NOT NULL)) AS touched,
            ARRAY(SELECT (e.after->>'step')::int FROM audit_entry e
                  WHERE e.entity = 'alert' AND e.entity_id = a.id::text AND e.action = 'alert.escalated') AS steps_done,
            cu.name AS customer_name, cu.cr_party_id, u.architecture, u.solution_domain, u.name AS use_case,
            d.id AS deployment_row_id, d.deployment_id, d.version AS deployment_version, d.install_site,
            c.name AS csm_name, c.email AS csm_email
     FROM alert a
     JOIN use_case_deployment x ON x.id = a.use_case_deployment_id
     JOIN use_case u ON u.id = x.use_case_id
     JOIN deployment d ON d.id = x.deployment_id
     JOIN customer cu ON cu.id = d.customer_id
     LEFT JOIN csm c ON c.id = d.assigned_csm_id AND c.active
     LEFT JOIN delivered dl ON dl.id = a.id
     WHERE a.status = 'open' AND x.active AND NOT x.excluded AND NOT cu.excluded AND ($2::int IS NULL OR a.id = $2::int)
     ORDER BY a.id`,
    [timeZone, alertId],
  );
  return rows;
}

/**
 * The escalation card of a step, drawn when it is sent (src/delivery/plan.ts): null when the
 * alert is no longer open, was acted on or snoozed since it was escalated (quiet hours can
 * hold the card for a night), so a lead never reads "nobody acted" after someone did.
 */
export async function escalationViewNow(client: Queryable, config: Pick<Config, "partner" | "lcaPortalUrl">, alertId: number, step: EscalationStep, now: Date): Promise<EscalationView | null> {
  const today = todayIn(config.partner.timeZone, now);
  const [row] = await readCandidates(client, config.partner.timeZone, alertId);
  if (!row || row.touched || (row.snoozed_until !== null && row.snoozed_until > today)) return null;
  const { rows: csms } = await client.query<Person>(`SELECT name, lower(email) AS email FROM csm WHERE active ORDER BY name, id`);
  const choices = csms.filter((c) => inPartnerDomains(c.email, config.partner.domains));
  return viewOf(row, step, today, choices, lcaUrl(config)(row.deployment_id));
}

/** What an escalation row carries: the view is drawn at send time. */
export interface EscalationPayload {
  alertId: number;
  step: EscalationStep;
}

export function isEscalationPayload(value: unknown): value is EscalationPayload {
  const p = value as Partial<EscalationPayload> | null;
  return !!p && Number.isInteger(p.alertId) && (p.step === 1 || p.step === 2);
}

interface Taken {
  alertId: number;
  step: EscalationStep;
}

/** One escalation card per lead and alert. */
async function enqueueCards(client: pg.PoolClient, leads: { id: number }[], taken: Taken[]): Promise<number> {
  let rows = 0;
  for (const { alertId, step } of taken) {
    const written = await client.query(
      `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key)
       SELECT NULL, 'csm:' || t.id, t.id, $3::int, 'escalation', $2::jsonb, 'escalation:' || $3::int || ':step:' || $4::int || ':csm:' || t.id
       FROM unnest($1::int[]) AS t(id)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [leads.map((l) => l.id), JSON.stringify({ alertId, step } satisfies EscalationPayload), alertId, step],
    );
    rows += written.rowCount ?? 0;
  }
  return rows;
}

/**
 * More than BATCH_OVER at once (a busy morning, or the first reminders of a large baseline):
 * each lead gets summary cards of SUMMARY_PAGE_SIZE alerts instead, drawn at send time like
 * the engine's summaries (each item with Assign to me and Show card), titled as escalations.
 */
async function enqueueSummaries(client: pg.PoolClient, leads: { id: number }[], taken: Taken[]): Promise<number> {
  const pages = Math.ceil(taken.length / SUMMARY_PAGE_SIZE);
  let rows = 0;
  for (let page = 1; page <= pages; page++) {
    const items = taken.slice((page - 1) * SUMMARY_PAGE_SIZE, page * SUMMARY_PAGE_SIZE);
    const payload: SummaryPayload = { alertIds: items.map((i) => i.alertId), page, pages, escalation: true };
    const written = await client.query(
      `INSERT INTO outbox_message (channel, destination, csm_id, kind, payload, dedupe_key)
       SELECT NULL, 'csm:' || t.id, t.id, 'summary', $2::jsonb, 'escalation:summary:' || $3 || ':step:' || $4 || ':page:' || $5 || ':csm:' || t.id
       FROM unnest($1::int[]) AS t(id)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [leads.map((l) => l.id), JSON.stringify(payload), items[0]!.alertId, items[0]!.step, page],
    );
    rows += written.rowCount ?? 0;
  }
  return rows;
}

function viewOf(row: CandidateRow, step: EscalationStep, today: IsoDate, csms: Person[], url: string): EscalationView {
  return {
    alertId: row.alert_id,
    kind: row.kind,
    step,
    customer: { crPartyId: row.cr_party_id, name: row.customer_name },
    useCase: { architecture: row.architecture, solutionDomain: row.solution_domain, name: row.use_case },
    deployment: {
      rowId: row.deployment_row_id,
      deploymentId: row.deployment_id,
      version: row.deployment_version,
      installSite: row.install_site,
      assignedCsm: row.csm_name && row.csm_email ? { name: row.csm_name, email: row.csm_email } : null,
    },
    openedOn: row.opened_on,
    daysOpen: daysBetween(row.opened_on, today),
    csms,
    lcaUrl: url,
  };
}
