import { loadIntoEmptyTable } from "../db/bulk.js";
import type { Queryable } from "../db/sql.js";
import { desiredAlerts, lcaWaitOf, materialKey, REMINDED_KINDS, resolutionReason, type AlertFacts, type AlertRules, type DesiredAlert, type LcaWait, type OpenContactChange, type UseCaseFacts } from "../domain/alerts.js";
import type { IsoDate } from "../domain/dates.js";
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import type { DeliveryBarrier } from "../domain/snapshot.js";
import type { Stage } from "../domain/stages.js";
import { DEFAULT_BATCH_OVER, summarize, type NoticeRow } from "./batch.js";
import { stallThresholdRows, stallThresholdSql } from "./thresholds.js";
import { loadAudience, route, type AlertTarget, type Audience } from "./routing.js";

export type KindCounts = Record<AlertKind, number>;

export interface EngineSummary {
  opened: KindCounts;
  resolved: KindCounts;
  reminders: number;
  outboxRows: number;
}

export interface EngineOptions {
  rules: Omit<AlertRules, "baselineOn">;
  reminderDays: number;
  /** The first snapshot of an installation opens alerts but pushes none of them. */
  baseline: boolean;
  batchSize?: number;
  /** More new alerts than this to one destination in one run arrive as one summary card (BATCH_OVER). */
  batchOver?: number;
  /**
   * Queues the redraw of an alert's delivered cards; the ingest passes the outbox's, for the
   * alerts whose chat fix its snapshot decided (delivery sits above the engine).
   */
  redraw?: (client: Queryable, alertId: number) => Promise<number>;
  /**
   * Which use cases to look at: every active one, or (what an ingest passes) those in a table
   * of ids (`id`) whose data the snapshot changed, plus the ones whose rules can turn without
   * a change in the data (see candidatesSql). Both give the same alerts.
   */
  scope?: "all" | { changedTable: string; snapshotId: number };
}

const zeroCounts = (): KindCounts => Object.fromEntries(ALERT_KINDS.map((k) => [k, 0])) as KindCounts;

/** The new alerts' rows of one run, held until its end so they can be grouped per destination. */
type Fresh = NoticeRow[];

interface OpenAlert {
  id: number;
  kind: AlertKind;
  subject: string;
  ucd_id: number;
  facts: AlertFacts;
  lca_wait: LcaWait | null;
}

interface FactsRow {
  id: number;
  stage: Stage;
  stage_entered_on: IsoDate;
  first_seen_on: IsoDate;
  excluded: boolean;
  change_from: Stage | null;
  change_to: Stage | null;
  change_on: IsoDate | null;
  contacts: { source: "cisco" | "partner"; slot: number; email: string; barrier: DeliveryBarrier }[] | null;
  /** Partner contact emails changed in chat and still open for LCA. */
  lca_changes: OpenContactChange[] | null;
  assigned_csm_id: number | null;
  tags: string[] | null;
  architecture: string;
  solution_domain: string;
  customer_name: string;
  cr_party_id: string;
}

/**
 * After each applied snapshot (same transaction): compares the alerts the rules want with
 * the open ones, opens, resolves and reopens, and writes one outbox row per recipient for
 * every notice, so nothing is lost between deciding and sending.
 */
export async function runAlertEngine(client: Queryable, options: EngineOptions): Promise<EngineSummary> {
  // The first snapshot opens 50,000 alerts into empty tables: their foreign keys are checked
  // with one join at the end rather than by three lookups per alert (the indexes stay: each
  // batch reads the alerts open so far). Only then: dropping a foreign key locks the table it
  // points to (csm, use_case_deployment) until commit, which on a later snapshot with no
  // alert yet would stop every click for the length of the ingest; on the baseline nothing
  // has reached a chat to be clicked.
  if (!options.baseline) return evaluate(client, options);
  return loadIntoEmptyTable(client, "recommendation", () =>
    loadIntoEmptyTable(client, "alert", () => evaluate(client, options), { keepIndexes: true }), { keepIndexes: true });
}

