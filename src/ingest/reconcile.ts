import type { Queryable } from "../db/sql.js";
import type { IsoDate } from "../domain/dates.js";
import { LCA_FIELD_COLUMNS, LCA_FIELDS } from "../domain/writeback.js";
import type { MessageKey } from "../i18n.js";

/**
 * What a snapshot says about the changes made in chat that wait for LCA, decided set by set
 * in the ingest's transaction, before the merge (which keeps a pending chat value and takes
 * LCA's once a change is decided). The rules are decideChange's in src/domain/writeback.ts:
 *
 * - the snapshot carries the chat value: `confirmed`;
 * - a value other than LCA's before and the chat's: `overridden` (LCA wins, the CSM is told);
 * - still LCA's value before after `graceDays` working days (Mon-Fri in the partner's time
 *   zone, counted after the day of the change up to the snapshot's date): `stale`.
 *
 * A change whose use case or deployment is not in the snapshot is left as it is.
 */

export interface ReconcileOptions {
  asOf: IsoDate;
  snapshotId: number;
  graceDays: number;
  timeZone: string;
  /** The ingest's source and digest, so a notice is written once per snapshot file. */
  dedupe: string;
  /** The demo data set tells nobody anything. */
  quiet: boolean;
}

export interface ReconcileSummary {
  changes: { confirmed: number; overridden: number; stale: number };
  /** Outbox rows written: one notice per CSM whose chat values LCA overrode. */
  notices: number;
}

// Typed here so a key missing from locales/en fails tsc, though the SQL writes the payload.
const NOTICE_KEYS: MessageKey[] = ["chat.writeback.overriddenTitle", "chat.writeback.overridden", "chat.writeback.overriddenMore"];

/** A notice lists at most this many overridden changes (the rest as a count). */
const MAX_LISTED = 20;

