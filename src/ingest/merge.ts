import { analyzeStale, loadIntoEmptyTable } from "../db/bulk.js";
import { inPartnerDomainsSql, type Queryable } from "../db/sql.js";
import type { IsoDate } from "../domain/dates.js";
import { stageMove, type Stage } from "../domain/stages.js";

export interface EntityCounts {
  created: number;
  updated: number;
  removed: number;
}

export interface MergeSummary {
  customers: EntityCounts;
  deployments: EntityCounts;
  useCaseDeployments: EntityCounts;
  contactsChanged: number;
  csmsCreated: number;
  stageProgressions: number;
  stageRegressions: number;
  /** Rows whose CSM email is outside the partner's domains: kept, but nobody is messaged there. */
  outsiders: Outsiders;
}

export interface Outsiders {
  count: number;
  /** The first MAX_LISTED_OUTSIDERS, in file order. */
  rows: { row: number; deploymentId: string; email: string }[];
}

export const MAX_LISTED_OUTSIDERS = 100;

/** `sql` ends in `RETURNING (xmax = 0) AS inserted`; counted in SQL, not row by row in Node. */
async function upsertCounts(client: Queryable, sql: string, params: unknown[] = []): Promise<{ created: number; updated: number }> {
  const { rows: [counts] } = await client.query<{ created: number; updated: number }>(`
    WITH written AS (${sql})
    SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`, params);
  return { created: counts!.created, updated: counts!.updated };
}

/**
 * Merges the staged snapshot (table snapshot_row) into the model, set by set. Only rows whose
 * values differ are written, so re-ingesting the same snapshot changes nothing.
 *
 * A row the reader passed over as unchanged (its digest is its use case's content_hash) is
 * staged with its customer and deployment columns only (staging.ts, `entity`), the rest null:
 * a statement over every staged row reads only those; the use case's own columns are read
 * from ucd_src, the rows that changed.
 */
