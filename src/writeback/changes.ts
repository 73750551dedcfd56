import type { Queryable } from "../db/sql.js";
import { LCA_FIELD_COLUMNS, OPEN_STATUSES, type LcaChangeStatus, type LcaField } from "../domain/writeback.js";
import { printable } from "../terminal.js";

/** The changes made in chat for LCA, as `lca-bot changes` lists them. */

export interface ChangeListing {
  id: number;
  status: LcaChangeStatus;
  deploymentId: string;
  crPartyId: string;
  customer: string;
  /** null for the deployment's CSM (a deployment-level field). */
  useCase: { architecture: string; solutionDomain: string; name: string } | null;
  field: LcaField;
  /** LCA's column for the field. */
  column: string;
  before: string | null;
  chat: string | null;
  /** What the snapshot that decided it showed. */
  lca: string | null;
  by: { email: string; name: string };
  at: string;
  chatName: string;
  decidedAt: string | null;
}

/** Pending and stale by default (what still has to reach LCA); `all` lists every status. */
export async function listChanges(db: Queryable, options: { all: boolean }): Promise<ChangeListing[]> {
  const { rows } = await db.query<{
    id: number; status: LcaChangeStatus; deployment_id: string; cr_party_id: string; customer: string;
    architecture: string | null; solution_domain: string | null; use_case: string | null; field: LcaField;
    value_before: string | null; value_chat: string | null; value_lca: string | null;
    csm_email: string; csm_name: string; created_at: string; chat: string; decided_at: string | null;
  }>(`
    SELECT p.id, p.status::text AS status, d.deployment_id, cu.cr_party_id, cu.name AS customer,
           u.architecture, u.solution_domain, u.name AS use_case, p.field, p.value_before, p.value_chat, p.value_lca,
           c.email AS csm_email, c.name AS csm_name, to_char(p.created_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
           p.chat::text AS chat, to_char(p.decided_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS decided_at
    FROM pending_lca_change p
    JOIN deployment d ON d.id = p.deployment_id
    JOIN customer cu ON cu.id = d.customer_id
    JOIN csm c ON c.id = p.csm_id
    LEFT JOIN use_case_deployment x ON x.id = p.use_case_deployment_id
    LEFT JOIN use_case u ON u.id = x.use_case_id
    WHERE $1 OR p.status::text = ANY($2::text[])
    ORDER BY p.id`, [options.all, [...OPEN_STATUSES]]);
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    deploymentId: r.deployment_id,
    crPartyId: r.cr_party_id,
    customer: r.customer,
    useCase: r.use_case === null ? null : { architecture: r.architecture!, solutionDomain: r.solution_domain!, name: r.use_case },
    field: r.field,
    column: LCA_FIELD_COLUMNS[r.field],
    before: r.value_before,
    chat: r.value_chat,
    lca: r.value_lca,
    by: { email: r.csm_email, name: r.csm_name },
    at: r.created_at,
    chatName: r.chat,
    decidedAt: r.decided_at,
  }));
}

const shown = (value: string | null) => (value === null ? "(empty)" : value);

/** One line per change; every value from LCA or chat made printable (it may hold anything). */
export function formatChanges(changes: ChangeListing[], options: { all: boolean }): string {
  if (changes.length === 0) return options.all ? "No changes made in chat for LCA." : "Nothing waits for LCA: no pending or stale changes.";
  const lines = changes.map((c) =>
    [
      `#${c.id} ${c.status}`,
      `${c.deploymentId}${c.useCase ? ` · ${c.useCase.name}` : ""}`,
      `${c.customer} (${c.crPartyId})`,
      `${c.column}: ${shown(c.before)} → ${shown(c.chat)}${c.status === "overridden" ? ` (LCA: ${shown(c.lca)})` : ""}`,
      `by ${c.by.name} <${c.by.email}> on ${c.chatName}, ${c.at}`,
    ].join("  "),
  );
  return lines.map(printable).join("\n");
}
