import { stat } from "node:fs/promises";
import path from "node:path";
import type { RowProblem, SnapshotRow } from "../domain/snapshot.js";
import { isAppError } from "../errors.js";
import { csvSource } from "./read-csv.js";
import { jsonSource } from "./read-json.js";
import { unreadable, type ReadState, type Source, type SourceItem } from "./read-source.js";
import { xlsxSource } from "./read-xlsx.js";
import type { TextEncoding } from "./decode.js";
import { rowDigest, type Digests } from "./digest.js";
import { rowEntities, validateRow, type ProblemKey, type RowEntities } from "./row.js";
import { checkXlsxDirectory } from "./xlsx-guard.js";

// The sources, for the callers (tests) that read them from here.
export { MAX_CSV_RECORD_CHARS } from "./read-csv.js";
export type { SheetRow } from "./read-source.js";
export { chooseSheet, xlsxRowsSettled } from "./read-xlsx.js";

export type SnapshotFormat = "csv" | "xlsx" | "json";

/** `digest`: of the row's cells as the file gave them (digest.ts); absent for rows built in code (the demo data). */
export type RowResult = { ok: true; row: SnapshotRow; digest?: string } | { ok: false; problems: RowProblem[] };

/**
 * A row whose cells are exactly those of a row merged before (its digest is one of the
 * `unchanged` digests the reader was given): only its entities are read (rowEntities), and
 * the checks that span rows run on them as on any row.
 */
export interface UnchangedRow {
  ok: true;
  unchanged: RowEntities;
  digest: string;
}

/**
 * One snapshot file being read. Nothing is read until `rows` is iterated, and the file is
 * streamed: memory grows with the number of distinct deployments (for the cross-row
 * checks), not with the size of the file.
 */
export interface Snapshot {
  readonly file: string;
  readonly format: SnapshotFormat;
  /**
   * Every data row in file order, validated, plus the header's problems (missing or
   * repeated columns) as one first failed result after which nothing more is read.
   * Iterate once. Throws AppError("ingest.unreadable") when the file cannot be read, and a
   * coded AppError when it is hostile as a whole: "ingest.notUtf8", "ingest.utf16",
   * "ingest.recordTooLong", "ingest.tooLarge", "ingest.tooManyRows". A hostile cell is a
   * row problem (row.ts, cellHazard), never an exception.
   */
  readonly rows: AsyncIterable<RowResult>;
  /**
   * The same rows, but a row whose digest is in `unchanged` (those of the rows merged last
   * time, as ingest.ts loads them) comes as an UnchangedRow. Iterate once, this or `rows`.
   */
  rowsSkipping(unchanged: Digests): AsyncIterable<RowResult | UnchangedRow>;
  /** Header texts that are not LCA columns, each once; complete once `rows` is done. */
  unknownColumns(): string[];
  /** Data rows met so far (fully empty rows are skipped, not counted); the total once `rows` is done. */
  rowCount(): number;
}

const FORMATS: Record<string, SnapshotFormat> = { ".csv": "csv", ".xlsx": "xlsx", ".json": "json" };

export interface ReadOptions {
  /** The text encoding of a .csv or .json export (default UTF-8, checked); ignored for .xlsx. */
  encoding?: TextEncoding;
}

/**
 * Checks that the file exists and has a known extension; throws AppError("ingest.unreadable")
 * if not. An .xlsx whose archive says it unpacks past XLSX_LIMITS is refused here
 * (AppError("ingest.tooLarge")), before anything is inflated.
 */
export async function openSnapshot(file: string, options: ReadOptions = {}): Promise<Snapshot> {
  const format = FORMATS[path.extname(file).toLowerCase()];
  if (!format) throw unreadable(file, `unsupported file type "${path.extname(file)}": use .xlsx, .csv or .json`);
  await assertFile(file);
  if (format === "xlsx") await checkXlsxDirectory(file);
  const state: ReadState = { unknown: [], rows: 0, encoding: options.encoding ?? "utf8" };
  const read = (unchanged: Digests | undefined) => validated(guarded(file, SOURCES[format](file, state)), state, unchanged);
  return {
    file,
    format,
    // One reader, made once (nothing is read until it is iterated): a second look at `rows`
    // is the same exhausted iterator, not a second pass that would count every row twice.
    // Without a set of digests no row comes as unchanged.
    rows: read(undefined) as AsyncIterable<RowResult>,
    rowsSkipping: read,
    unknownColumns: () => [...state.unknown],
    rowCount: () => state.rows,
  };
}

/** The rows of a snapshot file, for callers that need neither the unknown columns nor the count. */
export async function* readSnapshot(file: string, options: ReadOptions = {}): AsyncGenerator<RowResult> {
  yield* (await openSnapshot(file, options)).rows;
}