async function evaluate(client: Queryable, options: EngineOptions): Promise<EngineSummary> {
  const rules = await alertRules(client, options);
  const summary: EngineSummary = { opened: zeroCounts(), resolved: zeroCounts(), reminders: 0, outboxRows: 0 };
  const audience = await loadAudience(client);

  // Use cases that left the snapshot take their open alerts with them.
  const gone = await client.query<{ kind: AlertKind }>(`
    UPDATE alert a SET status = 'resolved', resolved_at = now(), resolution = 'removed', version = a.version + 1
    FROM use_case_deployment x
    WHERE a.use_case_deployment_id = x.id AND a.status = 'open' AND NOT x.active
    RETURNING a.kind`);
  for (const row of gone.rows) summary.resolved[row.kind]++;
  await closeRecommendationsOfResolvedAlerts(client);

  const batchSize = options.batchSize ?? 5000;
  const fresh: Fresh = [];
  const waitChanged: number[] = [];
  const scope = options.scope ?? "all";
  if (scope === "all") {
    for (let after = 0; ; ) {
      const { rows } = await client.query<FactsRow>(FACTS_SQL, [after, batchSize]);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      await evaluateBatch(client, rows, rules, options, audience, summary, fresh, waitChanged);
    }
  } else {
    // The candidates go to a table and their facts come through one cursor: one plan and one
    // pass over each table for the run, rather than the same joins again for every batch.
    await client.query(`CREATE TEMP TABLE engine_candidate ON COMMIT DROP AS ${candidatesSql(scope.changedTable)}`, candidateParams(rules, scope.snapshotId));
    await client.query(`ALTER TABLE engine_candidate ADD PRIMARY KEY (id)`);
    await client.query(`ANALYZE engine_candidate`);
    const { rows: [count] } = await client.query<{ candidates: number; active: number }>(
      `SELECT (SELECT count(*) FROM engine_candidate)::int AS candidates, (SELECT reltuples FROM pg_class WHERE oid = 'use_case_deployment'::regclass)::int AS active`);
    // Most use cases (the first snapshot): contacts and stage history grouped in one pass each.
    // A day's few thousand: looked up per use case, which reads a few pages, not 600,000 rows.
    const wide = count!.candidates > Math.max(WIDE_FACTS_MIN, 0.2 * count!.active);
    await client.query(`DECLARE engine_facts NO SCROLL CURSOR FOR ${wide ? FACTS_OF_MANY_SQL : FACTS_OF_FEW_SQL}`);
    for (;;) {
      const { rows } = await client.query<FactsRow>(`FETCH ${batchSize} FROM engine_facts`);
      if (rows.length === 0) break;
      await evaluateBatch(client, rows, rules, options, audience, summary, fresh, waitChanged);
    }
    await client.query(`CLOSE engine_facts`);
    await client.query(`DROP TABLE engine_candidate`);
  }
  summary.outboxRows += await writeFresh(client, fresh, options);
  // The snapshot decided a chat fix (confirmed, stale, overridden): the cards already sent
  // still say "waiting for LCA", so each is redrawn through the outbox, as after a click.
  if (options.redraw) for (const alertId of waitChanged) summary.outboxRows += await options.redraw(client, alertId);
  await sendReminders(client, options, audience, summary);
  return summary;
}

/**
 * The use cases whose wanted alerts may differ from the open ones, found set by set in SQL
 * rather than by applying the rules to every row in Node. desiredAlerts (domain/alerts.ts)
 * reads a use case's own data, which a changed content hash covers (stage, entry date,
 * contacts, exclusion, the stage history the merge writes), plus four things that move
 * without a change in the row:
 *
 * - time, for `stalled`: days in stage pass the threshold (per stage, or per solution domain
 *   and stage: stallThresholdSql) with no stalled alert open yet; or an open one no longer
 *   passes it (a threshold raised in the settings, an earlier as-of date);
 * - time, for `new_use_case`: an open one older than the window;
 * - the chat changes waiting for LCA (lca_wait), open or decided by this snapshot;
 * - an account excluded, and any open alert held for LCA (a handful of rows).
 *
 * A use case stalled but closed by the CSM ("not my customer") comes back each day and is
 * passed over by evaluateBatch as before: the set stays small.
 */
