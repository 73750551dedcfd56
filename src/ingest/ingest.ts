import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { runAlertEngine, type EngineSummary } from "../alerts/engine.js";
import { directCopy, inTransaction, type Queryable } from "../db/sql.js";
import type { IsoDate } from "../domain/dates.js";
import type { RowProblem, SnapshotRow } from "../domain/snapshot.js";
import type { StallThresholds } from "../domain/stages.js";
import { AppError } from "../errors.js";
import type { NoticeView } from "../protocol/views.js";
import { enqueueHomes } from "../delivery/home.js";
import { enqueueRedraws } from "../delivery/refresh.js";
import { DigestSet, type Digests } from "./digest.js";
import { mergeSnapshot, type MergeSummary } from "./merge.js";
import { reconcileChanges, type ReconcileSummary } from "./reconcile.js";
import { openSnapshot, type ReadOptions, type RowResult, type UnchangedRow } from "./read.js";
import { createStagingTable, stageRows, type StagedRow } from "./staging.js";

export type { RowResult } from "./read.js";

/**
 * A snapshot's rows: given as they are (the demo data), or read by a reader told the digests
 * of the rows merged last time, which it passes over as unchanged (Snapshot.rowsSkipping).
 */
export type SnapshotRows =
  | AsyncIterable<RowResult>
  | Iterable<RowResult>
  | ((unchanged: Digests) => AsyncIterable<RowResult | UnchangedRow>);

export interface IngestOptions {
  asOf: IsoDate;
  source: string;
  sha256?: string;
  isDemo?: boolean;
  stallThresholds: StallThresholds;
  reminderDays: number;
  /** More new alerts than this to one destination become one summary card (BATCH_OVER, default 5). */
  batchOver?: number;
  /** The partner's email domains: a CSM outside them is never messaged (see mergeSnapshot). */
  partnerDomains: readonly string[];
  /** Partner admins, told which rows named someone outside the partner. */
  adminEmails: readonly string[];
  /** Chat changes waiting for LCA: working days before one is stale, counted in the partner's zone (default 2, UTC). */
  writeback?: { graceDays: number; timeZone: string };
  /** Told the phase and the rows read so far: every PROGRESS_ROWS rows while reading, and at each new phase. */
  onProgress?: (progress: IngestProgress) => void;
}

/** What an ingest is doing: reading (and staging) rows, merging them into the model, evaluating alerts. */
export type IngestPhase = "reading" | "merging" | "alerts";
export interface IngestProgress {
  phase: IngestPhase;
  rowsRead: number;
}
const PROGRESS_ROWS = 1000;

export interface IngestSummary extends MergeSummary {
  source: string;
  asOf: IsoDate;
  rowsRead: number;
  /** Rows whose cells were those of a row merged before: staged without being validated again. */
  rowsUnchanged: number;
  unknownColumns: string[];
  baseline: boolean;
  replacedDemo: boolean;
  alerts: { opened: EngineSummary["opened"]; resolved: EngineSummary["resolved"]; reminders: number };
  /** Chat changes this snapshot decided (src/ingest/reconcile.ts). */
  changes: ReconcileSummary["changes"];
  outboxRows: number;
  durationMs: number;
  /** Milliseconds in each phase: reading (and staging) the rows, merging them, evaluating alerts (and queueing their messages). */
  phaseMs: Record<IngestPhase, number>;
}

/** The problems of a refused snapshot: at most the first 100, and how many there were. */
export const MAX_LISTED_PROBLEMS = 100;

export class SnapshotRefused extends AppError {
  readonly problems: RowProblem[];
  readonly problemCount: number;
  constructor(source: string, problems: RowProblem[], problemCount: number) {
    super("ingest.refused", { file: source, count: problemCount });
    this.problems = problems;
    this.problemCount = problemCount;
  }
}

const INGEST_LOCK_KEY = 0x4c_43_41_69; // "LCAi": one snapshot applied at a time per database

/**
 * Applies one snapshot whole or not at all: rows are validated and staged inside one
 * transaction; any bad row, and the transaction rolls back leaving the database as it was.
 */