async function assertFile(file: string): Promise<void> {
  const stats = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(file, error.code === "ENOENT" ? "file not found" : error.message, error);
  });
  if (!stats.isFile()) throw unreadable(file, "not a file");
}

// ---------------------------------------------------------------------------------------
// Sources: each format turns the file into data rows with their cells keyed by field (read-csv, read-xlsx, read-json).

const SOURCES: Record<SnapshotFormat, Source> = { csv: csvSource, xlsx: xlsxSource, json: jsonSource };

// ---------------------------------------------------------------------------------------
// Validation and the checks that span rows.

/** Turns a failure of the file itself into AppError("ingest.unreadable"); validation errors are not caught here. */
async function* guarded<T>(file: string, source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<T>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw isAppError(error) ? error : unreadable(file, error instanceof Error ? error.message : String(error), error);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.(); // closes the file when the caller stops early
  }
}

async function* validated(items: AsyncIterable<SourceItem>, state: ReadState, unchanged: Digests | undefined): AsyncGenerator<RowResult | UnchangedRow> {
  const crossRow = new CrossRowChecks();
  for await (const item of items) {
    if (item.kind === "header") {
      yield { ok: false, problems: item.problems };
      continue;
    }
    state.rows++;
    if (item.kind === "shapeless") {
      yield { ok: false, problems: item.problems };
      continue;
    }
    const digest = rowDigest(item.record);
    if (unchanged && digest !== undefined && item.problems.length === 0 && unchanged.has(digest)) {
      const entities = rowEntities(item.record, item.rowNumber);
      if (entities) {
        const problems = crossRow.check(entities);
        yield problems.length === 0 ? { ok: true, unchanged: entities, digest } : { ok: false, problems };
        continue;
      }
    }
    const result = validateRow(item.record, item.rowNumber);
    const problems = [...item.problems, ...(result.ok ? crossRow.check(result.row) : result.problems)];
    if (!result.ok || problems.length > 0) yield { ok: false, problems };
    else yield digest === undefined ? result : { ok: true, row: result.row, digest };
  }
}

type CrossRowKeys = Pick<SnapshotRow, "rowNumber" | "crPartyId" | "deploymentId" | "architecture" | "solutionDomain" | "useCase">;

interface DeploymentSeen {
  crPartyId: string;
  firstRow: number;
  /** Use case (architecture, domain, use case) → the row it first appeared in. */
  useCases: Map<string, number>;
}

/**
 * Finds valid rows that repeat a use-case deployment or move a deployment to another
 * customer. It keeps one small entry per deployment; the repeated texts (customer ids,
 * use-case names) are shared through a pool so that 200,000 rows do not hold 200,000
 * copies of "Networking · Campus Network · Campus Network Automation".
 */
class CrossRowChecks {
  private readonly deployments = new Map<string, DeploymentSeen>();
  private readonly pool = new Map<string, string>();

  check(row: CrossRowKeys): RowProblem[] {
    const useCase = this.shared(`${row.architecture}\u0000${row.solutionDomain}\u0000${row.useCase}`);
    const seen = this.deployments.get(row.deploymentId);
    if (!seen) {
      this.deployments.set(ownCopy(row.deploymentId), { crPartyId: this.shared(row.crPartyId), firstRow: row.rowNumber, useCases: new Map([[useCase, row.rowNumber]]) });
      return [];
    }
    const problems: RowProblem[] = [];
    if (seen.crPartyId !== row.crPartyId) {
      problems.push({
        row: row.rowNumber,
        column: "CR Party ID",
        key: "deploymentMovedCustomer" satisfies ProblemKey,
        params: { value: row.crPartyId, deploymentId: row.deploymentId, otherCrPartyId: seen.crPartyId, firstRow: seen.firstRow },
      });
    }
    const firstRow = seen.useCases.get(useCase);
    if (firstRow === undefined) seen.useCases.set(useCase, row.rowNumber);
    else problems.push({ row: row.rowNumber, column: "Use Case", key: "duplicateRow" satisfies ProblemKey, params: { firstRow } });
    return problems;
  }

  private shared(text: string): string {
    const pooled = this.pool.get(text);
    if (pooled !== undefined) return pooled;
    const own = ownCopy(text);
    this.pool.set(own, own);
    return own;
  }
}

/**
 * A string of its own for a key kept until the end of the read. The CSV parser's cells are
 * V8 substrings of the chunk they were cut from, and a kept substring keeps its whole chunk
 * alive: 60,000 deployment ids would hold the entire file in memory.
 */
function ownCopy(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}