export async function reconcileChanges(client: Queryable, options: ReconcileOptions): Promise<ReconcileSummary> {
  // Most snapshots find nothing waiting: then the staged rows are not scanned at all.
  const { rows: [waiting] } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM pending_lca_change WHERE status IN ('pending', 'stale')) AS any`);
  if (!waiting?.any) return { changes: { confirmed: 0, overridden: 0, stale: 0 }, notices: 0 };
  // Emails compare without case (the readers lower-case them; a chat value is lower-cased too).
  const { rows } = await client.query<{ status: "confirmed" | "overridden" | "stale"; n: number }>(`
    WITH open AS (
      SELECT p.*, d.deployment_id AS lca_deployment_id, u.architecture, u.solution_domain, u.name AS use_case
      FROM pending_lca_change p
      JOIN deployment d ON d.id = p.deployment_id
      LEFT JOIN use_case_deployment x ON x.id = p.use_case_deployment_id
      LEFT JOIN use_case u ON u.id = x.use_case_id
      WHERE p.status IN ('pending', 'stale')),
    csm_row AS (
      SELECT DISTINCT ON (s.deployment_id) s.deployment_id, s.csm_email FROM snapshot_row s
      WHERE s.deployment_id IN (SELECT lca_deployment_id FROM open WHERE field = 'csm_email')
      ORDER BY s.deployment_id, s.row_number),
    seen AS (
      SELECT o.id, o.status::text AS status, o.value_before, o.value_chat, o.field,
        -- A partner contact is the same contact in whichever of LCA's two slots it comes back
        -- (the reader moves a lone contact 2 to slot 1): its email is matched in both, and its
        -- name is read from the slot that carries the contact's address.
        CASE WHEN o.field = 'csm_email' THEN c.csm_email
             WHEN o.field LIKE 'partner_contact_%_email' AND lower(o.value_chat) IN (lower(s.p1_email), lower(s.p2_email)) THEN o.value_chat
             WHEN o.field LIKE 'partner_contact_%_name' AND lower(k.email) = lower(s.p1_email) THEN s.p1_name
             WHEN o.field LIKE 'partner_contact_%_name' AND lower(k.email) = lower(s.p2_email) THEN s.p2_name
             WHEN o.field = 'partner_contact_1_email' THEN s.p1_email WHEN o.field = 'partner_contact_1_name' THEN s.p1_name
             WHEN o.field = 'partner_contact_2_email' THEN s.p2_email WHEN o.field = 'partner_contact_2_name' THEN s.p2_name END AS lca_value,
        (SELECT count(*) FROM generate_series(((o.created_at AT TIME ZONE 'UTC') AT TIME ZONE $2)::date + 1, $1::date, interval '1 day') AS g(day)
         WHERE extract(isodow FROM g.day) < 6)::int AS waited
      FROM open o
      LEFT JOIN csm_row c ON o.field = 'csm_email' AND c.deployment_id = o.lca_deployment_id
      LEFT JOIN snapshot_row s ON o.field <> 'csm_email' AND s.deployment_id = o.lca_deployment_id
        AND (s.architecture, s.solution_domain, s.use_case) = (o.architecture, o.solution_domain, o.use_case)
      LEFT JOIN contact k ON o.field LIKE 'partner_contact_%' AND k.use_case_deployment_id = o.use_case_deployment_id
        AND k.source = 'partner' AND k.slot::text = substr(o.field, 17, 1)
      WHERE c.deployment_id IS NOT NULL OR s.deployment_id IS NOT NULL),
    norm AS (
      SELECT id, status, lca_value, waited,
        CASE WHEN field LIKE '%email' THEN lower(lca_value) ELSE lca_value END AS lca,
        CASE WHEN field LIKE '%email' THEN lower(value_chat) ELSE value_chat END AS chat,
        CASE WHEN field LIKE '%email' THEN lower(value_before) ELSE value_before END AS before
      FROM seen),
    decided AS (
      SELECT id, lca_value, CASE WHEN lca IS NOT DISTINCT FROM chat THEN 'confirmed'
                                 WHEN lca IS DISTINCT FROM before THEN 'overridden'
                                 WHEN waited >= $3 THEN 'stale'
                                 ELSE status END AS next
      FROM norm)
    UPDATE pending_lca_change p
    SET status = d.next::"LcaChangeStatus", value_lca = d.lca_value, decided_at = now(), decided_snapshot_id = $4
    FROM decided d WHERE p.id = d.id AND d.next <> p.status::text
    RETURNING d.next AS status`, [options.asOf, options.timeZone, options.graceDays, options.snapshotId]);
  const count = (status: string) => rows.filter((r) => r.status === status).length;
  const changes = { confirmed: count("confirmed"), overridden: count("overridden"), stale: count("stale") };
  const notices = changes.overridden > 0 && !options.quiet ? await notifyOverridden(client, options) : 0;
  return { changes, notices };
}

/**
 * One notice per CSM whose chat values this snapshot overrode, to their own space on every
 * chat (channel NULL: the dispatcher fans a person's row out), like the ingest's admin notices.
 * The values are LCA's and the chat's, hostile as any: the cards escape every parameter.
 */
async function notifyOverridden(client: Queryable, options: ReconcileOptions): Promise<number> {
  const view = (count: string, list: string, more: string): string => `jsonb_build_object('card', 'notice', 'view', jsonb_build_object(
      'tone', 'warning',
      'title', jsonb_build_object('key', $5::text, 'params', jsonb_build_object('count', ${count})),
      'text', jsonb_build_object('key', CASE WHEN ${more} > 0 THEN $7::text ELSE $6::text END,
                                 'params', jsonb_build_object('changes', ${list}, 'more', ${more}))))`;
  const result = await client.query(`
    WITH lines AS (
      SELECT p.csm_id, p.id,
        d.deployment_id || coalesce(' · ' || u.name, '') || ' · ' || f.label || ': '
          || coalesce(p.value_chat, '—') || ' → ' || coalesce(p.value_lca, '—') AS line,
        row_number() OVER (PARTITION BY p.csm_id ORDER BY p.id) AS n
      FROM pending_lca_change p
      JOIN deployment d ON d.id = p.deployment_id
      JOIN unnest($2::text[], $3::text[]) AS f(field, label) ON f.field = p.field
      LEFT JOIN use_case_deployment x ON x.id = p.use_case_deployment_id
      LEFT JOIN use_case u ON u.id = x.use_case_id
      WHERE p.decided_snapshot_id = $1 AND p.status = 'overridden'),
    per_csm AS (
      SELECT csm_id, count(*)::int AS total, string_agg(line, '; ' ORDER BY id) FILTER (WHERE n <= ${MAX_LISTED}) AS list
      FROM lines GROUP BY csm_id)
    INSERT INTO outbox_message (channel, destination, csm_id, kind, payload, dedupe_key)
    SELECT NULL, 'csm:' || c.id, c.id, 'notice', ${view("o.total", "o.list", `greatest(o.total - ${MAX_LISTED}, 0)`)},
           'notice:lca-overridden:' || $4 || ':' || c.id
    FROM per_csm o JOIN csm c ON c.id = o.csm_id AND c.active
    ON CONFLICT (dedupe_key) DO NOTHING`,
    [options.snapshotId, [...LCA_FIELDS], LCA_FIELDS.map((f) => LCA_FIELD_COLUMNS[f]), options.dedupe, ...NOTICE_KEYS]);
  return result.rowCount ?? 0;
}