export async function mergeSnapshot(client: Queryable, asOf: IsoDate, partnerDomains: readonly string[]): Promise<MergeSummary> {
  // For the rest of the ingest's transaction (the alert engine too): PostgreSQL compiles any
  // statement estimated above jit_above_cost, and here that is every batch of the engine and
  // most merge statements, each run once: 60-70 ms of compiling for 20-300 ms of work.
  // (PGlite has no JIT; the setting is accepted there and changes nothing.)
  await client.query(`SET LOCAL jit = off`);
  // No index on the staged rows: every statement below reads all of them (hash joins), and
  // building one on deployment_id cost 0.2-0.4 s a snapshot for no plan that used it.
  // The staged rows' statistics only steer this merge's joins: a sample of 3,000 rows (not
  // 30,000) tells a hash join from a nested loop as well, in a tenth of the time.
  await client.query(`SET LOCAL default_statistics_target = 10`);
  await client.query(`ANALYZE snapshot_row`);
  await client.query(`SET LOCAL default_statistics_target TO DEFAULT`);

  await client.query(`
    INSERT INTO use_case (architecture, solution_domain, name, cpi_available)
    SELECT DISTINCT architecture, solution_domain, use_case, false FROM snapshot_row
    ON CONFLICT (architecture, solution_domain, name) DO NOTHING`);

  const customers = await upsertCounts(client, `
    WITH src AS (
      SELECT DISTINCT ON (cr_party_id) cr_party_id, cr_party_name, cxbu, ea
      FROM snapshot_row ORDER BY cr_party_id, row_number)
    INSERT INTO customer AS c (cr_party_id, name, cxbu, ea, active, updated_at)
    SELECT cr_party_id, cr_party_name, cxbu, ea, true, now() FROM src
    ON CONFLICT (cr_party_id) DO UPDATE
      SET name = EXCLUDED.name, cxbu = EXCLUDED.cxbu, ea = EXCLUDED.ea, active = true, updated_at = now()
      WHERE (c.name, c.cxbu, c.ea, c.active) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.cxbu, EXCLUDED.ea, true)
    RETURNING (xmax = 0) AS inserted`);
  const customersRemoved = await client.query(`
    UPDATE customer c SET active = false, updated_at = now()
    WHERE c.active AND NOT EXISTS (SELECT 1 FROM snapshot_row s WHERE s.cr_party_id = c.cr_party_id)`);
  // Our rule (seed 000): a customer bought from more than one partner when its rows carry two
  // or more distinct Adoption Partner values, trimmed and without case. Every row counts, the
  // excluded ones too: an exclusion is the partner's choice about its journeys, not a fact
  // about whom the customer bought from, and LCA's consent rule follows the purchases.
  await client.query(`
    WITH partners AS (
      SELECT cr_party_id, count(DISTINCT lower(btrim(adoption_partner))) FILTER (WHERE btrim(adoption_partner) <> '') > 1 AS multi
      FROM snapshot_row GROUP BY cr_party_id)
    UPDATE customer c SET multi_partner = p.multi
    FROM partners p WHERE p.cr_party_id = c.cr_party_id AND c.multi_partner IS DISTINCT FROM p.multi`);

  // An export may name a CSM outside the partner (another company, a typo'd domain): the
  // row is kept, but the person never becomes a CSM here, so no path can message them, and
  // the deployment counts as unassigned (its alerts go to the team spaces).
  const outsiders = await client.query<{ row: number; deploymentId: string; email: string; count: number }>(`
    WITH outside AS (
      -- The domain test once per address (40 of them), not once per row (200,000).
      SELECT email FROM (SELECT DISTINCT csm_email AS email FROM snapshot_row WHERE csm_email IS NOT NULL) e
      WHERE NOT ${inPartnerDomainsSql("email", "$1")})
    SELECT row_number AS row, deployment_id AS "deploymentId", csm_email AS email, count(*) OVER ()::int AS count
    FROM snapshot_row WHERE csm_email IN (SELECT email FROM outside)
    ORDER BY row_number LIMIT ${MAX_LISTED_OUTSIDERS}`, [partnerDomains]);
  // A CSM is active exactly while their email is in the partner's domains: one outside is no
  // longer messaged, and one a corrected PARTNER_DOMAINS lets back in is active again.
  await client.query(
    `UPDATE csm SET active = ${inPartnerDomainsSql("email", "$1")} WHERE active IS DISTINCT FROM ${inPartnerDomainsSql("email", "$1")}`,
    [partnerDomains],
  );

  // CSMs named by LCA become known to the bot; each starts subscribed to every alert kind.
  const newCsms = await client.query<{ id: number }>(`
    INSERT INTO csm (email, name)
    SELECT email, initcap(replace(split_part(email, '@', 1), '.', ' '))
    FROM (SELECT DISTINCT csm_email AS email FROM snapshot_row WHERE csm_email IS NOT NULL) e
    WHERE ${inPartnerDomainsSql("email", "$1")}
    ORDER BY email
    ON CONFLICT (email) DO NOTHING
    RETURNING id`, [partnerDomains]);
  if (newCsms.rows.length > 0) {
    await client.query(
      `INSERT INTO subscription (csm_id, kinds) SELECT id, enum_range(NULL::"AlertKind") FROM unnest($1::int[]) AS id`,
      [newCsms.rows.map((r) => r.id)],
    );
  }

  // LCA's CSM changes the assignment only when LCA's value changed: a chat assignment stays.
  const deployments = await upsertCounts(client, `
    WITH src AS (
      SELECT DISTINCT ON (deployment_id) deployment_id, cr_party_id, install_site, serial_number, contract_number, csm_email
      FROM snapshot_row ORDER BY deployment_id, row_number)
    INSERT INTO deployment AS d (deployment_id, customer_id, install_site, serial_number, contract_number,
                                 assigned_csm_id, lca_csm_email, lead, active, updated_at)
    -- lead: LCA names one of the partner's CSMs on it, which makes the partner its customer
    -- success lead (seed 000); it follows LCA, not a pending assignment made in chat.
    SELECT s.deployment_id, c.id, s.install_site, s.serial_number, s.contract_number, m.id, s.csm_email, m.id IS NOT NULL, true, now()
    FROM src s JOIN customer c ON c.cr_party_id = s.cr_party_id LEFT JOIN csm m ON m.email = s.csm_email AND m.active
    ON CONFLICT (deployment_id) DO UPDATE SET
      customer_id = EXCLUDED.customer_id, install_site = EXCLUDED.install_site,
      serial_number = EXCLUDED.serial_number, contract_number = EXCLUDED.contract_number,
      -- Unassigned (nobody chose, or an outsider was dropped): LCA's CSM, once a partner one, fills it.
      assigned_csm_id = CASE WHEN d.lca_csm_email IS DISTINCT FROM EXCLUDED.lca_csm_email OR d.assigned_csm_id IS NULL
                             THEN EXCLUDED.assigned_csm_id ELSE d.assigned_csm_id END,
      version = d.version + CASE WHEN d.lca_csm_email IS DISTINCT FROM EXCLUDED.lca_csm_email
                                   OR (d.assigned_csm_id IS NULL AND EXCLUDED.assigned_csm_id IS NOT NULL) THEN 1 ELSE 0 END,
      lca_csm_email = EXCLUDED.lca_csm_email, lead = EXCLUDED.lead, active = true, updated_at = now()
      WHERE (d.customer_id, d.install_site, d.serial_number, d.contract_number, d.lca_csm_email, d.lead, d.active)
            IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.install_site, EXCLUDED.serial_number,
                              EXCLUDED.contract_number, EXCLUDED.lca_csm_email, EXCLUDED.lead, true)
         OR (d.assigned_csm_id IS NULL AND EXCLUDED.assigned_csm_id IS NOT NULL)
    RETURNING (xmax = 0) AS inserted`);
  // A deployment still assigned to someone outside the partner is unassigned now.
  await client.query(`
    UPDATE deployment d SET assigned_csm_id = NULL, version = d.version + 1, updated_at = now()
    FROM csm m WHERE m.id = d.assigned_csm_id AND NOT m.active AND NOT ${inPartnerDomainsSql("m.email", "$1")}`, [partnerDomains]);
  const deploymentsRemoved = await client.query(`
    UPDATE deployment d SET active = false, updated_at = now()
    WHERE d.active AND NOT EXISTS (SELECT 1 FROM snapshot_row s WHERE s.deployment_id = d.deployment_id)`);

  // `changed`: a row new to the model, coming back, or whose content hash differs from the
  // one merged last time. Only those are merged below; an unchanged row touches nothing (so
  // a chat-fixed contact stays, as LCA's value for it did not change either).
  // `ucd_id`: the use case's id, drawn here for a new one (in file order), so that every later
  // step reads it from here instead of joining use_case_deployment again on its two-column key.
  // ucd_key holds every row's keys (narrow: what tells a removed use case); ucd_src the full
  // rows of the changed ones only, a few thousand on a next day instead of 200,000 wide rows.
  const { rows: [sequence] } = await client.query<{ name: string }>(`SELECT pg_get_serial_sequence('use_case_deployment', 'id') AS name`);
  await client.query(`
    CREATE TEMP TABLE ucd_key ON COMMIT DROP AS
    SELECT j.*, coalesce(j.existing_id, nextval($1::regclass)::int) AS ucd_id
    FROM (
      SELECT s.row_number, d.id AS deployment_row_id, u.id AS use_case_row_id, x.stage::text AS old_stage, x.id AS existing_id,
             (x.id IS NULL OR NOT x.active OR x.content_hash IS DISTINCT FROM s.content_hash) AS changed
      FROM snapshot_row s
      JOIN deployment d ON d.deployment_id = s.deployment_id
      JOIN use_case u ON (u.architecture, u.solution_domain, u.name) = (s.architecture, s.solution_domain, s.use_case)
      LEFT JOIN use_case_deployment x ON x.deployment_id = d.id AND x.use_case_id = u.id
      ORDER BY s.row_number) j`, [sequence!.name]);
  await client.query(`
    CREATE TEMP TABLE ucd_src ON COMMIT DROP AS
    SELECT s.*, k.deployment_row_id, k.use_case_row_id, k.old_stage, k.existing_id, k.ucd_id, k.changed
    FROM ucd_key k JOIN snapshot_row s ON s.row_number = k.row_number
    WHERE k.changed`);

  // Into an empty table (the first snapshot) every row is new: a plain INSERT, without the
  // comparison with old rows and ON CONFLICT's check of the unique index per row.
  const ucds = await loadIntoEmptyTable(client, "use_case_deployment", (empty) => upsertCounts(client, `
    INSERT INTO use_case_deployment AS x (id, deployment_id, use_case_id, stage, stage_entered_on, added_on, telemetry, dcc,
      adoption_partner, cpi_eligible, renewal_on, excluded, tags, active, first_seen_on, content_hash)
    SELECT s.ucd_id, s.deployment_row_id, s.use_case_row_id, s.stage::"Stage", s.stage_entered_on, coalesce(s.added_on, $1::date), s.telemetry, s.dcc,
      s.adoption_partner, s.cpi_eligible, s.renewal_on, s.excluded, string_to_array(nullif(s.tags, ''), '||'), true, $1::date, s.content_hash
    FROM ucd_src s
    ${empty ? "RETURNING true AS inserted" : `
    LEFT JOIN use_case_deployment old ON old.id = s.existing_id
    -- Unchanged rows are left out here (a hash join) rather than by ON CONFLICT's row-by-row check.
    WHERE s.changed AND old.id IS NULL
       OR s.changed AND (old.stage::text, old.stage_entered_on, old.telemetry, old.dcc, old.adoption_partner, old.cpi_eligible, old.renewal_on,
           old.excluded, old.tags, old.active)
          IS DISTINCT FROM (s.stage, s.stage_entered_on, s.telemetry, s.dcc, s.adoption_partner, s.cpi_eligible, s.renewal_on,
           s.excluded, string_to_array(nullif(s.tags, ''), '||'), true)
    ON CONFLICT (deployment_id, use_case_id) DO UPDATE SET
      stage = EXCLUDED.stage, stage_entered_on = EXCLUDED.stage_entered_on,
      added_on = CASE WHEN EXCLUDED.added_on = $1::date AND x.added_on IS NOT NULL THEN x.added_on ELSE EXCLUDED.added_on END,
      telemetry = EXCLUDED.telemetry, dcc = EXCLUDED.dcc, adoption_partner = EXCLUDED.adoption_partner,
      cpi_eligible = EXCLUDED.cpi_eligible, renewal_on = EXCLUDED.renewal_on, excluded = EXCLUDED.excluded,
      tags = EXCLUDED.tags, active = true, removed_on = NULL, version = x.version + 1
      WHERE (x.stage, x.stage_entered_on, x.telemetry, x.dcc, x.adoption_partner, x.cpi_eligible, x.renewal_on,
             x.excluded, x.tags, x.active)
            IS DISTINCT FROM (EXCLUDED.stage, EXCLUDED.stage_entered_on, EXCLUDED.telemetry, EXCLUDED.dcc,
             EXCLUDED.adoption_partner, EXCLUDED.cpi_eligible, EXCLUDED.renewal_on, EXCLUDED.excluded,
             EXCLUDED.tags, true)
    RETURNING (xmax = 0) AS inserted`}`, [asOf]));
  const ucdsRemoved = await client.query(`
    UPDATE use_case_deployment x SET active = false, removed_on = $1::date, version = x.version + 1
    WHERE x.active AND NOT EXISTS (SELECT 1 FROM ucd_key k WHERE k.ucd_id = x.id)`, [asOf]);

  // The use cases this snapshot changed, by id: the contacts below and the alert engine
  // (only these, and those whose rules move with time, are evaluated) read them.
  await client.query(`
    CREATE TEMP TABLE merged_ucd ON COMMIT DROP AS SELECT ucd_id AS id FROM ucd_src WHERE changed`);
  await client.query(`ALTER TABLE merged_ucd ADD PRIMARY KEY (id)`);

  // Stage history: the first sighting, then every change the snapshots show.
  // Counted per pair of stages in SQL: the first snapshot's 200,000 first sightings need not
  // come back to Node one by one.
  const changes = await loadIntoEmptyTable(client, "stage_change", () => client.query<{ from_stage: Stage | null; to_stage: Stage; n: number }>(`
    WITH written AS (
      INSERT INTO stage_change (use_case_deployment_id, from_stage, to_stage, entered_on, observed_on)
      -- A changed row's stage and entry date are the snapshot's now (the upsert above wrote them).
      SELECT s.ucd_id, s.old_stage::"Stage", s.stage::"Stage", s.stage_entered_on, $1::date
      FROM ucd_src s
      WHERE s.changed AND s.old_stage IS DISTINCT FROM s.stage
      RETURNING from_stage, to_stage)
    SELECT from_stage, to_stage, count(*)::int AS n FROM written GROUP BY from_stage, to_stage`, [asOf]));
  let stageProgressions = 0;
  let stageRegressions = 0;
  let stageChanges = 0;
  for (const change of changes.rows) {
    stageChanges += change.n;
    if (change.from_stage === null) continue;
    if (stageMove(change.from_stage, change.to_stage) === "progression") stageProgressions += change.n;
    else stageRegressions += change.n;
  }

  const contactsChanged = await mergeContacts(client);
  // Last, so that what the next snapshot skips is what this one merged in full. Not a
  // version bump: the use case's own values may be the same (a contact changed).
  await client.query(`
    UPDATE use_case_deployment x SET content_hash = s.content_hash
    FROM ucd_src s
    WHERE s.changed AND x.id = s.ucd_id
      AND x.content_hash IS DISTINCT FROM s.content_hash`);
  // Fresh statistics where the merge made them stale, or the planner reads a just-filled table
  // as empty and the alert engine's per-batch joins turn into nested scans (10 s instead of
  // 0.2 s on 20k rows). A day's few percent of changes leave them as they are.
  await analyzeStale(client, {
    customer: customers.created + customers.updated + (customersRemoved.rowCount ?? 0),
    deployment: deployments.created + deployments.updated + (deploymentsRemoved.rowCount ?? 0),
    use_case_deployment: ucds.created + ucds.updated + (ucdsRemoved.rowCount ?? 0),
    contact: contactsChanged,
    stage_change: stageChanges,
    // Written by the alert engine, not here: only its first, empty, statistics are taken.
    alert: 0,
  });

  return {
    customers: { ...customers, removed: customersRemoved.rowCount ?? 0 },
    deployments: { ...deployments, removed: deploymentsRemoved.rowCount ?? 0 },
    useCaseDeployments: { ...ucds, removed: ucdsRemoved.rowCount ?? 0 },
    contactsChanged,
    csmsCreated: newCsms.rows.length,
    stageProgressions,
    stageRegressions,
    outsiders: { count: outsiders.rows[0]?.count ?? 0, rows: outsiders.rows.map(({ count: _count, ...row }) => row) },
  };
}