export async function ingestRows(pool: pg.Pool, source: SnapshotRows, options: IngestOptions, unknownColumns: () => string[] = () => []): Promise<IngestSummary> {
  const started = performance.now();
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [INGEST_LOCK_KEY]);
    const replacedDemo = options.isDemo ? false : await dropDemoData(client);

    await createStagingTable(client);
    const rows = typeof source === "function" ? source(await unchangedDigests(client)) : source;
    const problems: RowProblem[] = [];
    let problemCount = 0;
    let rowsRead = 0;
    let rowsUnchanged = 0;
    // Rows are validated and streamed into the staging table by COPY as they are read: the
    // file and the database work side by side, and memory holds a chunk, not the snapshot.
    async function* goodRows(): AsyncGenerator<StagedRow> {
      for await (const result of rows) {
        rowsRead++;
        if (rowsRead % PROGRESS_ROWS === 0) options.onProgress?.({ phase: "reading", rowsRead });
        if (!result.ok) {
          problemCount += result.problems.length;
          problems.push(...result.problems.slice(0, MAX_LISTED_PROBLEMS - problems.length));
          continue;
        }
        if (problemCount > 0) continue; // refused already: keep reading only to name every bad row
        if ("unchanged" in result) rowsUnchanged++;
        yield result;
      }
    }
    await stageRows(client, goodRows(), directCopy(pool));
    if (problemCount > 0) throw new SnapshotRefused(options.source, problems, problemCount);
    if (rowsRead === 0) throw new AppError("ingest.empty", { file: options.source });

    const readEnd = performance.now();
    options.onProgress?.({ phase: "merging", rowsRead });
    const { rows: previous } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM snapshot`);
    const baseline = previous[0]!.n === 0;
    const { rows: [snapshot] } = await client.query<{ id: number }>(
      `INSERT INTO snapshot (as_of, source, sha256, rows_read, is_demo, is_baseline, summary) VALUES ($1, $2, $3, $4, $5, $6, '{}') RETURNING id`,
      [options.asOf, options.source, options.sha256 ?? "", rowsRead, options.isDemo ?? false, baseline],
    );
    // Before the merge: it keeps a chat value only while its change is still open.
    const reconciled = await reconcileChanges(client, {
      asOf: options.asOf,
      snapshotId: snapshot!.id,
      graceDays: options.writeback?.graceDays ?? 2,
      timeZone: options.writeback?.timeZone ?? "UTC",
      dedupe: `${options.asOf}:${options.sha256 ?? options.source}`,
      quiet: options.isDemo ?? false,
    });
    const merged = await mergeSnapshot(client, options.asOf, options.partnerDomains);
    const mergeEnd = performance.now();
    options.onProgress?.({ phase: "alerts", rowsRead });
    const engine = await runAlertEngine(client, {
      rules: { asOf: options.asOf, stallThresholds: options.stallThresholds, newWindowDays: 30 },
      reminderDays: options.reminderDays,
      ...(options.batchOver !== undefined ? { batchOver: options.batchOver } : {}),
      baseline,
      scope: { changedTable: "merged_ucd", snapshotId: snapshot!.id },
      redraw: (db, alertId) => enqueueRedraws(db, alertId),
    });
    const outsiderNotices = await enqueueOutsidersNotice(client, merged.outsiders, options);
    // Every Home page may show changed alerts now: republished for each CSM with a chat that has one.
    const homes = await enqueueHomes(client);
    const end = performance.now();
    const summary: IngestSummary = {
      source: options.source,
      asOf: options.asOf,
      rowsRead,
      rowsUnchanged,
      unknownColumns: unknownColumns(),
      baseline,
      replacedDemo,
      ...merged,
      alerts: { opened: engine.opened, resolved: engine.resolved, reminders: engine.reminders },
      changes: reconciled.changes,
      outboxRows: engine.outboxRows + outsiderNotices + reconciled.notices + homes,
      durationMs: Math.round(end - started),
      phaseMs: { reading: Math.round(readEnd - started), merging: Math.round(mergeEnd - readEnd), alerts: Math.round(end - mergeEnd) },
    };
    await client.query(`UPDATE snapshot SET summary = $2 WHERE id = $1`, [snapshot!.id, JSON.stringify(summary)]);
    return summary;
  });
}

/**
 * The digests of the rows merged last time whose use case is still in LCA's data: a row of
 * the new snapshot with one of them is exactly as LCA gave it before. Those with a chat
 * change waiting for LCA are left out: the reconciliation reads their contacts from the
 * staged row, so it is read in full.
 */
async function unchangedDigests(client: Queryable): Promise<DigestSet> {
  const unchanged = `x.active AND x.content_hash IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM pending_lca_change p WHERE p.use_case_deployment_id = x.id AND p.status IN ('pending', 'stale'))`;
  const { rows: [counted] } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM use_case_deployment x WHERE ${unchanged}`);
  const digests = new DigestSet(counted!.n);
  // In pieces of one text each, and only the ten characters DigestSet keeps: one text of all
  // 200,000 digests (5 MB) grew the embedded database's WebAssembly heap for good.
  for (let after = 0; ; ) {
    const { rows: [piece] } = await client.query<{ last: number | null; digests: string | null }>(`
      SELECT max(id) AS last, string_agg(left(content_hash, 10), ',') AS digests
      FROM (SELECT x.id, x.content_hash FROM use_case_deployment x WHERE x.id > $1 AND ${unchanged} ORDER BY x.id LIMIT ${DIGESTS_PER_QUERY}) t`, [after]);
    if (piece?.last == null) return digests;
    digests.addJoined(piece.digests ?? "");
    after = piece.last;
  }
}

