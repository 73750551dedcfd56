import { z } from "zod";
import { fromDate, isIsoDate, type IsoDate } from "../domain/dates.js";
import type { DeliveryBarrier, RowProblem, SnapshotContact, SnapshotRow } from "../domain/snapshot.js";
import { parseStage } from "../domain/stages.js";
import type { MessageKey } from "../i18n.js";
import { columnOf, COLUMNS, type CellRecord, type ColumnField } from "./columns.js";

// A naked type parameter makes the conditional distribute over the union of keys.
type KeysUnder<Key, Prefix extends string> = Key extends `${Prefix}${infer Rest}` ? Rest : never;
/** Keys under "ingest.problems." (locales/en/ingest.json): a key missing there fails tsc. */
export type ProblemKey = KeysUnder<MessageKey, "ingest.problems.">;

export type RowValidation = { ok: true; row: SnapshotRow } | { ok: false; problems: RowProblem[] };

type Ctx = z.RefinementCtx;

/** Records a problem on the cell being parsed; the message carries the problem key. */
function fail(ctx: Ctx, key: ProblemKey): never {
  ctx.addIssue({ code: "custom", message: key });
  return z.NEVER;
}

/**
 * The text of a scalar cell, trimmed ("" for an empty cell). Excel date cells arrive as
 * Dates and are read as their UTC calendar date; objects and arrays have no text.
 */
export function cellText(value: unknown): string | undefined {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : fromDate(value);
  return undefined;
}

const text = z.unknown().transform((value, ctx) => cellText(value) ?? fail(ctx, "invalidValue"));
const requiredText = text.pipe(z.string().min(1, { error: "required" satisfies ProblemKey, abort: true }));
const optionalText = text.transform((s) => (s === "" ? null : s));

const deploymentId = requiredText.pipe(z.string().regex(/^[A-Za-z0-9]+$/, "invalidDeploymentId" satisfies ProblemKey));

const stage = requiredText.transform((s, ctx) => parseStage(s) ?? fail(ctx, "invalidStage"));

/** Day 0 of Excel's serial dates (1900 system). Serials below 61 inherit Excel's fictitious 1900-02-29; no LCA date is that old. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;
const LAST_EXCEL_SERIAL = 2_958_465; // 9999-12-31

/** An ISO date from an Excel date cell, an Excel serial number or "YYYY-MM-DD"; null when empty, undefined when invalid. */
export function cellDate(value: unknown): IsoDate | null | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : fromDate(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 1 || value > LAST_EXCEL_SERIAL) return undefined;
    return fromDate(new Date(EXCEL_EPOCH_MS + Math.floor(value) * DAY_MS)); // the fraction is the time of day
  }
  const s = cellText(value);
  if (s === "") return null;
  return s !== undefined && isKnownIsoDate(s) ? s : undefined;
}

/**
 * isIsoDate builds a Date per call, the costliest step of a row; a snapshot holds a few
 * hundred distinct dates over many thousand rows, so answers are remembered, up to a bound.
 */
const isoDateAnswers = new Map<string, boolean>();
const ISO_DATE_ANSWERS_KEPT = 20_000;

function isKnownIsoDate(s: string): boolean {
  let answer = isoDateAnswers.get(s);
  if (answer === undefined) {
    answer = isIsoDate(s);
    if (isoDateAnswers.size < ISO_DATE_ANSWERS_KEPT) isoDateAnswers.set(s, answer);
  }
  return answer;
}

const optionalDate = z.unknown().transform((value, ctx) => {
  const date = cellDate(value);
  return date === undefined ? fail(ctx, "invalidDate") : date;
});
const requiredDate = optionalDate.transform((date, ctx) => date ?? fail(ctx, "required"));

const YES = new Set(["yes", "y", "true", "1"]);
const NO = new Set(["no", "n", "false", "0"]);

/** Yes/No (also Y/N, true/false, 1/0, any case); an empty cell takes the column's default. */
function yesNo<Default extends boolean | null>(fallback: Default) {
  return text.transform((s, ctx): boolean | Default => {
    const answer = s.toLowerCase();
    if (answer === "") return fallback;
    if (YES.has(answer)) return true;
    if (NO.has(answer)) return false;
    return fail(ctx, "invalidYesNo");
  });
}

const email = optionalText.pipe(z.email("invalidEmail" satisfies ProblemKey).nullable()).transform((e) => e?.toLowerCase() ?? null);

const BARRIERS: Record<string, DeliveryBarrier> = {
  "": "none",
  none: "none",
  "hard bounce": "hard_bounce",
  unsubscribed: "unsubscribed",
};

/** "Hard Bounce", "hard  bounce", "HARD_BOUNCE" all name the same barrier. */
function barrierWords(s: string): string {
  return s.toLowerCase().replace(/[\s_]+/g, " ");
}

const barrier = text.transform((s, ctx) => BARRIERS[barrierWords(s)] ?? fail(ctx, "invalidBarrier"));

const tags = text.transform((s) => [...new Set(s.split("||").map((tag) => tag.trim()).filter((tag) => tag !== ""))]);

