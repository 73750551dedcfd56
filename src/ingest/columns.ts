import type { RowProblem } from "../domain/snapshot.js";
import type { ProblemKey } from "./row.js";

/**
 * The columns of an LCA use-case export (../shared/lca-export-format.md), each with the
 * field the readers file its cell under. `name` is the canonical spelling used in problems.
 */
export const COLUMNS = [
  { field: "crPartyId", name: "CR Party ID", required: true },
  { field: "crPartyName", name: "CR Party Name", required: true },
  { field: "cxbu", name: "CXBU", required: false },
  { field: "deploymentId", name: "Deployment ID", required: true },
  { field: "installSite", name: "Install Site", required: false },
  { field: "serialNumber", name: "Serial Number", required: false },
  { field: "contractNumber", name: "Contract Number", required: false },
  { field: "architecture", name: "Architecture", required: true },
  { field: "solutionDomain", name: "Solution Domain", required: true },
  { field: "useCase", name: "Use Case", required: true },
  { field: "stage", name: "Lifecycle Stage", required: true },
  { field: "stageEnteredOn", name: "Stage Entered Date", required: true },
  { field: "addedOn", name: "Use Case Added Date", required: false },
  { field: "telemetry", name: "Telemetry", required: false },
  { field: "dcc", name: "Digital Customer Consent", required: false },
  { field: "adoptionPartner", name: "Adoption Partner", required: false },
  { field: "ea", name: "EA", required: false },
  { field: "cpiEligible", name: "CPI Eligible", required: false },
  { field: "renewalOn", name: "Renewal Date", required: false },
  { field: "csmEmail", name: "CSM Email", required: false },
  { field: "ciscoContactName", name: "Cisco Contact Name", required: false },
  { field: "ciscoContactEmail", name: "Cisco Contact Email", required: false },
  { field: "ciscoContactBarrier", name: "Cisco Contact Delivery Barrier", required: false },
  { field: "partner1Name", name: "Partner Contact 1 Name", required: false },
  { field: "partner1Email", name: "Partner Contact 1 Email", required: false },
  { field: "partner1Barrier", name: "Partner Contact 1 Delivery Barrier", required: false },
  { field: "partner2Name", name: "Partner Contact 2 Name", required: false },
  { field: "partner2Email", name: "Partner Contact 2 Email", required: false },
  { field: "partner2Barrier", name: "Partner Contact 2 Delivery Barrier", required: false },
  { field: "tags", name: "Partner-Provided Segmentation Tag", required: false },
  { field: "excluded", name: "Excluded", required: false },
] as const;

export type Column = (typeof COLUMNS)[number];
export type ColumnField = Column["field"];
export type ColumnName = Column["name"];

/** The cells of one data row, keyed by field; a column absent from the file is absent here. */
export type CellRecord = Partial<Record<ColumnField, unknown>>;

/**
 * The matching key of a header: lower case, without `#`, `.`, `_`, `-` and without any
 * whitespace. Whitespace goes too (not just collapsed) so that "Deployment-ID" and
 * "Deployment ID" meet: dropping the hyphen alone would leave "deploymentid" against
 * "deployment id".
 */
export function normaliseHeader(header: string): string {
  return header.toLowerCase().replace(/[#._\-\s]+/g, "");
}

const BY_KEY = new Map<string, Column>(COLUMNS.map((column) => [normaliseHeader(column.name), column]));

export function columnNamed(header: string): Column | undefined {
  return BY_KEY.get(normaliseHeader(header));
}

export function columnOf(field: ColumnField): Column {
  // COLUMNS holds every field, so the lookup cannot miss.
  return COLUMNS.find((column) => column.field === field) as Column;
}

export interface HeaderMap {
  /** The field of each position of the header; undefined for unknown or blank headers. */
  fields: (ColumnField | undefined)[];
  /** Header texts that match no column, trimmed, in file order, each once. */
  unknown: string[];
  /** Required columns the header lacks (`missingColumn`). */
  missing: RowProblem[];
  /** Columns named twice, e.g. "Deployment ID" and "deployment_id" (`duplicateColumn`). */
  duplicates: RowProblem[];
}

/** Maps a header row (or a JSON object's keys) found at `row` to fields. */
export function mapHeader(headers: readonly string[], row: number): HeaderMap {
  const map: HeaderMap = { fields: [], unknown: [], missing: [], duplicates: [] };
  const seen = new Set<ColumnField>();
  for (const raw of headers) {
    const header = raw.trim();
    const column = header === "" ? undefined : columnNamed(header);
    if (column && seen.has(column.field)) {
      map.duplicates.push({ row, column: column.name, key: "duplicateColumn" satisfies ProblemKey, params: { value: header } });
      map.fields.push(undefined); // the first of the two wins; the file is refused anyway
      continue;
    }
    if (column) seen.add(column.field);
    else if (header !== "" && !map.unknown.includes(header)) map.unknown.push(header);
    map.fields.push(column?.field);
  }
  for (const column of COLUMNS) {
    if (column.required && !seen.has(column.field)) {
      map.missing.push({ row, column: column.name, key: "missingColumn" satisfies ProblemKey, params: { column: column.name } });
    }
  }
  return map;
}

/** Files the cells of a row under the fields of its header; cells past the header are dropped. */
export function toCellRecord(fields: readonly (ColumnField | undefined)[], cells: readonly unknown[]): CellRecord {
  const record: CellRecord = {};
  fields.forEach((field, index) => {
    if (field) record[field] = cells[index];
  });
  return record;
}