function candidatesSql(changedTable: string): string {
  // The threshold per use case and stage, worked out once for the few hundred pairs there are
  // and hash-joined, instead of a threshold subquery run for each of 200,000 use cases.
  const thresholds = `th AS (
      SELECT u.id AS use_case_id, st.stage, ${stallThresholdSql("st.stage", "u.solution_domain", "$2", "$3", "$4")} AS days
      FROM use_case u CROSS JOIN (SELECT DISTINCT stage FROM unnest($2::text[]) AS t(stage)) st)`;
  const stalledNow = `(th.days IS NOT NULL AND $1::date - x.stage_entered_on > th.days)`;
  return `
    WITH ${thresholds}
    SELECT id FROM ${changedTable}
    UNION
    SELECT x.id FROM use_case_deployment x
    JOIN th ON th.use_case_id = x.use_case_id AND th.stage = x.stage::text
    JOIN deployment d ON d.id = x.deployment_id
    JOIN customer c ON c.id = d.customer_id
    WHERE x.active AND NOT x.excluded AND NOT c.excluded AND ${stalledNow}
      AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.use_case_deployment_id = x.id AND a.kind = 'stalled' AND a.status = 'open')
    UNION
    SELECT x.id FROM alert a
    JOIN use_case_deployment x ON x.id = a.use_case_deployment_id
    JOIN deployment d ON d.id = x.deployment_id
    JOIN customer c ON c.id = d.customer_id
    LEFT JOIN th ON th.use_case_id = x.use_case_id AND th.stage = x.stage::text
    WHERE a.status = 'open' AND x.active AND (
      (a.kind = 'stalled' AND NOT ${stalledNow})
      OR (a.kind = 'new_use_case' AND NOT (x.first_seen_on > $5::date AND $1::date - x.first_seen_on <= $6))
      OR a.lca_wait IS NOT NULL OR x.excluded OR c.excluded)
    UNION
    SELECT p.use_case_deployment_id FROM pending_lca_change p
    WHERE p.use_case_deployment_id IS NOT NULL AND (p.status IN ('pending', 'stale') OR p.decided_snapshot_id = $7)
    ORDER BY 1`;
}

function candidateParams(rules: AlertRules, snapshotId: number): unknown[] {
  const t = stallThresholdRows(rules.stallThresholds);
  return [rules.asOf, t.stages, t.domains, t.days, rules.baselineOn, rules.newWindowDays, snapshotId];
}

const FACTS_COLUMNS = `x.id, x.stage, x.stage_entered_on, x.first_seen_on, (x.excluded OR c.excluded) AS excluded,
         sc.from_stage AS change_from, sc.to_stage AS change_to, sc.observed_on AS change_on`;
const FACTS_OTHER_COLUMNS = `d.assigned_csm_id, x.tags, u.architecture, u.solution_domain, c.name AS customer_name, c.cr_party_id`;
// Contacts in slot order (desiredAlerts keeps their order), from a sorted input rather than
// json_agg(... ORDER BY): PostgreSQL 15 sets up a sort for every group of that, 200,000 of them.
const CONTACT_JSON = `json_agg(json_build_object('source', k.source, 'slot', k.slot, 'email', k.email, 'barrier', k.delivery_barrier))`;
const LCA_CHANGE_JSON = `json_agg(json_build_object('slot', substr(p.field, 17, 1)::int, 'status', p.status))`;
const OPEN_CONTACT_CHANGE = `p.status IN ('pending', 'stale') AND p.field IN ('partner_contact_1_email', 'partner_contact_2_email')`;
const FACTS_JOINS = `JOIN deployment d ON d.id = x.deployment_id
  JOIN customer c ON c.id = d.customer_id
  JOIN use_case u ON u.id = x.use_case_id`;

