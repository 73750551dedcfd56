import { z } from "zod";
import { fromDate, isIsoDate, type IsoDate } from "../domain/dates.js";
import type { DeliveryBarrier, RowProblem, SnapshotContact, SnapshotRow } from "../domain/snapshot.js";
import { parseStage, type Stage } from "../domain/stages.js";
import { CELL_KINDS, columnOf, COLUMNS, MAX_TAG_LENGTH, type CellKind, type CellRecord, type ColumnField, type ProblemKey } from "./columns.js";

export type { ProblemKey };

export type RowValidation = { ok: true; row: SnapshotRow } | { ok: false; problems: RowProblem[] };

type Ctx = z.RefinementCtx;

/** Records a problem on the cell being parsed; the message carries the problem key. */
function fail(ctx: Ctx, key: ProblemKey): never {
  ctx.addIssue({ code: "custom", message: key });
  return z.NEVER;
}

/**
 * A string the reader cut short because it was far over any column's limit (a JSON string
 * of megabytes): `head` is its start, `length` how long it really was.
 */
export class OversizedText {
  constructor(
    readonly head: string,
    readonly length: number,
  ) {}
}

/** A JSON value nested deeper than the reader follows: it stands for the whole subtree. */
export class TooDeep {
  constructor(public depth: number) {}
}

/** How many code units of a bad value a problem quotes; the rest becomes "…". */
export const QUOTED_LENGTH = 80;

/** The start of a text for a message, cut on a character boundary. */
export function quote(text: string, max = QUOTED_LENGTH): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // never split a surrogate pair
  return `${text.slice(0, end)}…`;
}

/**
 * Control characters no cell may hold: C0 (U+0000–U+001F) but tab, line feed and carriage
 * return, DEL, C1 (U+0080–U+009F). A single-line kind refuses tab and line breaks too.
 */
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/;

/** Any character that needs a closer look: a control, or half of a surrogate pair. */
const SUSPECT = /[\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]/;

