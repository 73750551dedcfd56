import ExcelJS from "exceljs";
import type { Database } from "../../src/db/database.js";
import { UPLOAD_HEADER } from "../../src/writeback/workbook.js";

/** A deployment of the demo whose CSM is not `email`: assigning it to them records a change for LCA. */
export async function deploymentNotOf(db: Database, email: string): Promise<string> {
  const { rows: [row] } = await db.pool.query<{ deployment_id: string }>(
    `SELECT d.deployment_id FROM deployment d LEFT JOIN csm c ON c.id = d.assigned_csm_id
     WHERE d.active AND c.email IS DISTINCT FROM $1 AND EXISTS (SELECT 1 FROM use_case_deployment x WHERE x.deployment_id = d.id AND x.active)
     ORDER BY d.deployment_id LIMIT 1`,
    [email],
  );
  if (!row) throw new Error(`no deployment of the demo is assigned to someone other than ${email}`);
  return row.deployment_id;
}

/** Reads a workbook the bot sent with exceljs: its "Use Cases" header and data rows (the Deployment ID column). */
export async function readUploadWorkbook(bytes: Buffer): Promise<{ header: string[]; deploymentIds: string[]; sheets: string[] }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet("Use Cases");
  if (!sheet) throw new Error(`no "Use Cases" sheet in ${workbook.worksheets.map((w) => w.name).join(", ")}`);
  const values = (n: number) => ((sheet.getRow(n).values as unknown[]) ?? []).slice(1).map((v) => (v === null || v === undefined ? "" : String(v)));
  const column = UPLOAD_HEADER.indexOf("Deployment ID");
  const deploymentIds: string[] = [];
  for (let n = 2; n <= sheet.rowCount; n++) deploymentIds.push(values(n)[column] ?? "");
  return { header: values(1), deploymentIds, sheets: workbook.worksheets.map((w) => w.name) };
}