const factsSql = (where: string, limit = "", from = "use_case_deployment x") => `
  SELECT ${FACTS_COLUMNS},
         (SELECT ${CONTACT_JSON} FROM (SELECT * FROM contact k WHERE k.use_case_deployment_id = x.id ORDER BY k.source, k.slot) k) AS contacts,
         (SELECT ${LCA_CHANGE_JSON} FROM pending_lca_change p WHERE p.use_case_deployment_id = x.id AND ${OPEN_CONTACT_CHANGE}) AS lca_changes,
         ${FACTS_OTHER_COLUMNS}
  FROM ${from}
  ${FACTS_JOINS}
  LEFT JOIN LATERAL (SELECT from_stage, to_stage, observed_on FROM stage_change
                     WHERE use_case_deployment_id = x.id ORDER BY id DESC LIMIT 1) sc ON true
  WHERE x.active AND ${where}
  ORDER BY x.id ${limit}`;
const FACTS_SQL = factsSql("x.id > $1", "LIMIT $2");
const FACTS_OF_FEW_SQL = factsSql("true", "", "engine_candidate e JOIN use_case_deployment x ON x.id = e.id");
/** The same facts for most use cases at once: each related table grouped once and joined. */
const FACTS_OF_MANY_SQL = `
  SELECT ${FACTS_COLUMNS}, k.contacts, p.lca_changes, ${FACTS_OTHER_COLUMNS}
  FROM engine_candidate e
  JOIN use_case_deployment x ON x.id = e.id
  ${FACTS_JOINS}
  LEFT JOIN (SELECT DISTINCT ON (use_case_deployment_id) use_case_deployment_id, from_stage, to_stage, observed_on
             FROM stage_change ORDER BY use_case_deployment_id, id DESC) sc ON sc.use_case_deployment_id = x.id
  LEFT JOIN (SELECT k.use_case_deployment_id, ${CONTACT_JSON} AS contacts
             FROM (SELECT * FROM contact ORDER BY use_case_deployment_id, source, slot) k GROUP BY k.use_case_deployment_id) k
    ON k.use_case_deployment_id = x.id
  LEFT JOIN (SELECT p.use_case_deployment_id, ${LCA_CHANGE_JSON} AS lca_changes FROM pending_lca_change p
             WHERE ${OPEN_CONTACT_CHANGE} GROUP BY p.use_case_deployment_id) p ON p.use_case_deployment_id = x.id
  WHERE x.active
  ORDER BY x.id`;
/** Below this many candidates the per-use-case lookups win whatever the portfolio's size. */
const WIDE_FACTS_MIN = 20_000;

async function alertRules(client: Queryable, options: EngineOptions): Promise<AlertRules> {
  const { rows: [first] } = await client.query<{ baseline_on: IsoDate }>(`SELECT min(as_of) AS baseline_on FROM snapshot`);
  return { ...options.rules, baselineOn: first?.baseline_on ?? options.rules.asOf };
}

/**
 * Re-applies the rules to a few use cases after a person changed them from chat (a contact
 * fixed moves its alert to "waiting for LCA" at once, not at the next refresh). Same transaction as the change.
 */
export async function reevaluateUseCases(client: Queryable, ids: number[], options: EngineOptions): Promise<EngineSummary> {
  const summary: EngineSummary = { opened: zeroCounts(), resolved: zeroCounts(), reminders: 0, outboxRows: 0 };
  const { rows } = await client.query<FactsRow>(factsSql("x.id = ANY($1)"), [ids]);
  const fresh: Fresh = [];
  if (rows.length > 0) await evaluateBatch(client, rows, await alertRules(client, options), options, await loadAudience(client), summary, fresh);
  summary.outboxRows += await writeFresh(client, fresh, options);
  return summary;
}

function toFacts(row: FactsRow): UseCaseFacts {
  return {
    useCaseDeploymentId: row.id,
    stage: row.stage,
    stageEnteredOn: row.stage_entered_on,
    firstSeenOn: row.first_seen_on,
    solutionDomain: row.solution_domain,
    excluded: row.excluded,
    lastStageChange: row.change_to ? { from: row.change_from, to: row.change_to, observedOn: row.change_on! } : null,
    contacts: row.contacts ?? [],
  };
}

