import { writeFile } from "node:fs/promises";
import type { Queryable } from "../db/sql.js";
import { toDate, type IsoDate } from "../domain/dates.js";
import { loadExcelJs } from "../exceljs.js";
import type { DeliveryBarrier, RowProblem } from "../domain/snapshot.js";
import type { Stage } from "../domain/stages.js";
// The export format's one writer (also the demo's) names the sheets and spells the cells.
import { csvCell, stageText, TAGS_SHEET, TAGS_SHEET_TITLE, TAG_SEPARATOR, USE_CASES_SHEET } from "../demo/write-snapshot.js";
import { COLUMNS } from "../ingest/columns.js";
import { validateRow } from "../ingest/row.js";

/**
 * The workbook a partner admin uploads to LCA (lca-export-format.md): sheet "Use Cases" with
 * LCA's header in LCA's order, one row per active use-case deployment with a pending or
 * stale change, every column from the bot's current data (so the chat values are in place),
 * and the tag sheet. Each row is checked with the ingest's own rules before anything is
 * written, so the file is one the bot itself reads back without error.
 */

/** The header as written: the export's columns in order (src/ingest/columns.ts). */
export const UPLOAD_HEADER: readonly string[] = COLUMNS.map((c) => c.name);

type Field = (typeof COLUMNS)[number]["field"];
export type UploadRow = Record<Field, string | null>;

const BARRIER_TEXT: Record<DeliveryBarrier, string> = { none: "None", hard_bounce: "Hard Bounce", unsubscribed: "Unsubscribed" };
const yesNo = (value: boolean | null) => (value === null ? null : value ? "Yes" : "No");

interface Contact { source: "cisco" | "partner"; slot: number; name: string | null; email: string; barrier: DeliveryBarrier }

/** The rows to upload, in a stable order (customer, deployment, use case). */
export async function uploadRows(db: Queryable): Promise<UploadRow[]> {
  const { rows } = await db.query<{
    cr_party_id: string; customer: string; cxbu: string | null; deployment_id: string; install_site: string | null;
    serial_number: string | null; contract_number: string | null; architecture: string; solution_domain: string; use_case: string;
    stage: Stage; stage_entered_on: IsoDate; added_on: IsoDate; telemetry: boolean; dcc: boolean; adoption_partner: string | null;
    ea: boolean | null; cpi_eligible: boolean | null; renewal_on: IsoDate | null; csm_email: string | null; tags: string[];
    excluded: boolean; contacts: Contact[];
  }>(`
    WITH target AS (
      SELECT x.id FROM use_case_deployment x
      WHERE x.active AND (
        x.id IN (SELECT use_case_deployment_id FROM pending_lca_change WHERE status IN ('pending', 'stale'))
        -- The CSM is a deployment's: every use case of it carries the column.
        OR x.deployment_id IN (SELECT deployment_id FROM pending_lca_change WHERE status IN ('pending', 'stale') AND field = 'csm_email')))
    SELECT cu.cr_party_id, cu.name AS customer, cu.cxbu, d.deployment_id, d.install_site, d.serial_number, d.contract_number,
           u.architecture, u.solution_domain, u.name AS use_case, x.stage::text AS stage,
           x.stage_entered_on::text AS stage_entered_on, x.added_on::text AS added_on, x.telemetry, x.dcc, x.adoption_partner,
           cu.ea, x.cpi_eligible, x.renewal_on::text AS renewal_on,
           -- The bot's assignee (a chat assignment in place); unassigned, LCA's own value back unchanged.
           coalesce(m.email, d.lca_csm_email) AS csm_email, x.tags, x.excluded,
           coalesce((SELECT json_agg(json_build_object('source', c.source, 'slot', c.slot, 'name', c.name, 'email', c.email, 'barrier', c.delivery_barrier))
                     FROM contact c WHERE c.use_case_deployment_id = x.id), '[]'::json) AS contacts
    FROM target t
    JOIN use_case_deployment x ON x.id = t.id
    JOIN deployment d ON d.id = x.deployment_id
    JOIN customer cu ON cu.id = d.customer_id
    JOIN use_case u ON u.id = x.use_case_id
    LEFT JOIN csm m ON m.id = d.assigned_csm_id
    ORDER BY cu.cr_party_id, d.deployment_id, u.architecture, u.solution_domain, u.name`);
  return rows.map((r) => {
    const contact = (source: Contact["source"], slot: number) => r.contacts.find((c) => c.source === source && c.slot === slot);
    const cells = (c: Contact | undefined) => [c?.name ?? null, c?.email ?? null, c ? BARRIER_TEXT[c.barrier] : null] as const;
    const [ciscoName, ciscoEmail, ciscoBarrier] = cells(contact("cisco", 0));
    const [p1Name, p1Email, p1Barrier] = cells(contact("partner", 1));
    const [p2Name, p2Email, p2Barrier] = cells(contact("partner", 2));
    return {
      crPartyId: r.cr_party_id, crPartyName: r.customer, cxbu: r.cxbu, deploymentId: r.deployment_id, installSite: r.install_site,
      serialNumber: r.serial_number, contractNumber: r.contract_number, architecture: r.architecture, solutionDomain: r.solution_domain,
      useCase: r.use_case, stage: stageText(r.stage), stageEnteredOn: r.stage_entered_on, addedOn: r.added_on,
      telemetry: yesNo(r.telemetry), dcc: yesNo(r.dcc), adoptionPartner: r.adoption_partner, ea: yesNo(r.ea), cpiEligible: yesNo(r.cpi_eligible),
      renewalOn: r.renewal_on, csmEmail: r.csm_email,
      ciscoContactName: ciscoName, ciscoContactEmail: ciscoEmail, ciscoContactBarrier: ciscoBarrier,
      partner1Name: p1Name, partner1Email: p1Email, partner1Barrier: p1Barrier,
      partner2Name: p2Name, partner2Email: p2Email, partner2Barrier: p2Barrier,
      tags: r.tags.length > 0 ? r.tags.join(TAG_SEPARATOR) : null, excluded: yesNo(r.excluded),
    };
  });
}