/**
 * Contacts per slot (0 = Cisco, 1-2 = partner). A slot edited from chat keeps the chat value
 * while LCA's value for it (lca_email) stays the same: LCA learns it at the partner's next
 * upload, and until then the snapshot must not undo the fix.
 */
async function mergeContacts(client: Queryable): Promise<number> {
  const slots = `
    SELECT ucd_id, 'cisco'::"ContactSource" AS source, 0 AS slot, cisco_name AS name, cisco_email AS email, cisco_barrier AS barrier FROM ucd_src WHERE changed AND cisco_email IS NOT NULL
    UNION ALL
    SELECT ucd_id, 'partner', 1, p1_name, p1_email, p1_barrier FROM ucd_src WHERE changed AND p1_email IS NOT NULL
    UNION ALL
    SELECT ucd_id, 'partner', 2, p2_name, p2_email, p2_barrier FROM ucd_src WHERE changed AND p2_email IS NOT NULL`;
  // The first snapshot's contacts all come straight from the rows with LCA's address: there is
  // nothing to compare, to empty or to move, so no contact_src, no ON CONFLICT and no DELETEs
  // (which would scan the 300,000 contacts just written for nothing).
  const written = await loadIntoEmptyTable(client, "contact", async (empty) => empty ? await client.query(`
    INSERT INTO contact (use_case_deployment_id, source, slot, name, email, delivery_barrier, lca_email, updated_at)
    SELECT s.ucd_id, s.source, s.slot, s.name, s.email, s.barrier::"DeliveryBarrier", s.email, now() FROM (${slots}) s`) : null);
  if (written) return written.rowCount ?? 0;
  await client.query(`CREATE TEMP TABLE contact_src ON COMMIT DROP AS ${slots}`);
  const upserted = await client.query(`
    INSERT INTO contact AS c (use_case_deployment_id, source, slot, name, email, delivery_barrier, lca_email, updated_at)
    SELECT s.ucd_id, s.source, s.slot, s.name, s.email, s.barrier::"DeliveryBarrier", s.email, now()
    FROM contact_src s
    LEFT JOIN contact old ON old.use_case_deployment_id = s.ucd_id AND old.source = s.source AND old.slot = s.slot
    WHERE old.id IS NULL
       OR (old.name, old.email, old.delivery_barrier::text, old.lca_email) IS DISTINCT FROM (s.name, s.email, s.barrier, s.email)
    ON CONFLICT (use_case_deployment_id, source, slot) DO UPDATE SET
      -- A name changed in chat and still waiting for LCA stays (reconcile.ts ran first).
      name = CASE WHEN EXISTS (SELECT 1 FROM pending_lca_change p
                               WHERE p.use_case_deployment_id = c.use_case_deployment_id AND c.source = 'partner'
                                 AND p.field = 'partner_contact_' || c.slot || '_name' AND p.status IN ('pending', 'stale'))
                  THEN c.name ELSE EXCLUDED.name END,
      email = EXCLUDED.email, delivery_barrier = EXCLUDED.delivery_barrier,
      lca_email = EXCLUDED.lca_email, updated_at = now()
      WHERE NOT (c.lca_email IS NOT DISTINCT FROM EXCLUDED.lca_email AND c.email IS DISTINCT FROM c.lca_email)
        AND (c.name, c.email, c.delivery_barrier, c.lca_email)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.email, EXCLUDED.delivery_barrier, EXCLUDED.lca_email)`);
  // A slot LCA emptied is emptied here too, unless it only ever held a chat-added contact.
  const deleted = await client.query(`
    DELETE FROM contact c
    WHERE c.lca_email IS NOT NULL
      AND c.use_case_deployment_id IN (SELECT id FROM merged_ucd)
      AND NOT EXISTS (SELECT 1 FROM contact_src s
                      WHERE s.ucd_id = c.use_case_deployment_id AND s.source = c.source AND s.slot = c.slot)`);
  // A contact added in chat that LCA now carries in its other slot is that contact, not a second one.
  const moved = await client.query(`
    DELETE FROM contact c
    WHERE c.source = 'partner' AND c.lca_email IS NULL
      AND c.use_case_deployment_id IN (SELECT ucd_id FROM contact_src)
      AND EXISTS (SELECT 1 FROM contact k WHERE k.use_case_deployment_id = c.use_case_deployment_id AND k.source = 'partner'
                  AND k.slot <> c.slot AND k.lca_email IS NOT NULL AND lower(k.lca_email) = lower(c.email))`);
  return (upserted.rowCount ?? 0) + (deleted.rowCount ?? 0) + (moved.rowCount ?? 0);
}