/**
 * `waitChanged`, when given (the ingest), collects the open alerts that were waiting for LCA
 * and changed here: their wait marked otherwise, or resolved. A chat action redraws its own.
 */
async function evaluateBatch(client: Queryable, rows: FactsRow[], rules: AlertRules, options: EngineOptions, audience: Audience, summary: EngineSummary, fresh: Fresh, waitChanged?: number[]): Promise<void> {
  const ids = rows.map((r) => r.id);
  const open = await client.query<OpenAlert>(
    `SELECT id, kind, subject, use_case_deployment_id AS ucd_id, facts, lca_wait FROM alert WHERE status = 'open' AND use_case_deployment_id = ANY($1)`,
    [ids],
  );
  // A recommendation closed by the CSM ("not my customer") is not raised again for the same facts.
  const closed = await client.query<{ kind: AlertKind; subject: string; facts: AlertFacts }>(
    `SELECT kind, subject, facts FROM alert WHERE status = 'resolved' AND resolution = 'closed_by_action' AND use_case_deployment_id = ANY($1)`,
    [ids],
  );
  const key = (kind: string, subject: string) => `${kind}|${subject}`;
  const openByKey = new Map(open.rows.map((a) => [key(a.kind, a.subject), a]));
  const closedKeys = new Set(closed.rows.map((a) => `${key(a.kind, a.subject)}|${materialKey(a.facts)}`));

  const toOpen: { desired: DesiredAlert; row: FactsRow }[] = [];
  const toResolve: { id: number; kind: AlertKind; reason: string }[] = [];
  const toMark: { id: number; wait: LcaWait | null }[] = [];
  const wanted = new Set<string>();

  for (const row of rows) {
    for (const desired of desiredAlerts(toFacts(row), rules)) {
      const k = key(desired.kind, desired.subject);
      wanted.add(k);
      const existing = openByKey.get(k);
      if (!existing) {
        if (!closedKeys.has(`${k}|${materialKey(desired.facts)}`)) toOpen.push({ desired, row });
      } else if (materialKey(existing.facts) !== materialKey(desired.facts)) {
        toResolve.push({ id: existing.id, kind: existing.kind, reason: "changed" });
        toOpen.push({ desired, row });
      } else if (existing.lca_wait !== null) {
        // Wanted again on the same facts: the fix is gone, so nothing waits for LCA.
        toMark.push({ id: existing.id, wait: null });
      }
      // Otherwise the open alert stands as it was opened: cards count days in stage from the
      // data when drawn, so nothing is rewritten just because a day passed.
    }
  }
  const rowById = new Map(rows.map((r) => [r.id, r]));
  for (const alert of open.rows) {
    if (wanted.has(key(alert.kind, alert.subject))) continue;
    const row = rowById.get(alert.ucd_id)!;
    // Fixed in chat, not yet in LCA: held open until a snapshot carries the fix (issue 14).
    const wait = row.excluded ? null : lcaWaitOf(alert, row.lca_changes ?? []);
    if (wait !== null) {
      if (wait !== alert.lca_wait) toMark.push({ id: alert.id, wait });
      continue;
    }
    toResolve.push({ id: alert.id, kind: alert.kind, reason: resolutionReason(alert.kind, { active: true, excluded: row.excluded }) });
  }

  if (waitChanged) {
    const waited = new Set(open.rows.filter((a) => a.lca_wait !== null).map((a) => a.id));
    waitChanged.push(...toMark.map((m) => m.id), ...toResolve.filter((r) => waited.has(r.id)).map((r) => r.id));
  }
  if (toMark.length > 0) {
    // A new version: a card drawn before shows the other main action.
    await client.query(
      `UPDATE alert a SET lca_wait = m.wait::"LcaWait", version = a.version + 1
       FROM unnest($1::int[], $2::text[]) AS m(id, wait) WHERE a.id = m.id`,
      [toMark.map((m) => m.id), toMark.map((m) => m.wait)],
    );
  }
  if (toResolve.length > 0) {
    await client.query(
      `UPDATE alert a SET status = 'resolved', resolved_at = now(), resolution = r.reason, version = a.version + 1
       FROM unnest($1::int[], $2::text[]) AS r(id, reason) WHERE a.id = r.id`,
      [toResolve.map((r) => r.id), toResolve.map((r) => r.reason)],
    );
    for (const r of toResolve) summary.resolved[r.kind]++;
    await closeRecommendationsOfResolvedAlerts(client);
  }
  if (toOpen.length > 0) await openAlerts(client, toOpen, rules.asOf, options, audience, summary, fresh);
}