/** Every row the ingest would refuse, by its row number in the file (the header is row 1). */
export function uploadProblems(rows: readonly UploadRow[]): RowProblem[] {
  return rows.flatMap((row, i) => {
    const result = validateRow(row, i + 2);
    return result.ok ? [] : result.problems;
  });
}

/** The partner's tags in use, for the tag sheet (the bot keeps no other list of them). */
export async function partnerTags(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ tag: string }>(`SELECT DISTINCT unnest(tags) AS tag FROM use_case_deployment WHERE active ORDER BY tag`);
  return rows.map((r) => r.tag);
}

const DATE_FIELDS = new Set<Field>(["stageEnteredOn", "addedOn", "renewalOn"]);

export async function writeUploadXlsx(rows: readonly UploadRow[], tags: readonly string[], file: string): Promise<void> {
  await writeFile(file, await uploadXlsxBytes(rows, tags));
}

/** The workbook's bytes: what `changes --xlsx` writes and what the `changes` command sends in chat. */
export async function uploadXlsxBytes(rows: readonly UploadRow[], tags: readonly string[]): Promise<Buffer> {
  const ExcelJS = await loadExcelJs();
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(USE_CASES_SHEET);
  sheet.columns = COLUMNS.map((c) => ({ key: c.field, width: DATE_FIELDS.has(c.field) ? 12 : Math.max(10, Math.min(40, c.name.length + 2)) }));
  sheet.addRow([...UPLOAD_HEADER]).font = { bold: true };
  for (const row of rows) {
    // Strings stay strings (exceljs writes no formula from a value); dates as Excel dates, as LCA writes them.
    const added = sheet.addRow(COLUMNS.map((c) => {
      const value = row[c.field];
      return value !== null && DATE_FIELDS.has(c.field) ? toDate(value) : value;
    }));
    COLUMNS.forEach((c, i) => {
      if (DATE_FIELDS.has(c.field)) added.getCell(i + 1).numFmt = "yyyy-mm-dd";
    });
  }
  const tagSheet = workbook.addWorksheet(TAGS_SHEET);
  tagSheet.getColumn(1).width = 36;
  tagSheet.addRow([TAGS_SHEET_TITLE]).font = { bold: true };
  for (const tag of tags) tagSheet.addRow([tag]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * The same rows as CSV (UTF-8 with a BOM, so Excel opens it as such). A cell starting with
 * `=`, `+`, `-` or `@` would run as a formula when the CSV is opened in a spreadsheet: it is
 * written with a leading apostrophe. The .xlsx needs no such change and is the file to upload.
 */
export async function writeUploadCsv(rows: readonly UploadRow[], file: string): Promise<void> {
  const cell = (value: string | null) => csvCell(value !== null && /^[=+\-@]/.test(value) ? `'${value}` : value);
  const lines = [UPLOAD_HEADER.map((h) => csvCell(h)).join(","), ...rows.map((row) => COLUMNS.map((c) => cell(row[c.field])).join(","))];
  await writeFile(file, `\ufeff${lines.join("\r\n")}\r\n`, "utf8");
}