/** One schema per column: a column added to COLUMNS without a rule here fails the type check. */
const cellsSchema = z.object({
  crPartyId: requiredText,
  crPartyName: requiredText,
  cxbu: optionalText,
  deploymentId,
  installSite: optionalText,
  serialNumber: optionalText,
  contractNumber: optionalText,
  architecture: requiredText,
  solutionDomain: requiredText,
  useCase: requiredText,
  stage,
  stageEnteredOn: requiredDate,
  addedOn: optionalDate,
  telemetry: yesNo(false),
  dcc: yesNo(false),
  adoptionPartner: optionalText,
  ea: yesNo(null),
  cpiEligible: yesNo(null),
  renewalOn: optionalDate,
  csmEmail: email,
  ciscoContactName: optionalText,
  ciscoContactEmail: email,
  ciscoContactBarrier: barrier,
  partner1Name: optionalText,
  partner1Email: email,
  partner1Barrier: barrier,
  partner2Name: optionalText,
  partner2Email: email,
  partner2Barrier: barrier,
  tags,
  excluded: yesNo(false),
} satisfies Record<ColumnField, z.ZodType>);

type Cells = z.output<typeof cellsSchema>;

const CONTACTS = [
  { name: "ciscoContactName", email: "ciscoContactEmail", barrier: "ciscoContactBarrier" },
  { name: "partner1Name", email: "partner1Email", barrier: "partner1Barrier" },
  { name: "partner2Name", email: "partner2Email", barrier: "partner2Barrier" },
] as const satisfies readonly { name: ColumnField; email: ColumnField; barrier: ColumnField }[];

/** The cell as the person typed it, for the `value` of a problem. */
function shownValue(value: unknown): string {
  return cellText(value) ?? JSON.stringify(value) ?? String(value);
}

/**
 * A contact exists when its email is given; a name or a barrier (other than None) without
 * one is a half-filled contact. Checked on the raw cells so that it is reported even when
 * another cell of the contact is bad too.
 */
function contactProblems(record: CellRecord, row: number): RowProblem[] {
  const problems: RowProblem[] = [];
  for (const contact of CONTACTS) {
    if (cellText(record[contact.email]) !== "") continue;
    const name = cellText(record[contact.name]) ?? "";
    const barrierText = cellText(record[contact.barrier]) ?? "";
    const orphan = name !== "" ? name : barrierWords(barrierText) !== "none" ? barrierText : "";
    if (orphan !== "") {
      problems.push({ row, column: columnOf(contact.email).name, key: "contactWithoutEmail" satisfies ProblemKey, params: { value: orphan } });
    }
  }
  return problems;
}

const COLUMN_ORDER = new Map<string, number>(COLUMNS.map((column, index) => [column.name, index]));

/** One problem per bad cell (the first rule it breaks), in column order. */
function cellProblems(issues: readonly z.core.$ZodIssue[], record: CellRecord, row: number): RowProblem[] {
  const keyByField = new Map<string, string>();
  for (const issue of issues) {
    const field = String(issue.path[0]);
    if (!keyByField.has(field)) keyByField.set(field, issue.message);
  }
  return COLUMNS.flatMap((column) => {
    const key = keyByField.get(column.field);
    return key === undefined ? [] : [{ row, column: column.name, key, params: { value: shownValue(record[column.field]) } }];
  });
}

function contact(cells: Cells, slot: (typeof CONTACTS)[number]): SnapshotContact | null {
  const address = cells[slot.email];
  return address === null ? null : { name: cells[slot.name], email: address, barrier: cells[slot.barrier] };
}

function toRow(c: Cells, rowNumber: number): SnapshotRow {
  const [cisco, partner1, partner2] = CONTACTS;
  return {
    rowNumber,
    crPartyId: c.crPartyId,
    crPartyName: c.crPartyName,
    cxbu: c.cxbu,
    deploymentId: c.deploymentId,
    installSite: c.installSite,
    serialNumber: c.serialNumber,
    contractNumber: c.contractNumber,
    architecture: c.architecture,
    solutionDomain: c.solutionDomain,
    useCase: c.useCase,
    stage: c.stage,
    stageEnteredOn: c.stageEnteredOn,
    addedOn: c.addedOn,
    telemetry: c.telemetry,
    dcc: c.dcc,
    adoptionPartner: c.adoptionPartner,
    ea: c.ea,
    cpiEligible: c.cpiEligible,
    renewalOn: c.renewalOn,
    csmEmail: c.csmEmail,
    ciscoContact: contact(c, cisco),
    partnerContacts: [contact(c, partner1), contact(c, partner2)].filter((p): p is SnapshotContact => p !== null),
    tags: c.tags,
    excluded: c.excluded,
  };
}

/**
 * Validates one data row: `record` holds its cells keyed by field (see columns.ts), as the
 * readers produce them. Every bad cell is reported, not just the first.
 */
export function validateRow(record: Record<string, unknown>, rowNumber: number): RowValidation {
  // Every field present, absent cells as null: zod refuses a missing key outright, before
  // the cell's own rule could read it as empty.
  const cells: Record<string, unknown> = {};
  for (const { field } of COLUMNS) cells[field] = record[field] ?? null;
  const parsed = cellsSchema.safeParse(cells);
  const problems = contactProblems(record, rowNumber);
  if (parsed.success && problems.length === 0) return { ok: true, row: toRow(parsed.data, rowNumber) };
  if (!parsed.success) problems.push(...cellProblems(parsed.error.issues, record, rowNumber));
  problems.sort((a, b) => COLUMN_ORDER.get(a.column)! - COLUMN_ORDER.get(b.column)!);
  return { ok: false, problems };
}