async function closeRecommendationsOfResolvedAlerts(client: Queryable): Promise<void> {
  await client.query(`
    UPDATE recommendation r SET status = 'closed', closed_at = now()
    FROM alert a WHERE a.recommendation_id = r.id AND a.status = 'resolved' AND r.status = 'open'`);
}

async function openAlerts(client: Queryable, toOpen: { desired: DesiredAlert; row: FactsRow }[], asOf: IsoDate, options: EngineOptions, audience: Audience, summary: EngineSummary, fresh: Fresh): Promise<void> {
  // Ids drawn first so each alert and its recommendation are written in two flat statements.
  const { rows: ids } = await client.query<{ rec: number; alert: number }>(
    `SELECT nextval(pg_get_serial_sequence('recommendation', 'id'))::int AS rec, nextval(pg_get_serial_sequence('alert', 'id'))::int AS alert
     FROM generate_series(1, $1)`,
    [toOpen.length],
  );
  const recIds = ids.map((r) => ({ id: r.rec }));
  const alertIds = ids.map((r) => ({ id: r.alert }));
  const kinds = toOpen.map((o) => o.desired.kind);
  const ucdIds = toOpen.map((o) => o.row.id);
  await client.query(
    `INSERT INTO recommendation (id, use_case_deployment_id, kind)
     SELECT * FROM unnest($1::int[], $2::int[], $3::"AlertKind"[])`,
    [recIds.map((r) => r.id), ucdIds, kinds],
  );
  await client.query(
    `INSERT INTO alert (id, kind, subject, use_case_deployment_id, recommendation_id, facts, opened_on, last_notified_on)
     SELECT id, kind, subject, ucd, rec, facts, $7::date, $7::date
     FROM unnest($1::int[], $2::"AlertKind"[], $3::text[], $4::int[], $5::int[], $6::jsonb[]) AS t(id, kind, subject, ucd, rec, facts)`,
    [alertIds.map((r) => r.id), kinds, toOpen.map((o) => o.desired.subject), ucdIds, recIds.map((r) => r.id), toOpen.map((o) => JSON.stringify(o.desired.facts)), asOf],
  );
  toOpen.forEach((o) => summary.opened[o.desired.kind]++);
  // The baseline's alerts wait for the first digest instead of arriving one by one.
  if (options.baseline) return;
  const notices = toOpen.map((o, i) => ({ alertId: alertIds[i]!.id, notice: 0, target: targetOf(o.desired.kind, o.row) }));
  fresh.push(...noticeRows(notices, "alert", audience));
}

function targetOf(kind: AlertKind, row: Pick<FactsRow, "assigned_csm_id" | "tags" | "architecture" | "customer_name" | "cr_party_id">): AlertTarget {
  return { kind, assignedCsmId: row.assigned_csm_id, tags: row.tags ?? [], architecture: row.architecture, customerName: row.customer_name, crPartyId: row.cr_party_id };
}

/** A run's new alert rows, written at its end: above BATCH_OVER to one destination as summaries. */
function writeFresh(client: Queryable, fresh: Fresh, options: EngineOptions): Promise<number> {
  return insertOutboxRows(client, summarize(fresh, options.batchOver ?? DEFAULT_BATCH_OVER));
}

