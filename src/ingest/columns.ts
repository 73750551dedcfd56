import type { RowProblem } from "../domain/snapshot.js";
import type { MessageKey } from "../i18n.js";

// A naked type parameter makes the conditional distribute over the union of keys.
type KeysUnder<Key, Prefix extends string> = Key extends `${Prefix}${infer Rest}` ? Rest : never;
/** Keys under "ingest.problems." (locales/en/ingest.json): a key missing there fails tsc. */
export type ProblemKey = KeysUnder<MessageKey, "ingest.problems.">;

/**
 * What a cell of each kind may hold. Every value of an export is untrusted: a cell longer
 * than its kind's `maxLength` (UTF-16 code units, as JavaScript counts) or holding a control
 * character is refused with its row and column named, before any other rule reads it.
 *
 * The lengths keep every indexed value well below PostgreSQL's btree limit (about 2,700
 * bytes per index entry; a code unit is at most 3 bytes of UTF-8): the widest index is the
 * use case's (architecture, solution domain, name) = (128 + 128 + 256) x 3 = 1,536 bytes.
 * README.md ("Commands", ingest) lists the same numbers.
 *
 * - `multiline`: tab, line feed and carriage return are allowed (an address typed with
 *   Alt+Enter in Excel); in every other kind they are refused like any control character.
 * - `tags`: the cell holds tags separated by `||`; each tag is at most MAX_TAG_LENGTH.
 */
export const CELL_KINDS = {
  /** Keys: CR Party ID, Deployment ID, serial and contract numbers. */
  id: { maxLength: 64, multiline: false },
  /** Names of customers, use cases, partners and contacts. */
  name: { maxLength: 256, multiline: false },
  /** Architecture and solution domain: part of the three-column use-case index. */
  category: { maxLength: 128, multiline: false },
  /** RFC 5321's limit for a forward path. */
  email: { maxLength: 254, multiline: false },
  /** Stages, dates, Yes/No, delivery barriers: short words of a closed list. */
  code: { maxLength: 64, multiline: false },
  /** The whole tag cell; each tag is at most MAX_TAG_LENGTH. */
  tags: { maxLength: 2000, multiline: false },
  /** Free text (the install site): the only kind that may span lines. */
  text: { maxLength: 2000, multiline: true },
} as const satisfies Record<string, { maxLength: number; multiline: boolean }>;

export type CellKind = keyof typeof CELL_KINDS;

/** Each tag of the Partner-Provided Segmentation Tag cell. */
export const MAX_TAG_LENGTH = 100;

/**
 * The columns of an LCA use-case export (../shared/lca-export-format.md), each with the
 * field the readers file its cell under. `name` is the canonical spelling used in problems.
 */
export const COLUMNS = [
  { field: "crPartyId", name: "CR Party ID", required: true, kind: "id" },
  { field: "crPartyName", name: "CR Party Name", required: true, kind: "name" },
  { field: "cxbu", name: "CXBU", required: false, kind: "name" },
  { field: "deploymentId", name: "Deployment ID", required: true, kind: "id" },
  { field: "installSite", name: "Install Site", required: false, kind: "text" },
  { field: "serialNumber", name: "Serial Number", required: false, kind: "id" },
  { field: "contractNumber", name: "Contract Number", required: false, kind: "id" },
  { field: "architecture", name: "Architecture", required: true, kind: "category" },
  { field: "solutionDomain", name: "Solution Domain", required: true, kind: "category" },
  { field: "useCase", name: "Use Case", required: true, kind: "name" },
  { field: "stage", name: "Lifecycle Stage", required: true, kind: "code" },
  { field: "stageEnteredOn", name: "Stage Entered Date", required: true, kind: "code" },
  { field: "addedOn", name: "Use Case Added Date", required: false, kind: "code" },
  { field: "telemetry", name: "Telemetry", required: false, kind: "code" },
  { field: "dcc", name: "Digital Customer Consent", required: false, kind: "code" },
  { field: "adoptionPartner", name: "Adoption Partner", required: false, kind: "name" },
  { field: "ea", name: "EA", required: false, kind: "code" },
  { field: "cpiEligible", name: "CPI Eligible", required: false, kind: "code" },
  { field: "renewalOn", name: "Renewal Date", required: false, kind: "code" },
  { field: "csmEmail", name: "CSM Email", required: false, kind: "email" },
  { field: "ciscoContactName", name: "Cisco Contact Name", required: false, kind: "name" },
  { field: "ciscoContactEmail", name: "Cisco Contact Email", required: false, kind: "email" },
  { field: "ciscoContactBarrier", name: "Cisco Contact Delivery Barrier", required: false, kind: "code" },
  { field: "partner1Name", name: "Partner Contact 1 Name", required: false, kind: "name" },
  { field: "partner1Email", name: "Partner Contact 1 Email", required: false, kind: "email" },
  { field: "partner1Barrier", name: "Partner Contact 1 Delivery Barrier", required: false, kind: "code" },
  { field: "partner2Name", name: "Partner Contact 2 Name", required: false, kind: "name" },
  { field: "partner2Email", name: "Partner Contact 2 Email", required: false, kind: "email" },
  { field: "partner2Barrier", name: "Partner Contact 2 Delivery Barrier", required: false, kind: "code" },
  { field: "tags", name: "Partner-Provided Segmentation Tag", required: false, kind: "tags" },
  { field: "excluded", name: "Excluded", required: false, kind: "code" },
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
    // A header is quoted back in problems and summaries: a hostile one is cut short there.
    const shown = header.length > 100 ? `${header.slice(0, 100)}…` : header;
    const column = header === "" ? undefined : columnNamed(header);
    if (column && seen.has(column.field)) {
      map.duplicates.push({ row, column: column.name, key: "duplicateColumn" satisfies ProblemKey, params: { value: shown } });
      map.fields.push(undefined); // the first of the two wins; the file is refused anyway
      continue;
    }
    if (column) seen.add(column.field);
    else if (header !== "" && !map.unknown.includes(shown)) map.unknown.push(shown);
    map.fields.push(column?.field);
  }
  for (const column of COLUMNS) {
    if (column.required && !seen.has(column.field)) {
      map.missing.push({ row, column: column.name, key: "missingColumn" satisfies ProblemKey, params: { column: column.name } });
    }
  }
  return map;
}

/**
 * A record with a slot for every field, in COLUMNS order: each row's record is a copy of it,
 * so V8 gives every record the same shape, sized for all fields at once (an object literal
 * grown cell by cell is reallocated as it grows, 200,000 times a snapshot).
 */
const EMPTY_RECORD: Readonly<CellRecord> = Object.fromEntries(COLUMNS.map((column) => [column.field, undefined]));

/** Files the cells of a row under the fields of its header; cells past the header are dropped, a column the file lacks is undefined. */
export function toCellRecord(fields: readonly (ColumnField | undefined)[], cells: readonly unknown[]): CellRecord {
  const record: CellRecord = { ...EMPTY_RECORD };
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index];
    if (field) record[field] = cells[index];
  }
  return record;
}