const DIGESTS_PER_QUERY = 20_000;

/**
 * Tells each partner admin, once per snapshot, which rows named a CSM outside the partner's
 * domains: LCA has the wrong person (or a typo), and only the partner can fix it there. One
 * row per admin for every chat the running service has (the dispatcher fans it out).
 */
async function enqueueOutsidersNotice(client: Queryable, outsiders: MergeSummary["outsiders"], options: IngestOptions): Promise<number> {
  if (outsiders.count === 0 || options.adminEmails.length === 0 || options.isDemo) return 0;
  const listed = outsiders.rows.slice(0, MAX_OUTSIDERS_IN_NOTICE).map((r) => `${r.row} (${r.deploymentId}: ${r.email})`).join(", ");
  const more = outsiders.count - Math.min(outsiders.rows.length, MAX_OUTSIDERS_IN_NOTICE);
  const view: NoticeView = {
    tone: "warning",
    title: { key: "chat.outsiders.title", params: { count: outsiders.count } },
    text: { key: more > 0 ? "chat.outsiders.textMore" : "chat.outsiders.text", params: { file: options.source, rows: listed, more } },
  };
  const result = await client.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, kind, payload, dedupe_key)
     SELECT NULL, 'csm:' || c.id, c.id, 'notice', $2::jsonb, 'notice:outsiders:' || $3 || ':' || $4 || ':admin:' || c.id
     FROM csm c WHERE c.active AND lower(c.email) = ANY($1::text[])
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [options.adminEmails.map((e) => e.toLowerCase()), JSON.stringify({ card: "notice", view }), options.asOf, options.sha256 ?? options.source],
  );
  return result.rowCount ?? 0;
}

const MAX_OUTSIDERS_IN_NOTICE = 20;

/** The demo data set gives way to the first real snapshot: it is removed entirely. */
async function dropDemoData(client: Queryable): Promise<boolean> {
  const { rows } = await client.query<{ is_demo: boolean }>(`SELECT is_demo FROM snapshot ORDER BY id DESC LIMIT 1`);
  if (!rows[0]?.is_demo) return false;
  await client.query(`TRUNCATE pending_lca_change, outbox_message, audit_entry, alert, recommendation_action, recommendation, contact, stage_change,
    use_case_deployment, deployment, customer, subscription, team_space, csm, snapshot, job_run RESTART IDENTITY CASCADE`);
  return true;
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** `sha256`: pass it when the caller hashed the file already (refresh does), to read it once less. */
export async function ingestFile(pool: pg.Pool, file: string, options: Omit<IngestOptions, "source"> & ReadOptions): Promise<IngestSummary> {
  const snapshot = await openSnapshot(file, { encoding: options.encoding });
  const sha256 = options.sha256 ?? (await fileSha256(file));
  return ingestRows(pool, (unchanged) => snapshot.rowsSkipping(unchanged), { ...options, source: path.basename(file), sha256 }, () => snapshot.unknownColumns());
}