/** One outbox row per recipient of each notice, not yet written. */
function noticeRows(notices: { alertId: number; notice: number; target: AlertTarget }[], kind: "alert" | "reminder", audience: Audience): NoticeRow[] {
  const rows: NoticeRow[] = [];
  for (const notice of notices) {
    for (const r of route(notice.target, audience).immediate) {
      rows.push({
        channel: r.channel,
        destination: r.destination,
        csmId: r.csmId,
        alertId: notice.alertId,
        kind,
        payload: JSON.stringify({ alertId: notice.alertId, notice: notice.notice }),
        dedupe: `alert:${notice.alertId}:${notice.notice}:${r.channel ?? "any"}:${r.destination}`,
      });
    }
  }
  return rows;
}

/** Writes the rows in their order (each destination's order is the order it is sent in). */
async function insertOutboxRows(client: Queryable, rows: readonly NoticeRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key)
     SELECT channel, destination, csm_id, alert_id, kind, payload, dedupe
     FROM unnest($1::"ChatChannel"[], $2::text[], $3::int[], $4::int[], $5::text[], $6::jsonb[], $7::text[]) WITH ORDINALITY
       AS t(channel, destination, csm_id, alert_id, kind, payload, dedupe, n)
     ORDER BY n
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [rows.map((r) => r.channel), rows.map((r) => r.destination), rows.map((r) => r.csmId), rows.map((r) => r.alertId), rows.map((r) => r.kind), rows.map((r) => r.payload), rows.map((r) => r.dedupe)],
  );
  return result.rowCount ?? 0;
}

/**
 * Stalled and contact alerts still open REMINDER_DAYS after the last notice and the last step
 * get a differently worded follow-up. Which are due is decided in SQL, the twin of
 * reminderDue (src/domain/alerts.ts): only the due ones are read.
 */
async function sendReminders(client: Queryable, options: EngineOptions, audience: Audience, summary: EngineSummary): Promise<void> {
  const { rows: due } = await client.query<Pick<FactsRow, "assigned_csm_id" | "tags" | "architecture" | "customer_name" | "cr_party_id"> & { alert_id: number; kind: AlertKind; reminder_count: number }>(`
    WITH open AS (
      SELECT a.id, a.kind, a.reminder_count, a.use_case_deployment_id, a.last_notified_on, a.lca_wait,
             a.snoozed_until::date AS snoozed_until,
             -- A snooze is not a step with the customer: when it ends, the reminders resume.
             CASE WHEN a.last_action IS DISTINCT FROM 'snoozed' THEN a.acted_at::date END AS last_acted_on
      FROM alert a WHERE a.status = 'open' AND a.kind = ANY($1::"AlertKind"[]))
    SELECT a.id AS alert_id, a.kind, a.reminder_count, d.assigned_csm_id, x.tags, u.architecture, c.name AS customer_name, c.cr_party_id
    FROM open a
    JOIN use_case_deployment x ON x.id = a.use_case_deployment_id
    JOIN deployment d ON d.id = x.deployment_id
    JOIN customer c ON c.id = d.customer_id
    JOIN use_case u ON u.id = x.use_case_id
    WHERE a.last_notified_on IS NOT NULL AND a.lca_wait IS DISTINCT FROM 'waiting'
      AND NOT (a.snoozed_until IS NOT NULL AND a.snoozed_until > $2::date)
      AND $2::date - CASE WHEN a.last_acted_on > a.last_notified_on THEN a.last_acted_on ELSE a.last_notified_on END >= $3
    ORDER BY a.id`, [REMINDED_KINDS, options.rules.asOf, options.reminderDays]);
  if (due.length === 0) return;
  await client.query(
    `UPDATE alert SET reminder_count = reminder_count + 1, last_notified_on = $2::date WHERE id = ANY($1)`,
    [due.map((a) => a.alert_id), options.rules.asOf],
  );
  summary.reminders += due.length;
  if (options.baseline) return;
  const notices = due.map((a) => ({ alertId: a.alert_id, notice: a.reminder_count + 1, target: targetOf(a.kind, a) }));
  // One outbox row per recipient (a person's row is fanned out by the dispatcher); the dedupe key makes a retry harmless.
  summary.outboxRows += await insertOutboxRows(client, noticeRows(notices, "reminder", audience));
}