/** Half of a surrogate pair without its other half: not Unicode text (a JSON "\\ud800"). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, "g");

/** "\\x1b", "\\u0085": how a control character is named in a message. */
export function escapeCharacter(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * What makes a cell unusable whatever its column's rule: too long for its kind, a control
 * character, a lone surrogate (text that is not Unicode). Checked on the trimmed text, so a
 * trailing line break Excel leaves in a cell is no problem. Undefined when the cell is fine.
 */
export function cellHazard(value: unknown, kind: CellKind): { key: ProblemKey; params: Record<string, string | number> } | undefined {
  const { maxLength, multiline } = CELL_KINDS[kind];
  if (value instanceof OversizedText) return { key: "tooLong", params: { value: quote(value.head), length: value.length, max: maxLength } };
  if (value instanceof TooDeep) return { key: "tooDeep", params: { depth: value.depth } };
  if (typeof value !== "string") return undefined;
  // The common case, a short clean cell, is answered by one scan of the raw text.
  if (value.length <= Math.min(maxLength, MAX_TAG_LENGTH) && !SUSPECT.test(value)) return undefined;
  const text = value.trim();
  if (text.length > maxLength) return { key: "tooLong", params: { value: quote(text), length: text.length, max: maxLength } };
  const control = (multiline ? CONTROL_MULTILINE : CONTROL_SINGLE_LINE).exec(text);
  if (control) {
    return { key: "controlCharacter", params: { value: quote(text), character: escapeCharacter(text.charCodeAt(control.index)), position: control.index + 1 } };
  }
  if (LONE_SURROGATE.test(text)) return { key: "malformedText", params: { value: quote(text.replace(LONE_SURROGATE_ALL, "\uFFFD")) } };
  if (kind === "tags") {
    const long = text.split("||").map((tag) => tag.trim()).find((tag) => tag.length > MAX_TAG_LENGTH);
    if (long !== undefined) return { key: "tagTooLong", params: { value: quote(long), length: long.length, max: MAX_TAG_LENGTH } };
  }
  return undefined;
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

// ---------------------------------------------------------------------------------------
// The fast path: the same rules as cellsSchema, written as plain checks that return a value
// or BAD. A valid row (nearly every row) is read without zod's issue objects and pipelines;
// a row with any BAD cell goes through cellsSchema, which names what is wrong with each cell.
// test/unit/ingest-fast-path.test.ts holds the two to the same answers.

const BAD = Symbol("bad");
type Fast<T> = (value: unknown) => T | typeof BAD;

const fastText: Fast<string> = (value) => cellText(value) ?? BAD;
const fastRequired: Fast<string> = (value) => {
  const s = cellText(value);
  return s === undefined || s === "" ? BAD : s;
};
const fastOptional: Fast<string | null> = (value) => {
  const s = cellText(value);
  return s === undefined ? BAD : s === "" ? null : s;
};
const DEPLOYMENT_ID = /^[A-Za-z0-9]+$/;
const fastDeploymentId: Fast<string> = (value) => {
  const s = fastRequired(value);
  return s !== BAD && DEPLOYMENT_ID.test(s) ? s : BAD;
};
const fastStage: Fast<Stage> = (value) => {
  const s = fastRequired(value);
  return s === BAD ? BAD : (parseStage(s) ?? BAD);
};
const fastOptionalDate: Fast<IsoDate | null> = (value) => {
  const date = cellDate(value);
  return date === undefined ? BAD : date;
};
const fastRequiredDate: Fast<IsoDate> = (value) => cellDate(value) ?? BAD;
function fastYesNo<Default extends boolean | null>(fallback: Default): Fast<boolean | Default> {
  return (value) => {
    const s = cellText(value);
    if (s === undefined) return BAD;
    const answer = s.toLowerCase();
    if (answer === "") return fallback;
    if (YES.has(answer)) return true;
    if (NO.has(answer)) return false;
    return BAD;
  };
}
const fastEmail: Fast<string | null> = (value) => {
  const s = fastOptional(value);
  if (s === BAD || s === null) return s;
  return z.regexes.email.test(s) ? s.toLowerCase() : BAD;
};
const fastBarrier: Fast<DeliveryBarrier> = (value) => {
  const s = cellText(value);
  return s === undefined ? BAD : (BARRIERS[barrierWords(s)] ?? BAD);
};
const fastTags: Fast<string[]> = (value) => {
  const s = fastText(value);
  return s === BAD ? BAD : [...new Set(s.split("||").map((tag) => tag.trim()).filter((tag) => tag !== ""))];
};

const FAST_CELLS = {
  crPartyId: fastRequired,
  crPartyName: fastRequired,
  cxbu: fastOptional,
  deploymentId: fastDeploymentId,
  installSite: fastOptional,
  serialNumber: fastOptional,
  contractNumber: fastOptional,
  architecture: fastRequired,
  solutionDomain: fastRequired,
  useCase: fastRequired,
  stage: fastStage,
  stageEnteredOn: fastRequiredDate,
  addedOn: fastOptionalDate,
  telemetry: fastYesNo(false),
  dcc: fastYesNo(false),
  adoptionPartner: fastOptional,
  ea: fastYesNo(null),
  cpiEligible: fastYesNo(null),
  renewalOn: fastOptionalDate,
  csmEmail: fastEmail,
  ciscoContactName: fastOptional,
  ciscoContactEmail: fastEmail,
  ciscoContactBarrier: fastBarrier,
  partner1Name: fastOptional,
  partner1Email: fastEmail,
  partner1Barrier: fastBarrier,
  partner2Name: fastOptional,
  partner2Email: fastEmail,
  partner2Barrier: fastBarrier,
  tags: fastTags,
  excluded: fastYesNo(false),
} satisfies { [F in ColumnField]: Fast<Cells[F]> };

const FAST_FIELDS = Object.keys(FAST_CELLS) as ColumnField[];

/** The cells as cellsSchema would parse them, or undefined when cellsSchema would refuse any. */
export function fastParseCells(cells: Record<string, unknown>): Cells | undefined {
  const out: Record<string, unknown> = {};
  for (const field of FAST_FIELDS) {
    const value = (FAST_CELLS[field] as Fast<unknown>)(cells[field]);
    if (value === BAD) return undefined;
    out[field] = value;
  }
  return out as Cells;
}

/**
 * What a row says about its customer and deployment (and the keys of its use case): the
 * cells every snapshot stages, also for a row merged unchanged last time, since the
 * customer's and the deployment's values come from their first row in the file, and which
 * rows name which customer is what tells the merge who left.
 */
export const ENTITY_FIELDS = [
  "crPartyId",
  "crPartyName",
  "cxbu",
  "deploymentId",
  "installSite",
  "serialNumber",
  "contractNumber",
  "architecture",
  "solutionDomain",
  "useCase",
  "adoptionPartner",
  "ea",
  "csmEmail",
] as const satisfies readonly ColumnField[];

export type EntityField = (typeof ENTITY_FIELDS)[number];
export type RowEntities = Pick<SnapshotRow, "rowNumber" | EntityField>;

/**
 * The entity cells of a row whose digest matched one merged before (so it was valid then,
 * under the same rules): read as validateRow reads them, without the checks that cannot
 * fail on it. Undefined if one fails anyway; the caller then validates the row in full.
 */
export function rowEntities(record: CellRecord, rowNumber: number): RowEntities | undefined {
  const out: Record<string, unknown> = { rowNumber };
  for (const field of ENTITY_FIELDS) {
    const value = (FAST_CELLS[field] as Fast<unknown>)(record[field]);
    if (value === BAD) return undefined;
    out[field] = value;
  }
  return out as RowEntities;
}

/** cellsSchema's answer, for the test that holds the fast path to it. */
export function zodParseCells(cells: Record<string, unknown>): Cells | undefined {
  const parsed = cellsSchema.safeParse(cells);
  return parsed.success ? parsed.data : undefined;
}

const CONTACTS = [
  { name: "ciscoContactName", email: "ciscoContactEmail", barrier: "ciscoContactBarrier" },
  { name: "partner1Name", email: "partner1Email", barrier: "partner1Barrier" },
  { name: "partner2Name", email: "partner2Email", barrier: "partner2Barrier" },
] as const satisfies readonly { name: ColumnField; email: ColumnField; barrier: ColumnField }[];

/**
 * The cell as the person typed it, for the `value` of a problem: at most QUOTED_LENGTH
 * characters, and an object or array only by its shape (never serialised whole: it may be
 * nested thousands deep).
 */
export function shownValue(value: unknown): string {
  const text = cellText(value);
  if (text !== undefined) return quote(text);
  return quote(describeShape(value, 2));
}

function describeShape(value: unknown, depth: number): string {
  if (value instanceof TooDeep) return "…";
  if (value instanceof OversizedText) return JSON.stringify(quote(value.head, 20));
  if (Array.isArray(value)) return depth === 0 ? "[…]" : `[${value.slice(0, 3).map((v) => describeShape(v, depth - 1)).join(",")}${value.length > 3 ? ",…" : ""}]`;
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    const entries = Object.entries(value);
    if (depth === 0) return "{…}";
    const shown = entries.slice(0, 3).map(([k, v]) => `${JSON.stringify(quote(k, 20))}:${describeShape(v, depth - 1)}`);
    return `{${shown.join(",")}${entries.length > 3 ? ",…" : ""}}`;
  }
  if (typeof value === "string") return JSON.stringify(quote(value, 20));
  return String(value);
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
      problems.push({ row, column: columnOf(contact.email).name, key: "contactWithoutEmail" satisfies ProblemKey, params: { value: quote(orphan) } });
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

/** Per column, in COLUMNS order: its field and kind, and the length below which a clean cell needs no closer look. */
const HAZARD_CHECKS = COLUMNS.map(({ field, kind }) => ({ field, kind, quickMax: Math.min(CELL_KINDS[kind].maxLength, MAX_TAG_LENGTH) }));

/** No cell is hostile (see cellHazard): the common case, answered without building a problem. */
function noHazard(record: CellRecord): boolean {
  for (const { field, kind, quickMax } of HAZARD_CHECKS) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    if (typeof value === "string" && value.length <= quickMax && !SUSPECT.test(value)) continue;
    if (cellHazard(value, kind) !== undefined) return false;
  }
  return true;
}

/**
 * Validates one data row: `record` holds its cells keyed by field (see columns.ts), as the
 * readers produce them. Every bad cell is reported, not just the first. A valid row (nearly
 * every row) takes the fast path: plain checks over the cells as they are, no copies, no
 * zod; only a row that fails one of them is read again to name what is wrong.
 */
export function validateRow(record: Record<string, unknown>, rowNumber: number): RowValidation {
  if (noHazard(record)) {
    // An absent cell reads as empty, as null does (cellText).
    const fast = fastParseCells(record);
    if (fast !== undefined && contactProblems(record, rowNumber).length === 0) return { ok: true, row: toRow(fast, rowNumber) };
  }
  return explainRow(record, rowNumber);
}

function explainRow(record: Record<string, unknown>, rowNumber: number): RowValidation {
  // Every field present, absent cells as null: zod refuses a missing key outright, before
  // the cell's own rule could read it as empty.
  // A hostile cell (too long, control characters) is named for what it is and then read as
  // empty, so that no other rule (an email pattern, a date) runs over it.
  const cells: Record<string, unknown> = {};
  const problems: RowProblem[] = [];
  let hostile: Set<string> | undefined;
  for (const { field, name, kind } of COLUMNS) {
    const value = record[field];
    const hazard = cellHazard(value, kind);
    if (hazard) {
      (hostile ??= new Set()).add(field);
      problems.push({ row: rowNumber, column: name, ...hazard });
    }
    cells[field] = hazard ? null : (value ?? null);
  }
  const parsed = cellsSchema.safeParse(cells);
  problems.push(...contactProblems(record, rowNumber));
  if (parsed.success && problems.length === 0) return { ok: true, row: toRow(parsed.data, rowNumber) };
  if (!parsed.success) problems.push(...cellProblems(parsed.error.issues.filter((issue) => !hostile?.has(String(issue.path[0]))), record, rowNumber));
  problems.sort((a, b) => COLUMN_ORDER.get(a.column)! - COLUMN_ORDER.get(b.column)!);
  return { ok: false, problems };
}
