import type { Queryable } from "../db/sql.js";
import type { LcaField } from "../domain/writeback.js";
import type { LcaChangeCounts, LcaWorkbook } from "../protocol/store.js";
import { partnerTags, uploadProblems, uploadRows, uploadXlsxBytes } from "./workbook.js";

/** The kinds an admin counts changes by: a contact's email, a contact's name, a deployment's CSM. */
const KIND_OF: Record<LcaField, keyof LcaChangeCounts["pending"]> = {
  csm_email: "csm",
  partner_contact_1_email: "email",
  partner_contact_2_email: "email",
  partner_contact_1_name: "name",
  partner_contact_2_name: "name",
};

/** Pending and stale changes by kind (what the `changes` command and the reminder report). */
export async function lcaChangeCounts(db: Queryable): Promise<LcaChangeCounts> {
  const { rows } = await db.query<{ status: "pending" | "stale"; field: LcaField; n: number }>(
    `SELECT status::text AS status, field, count(*)::int AS n FROM pending_lca_change WHERE status IN ('pending', 'stale') GROUP BY 1, 2`,
  );
  const counts: LcaChangeCounts = { pending: { email: 0, name: 0, csm: 0 }, stale: { email: 0, name: 0, csm: 0 } };
  for (const r of rows) counts[r.status][KIND_OF[r.field]] += r.n;
  return counts;
}

export const totalOf = (byKind: LcaChangeCounts["pending"]): number => byKind.email + byKind.name + byKind.csm;

/** The upload workbook as bytes, checked like `lca-bot changes --xlsx` (one builder: workbook.ts). */
export async function lcaWorkbook(db: Queryable): Promise<LcaWorkbook> {
  const rows = await uploadRows(db);
  const problems = uploadProblems(rows);
  if (problems.length > 0) return { ok: false, problems: problems.length };
  return { ok: true, rows: rows.length, bytes: await uploadXlsxBytes(rows, await partnerTags(db)) };
}
