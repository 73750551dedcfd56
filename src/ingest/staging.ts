import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { BlobCopy, Queryable } from "../db/sql.js";
import type { SnapshotRow } from "../domain/snapshot.js";
import { md5 } from "./digest.js";
import type { RowEntities } from "./row.js";

/**
 * The snapshot's rows land in a temporary table first, so merging them into the model is a
 * handful of set-based statements instead of 200,000 round trips. Dropped at commit.
 */
interface StagingColumn {
  name: string;
  type: string;
  value: (row: SnapshotRow) => unknown;
  /** Staged for an unchanged row too (see RowEntities): its value from those cells alone. */
  entityValue?: (row: RowEntities) => unknown;
}
const column = (name: string, type: string, value: (row: SnapshotRow) => unknown): StagingColumn => ({ name, type, value });
const entity = (name: string, type: string, value: (row: RowEntities) => unknown): StagingColumn => ({ name, type, value, entityValue: value });

const COLUMNS: StagingColumn[] = [
  entity("row_number", "int", (r) => r.rowNumber),
  entity("cr_party_id", "text", (r) => r.crPartyId),
  entity("cr_party_name", "text", (r) => r.crPartyName),
  entity("cxbu", "text", (r) => r.cxbu),
  entity("deployment_id", "text", (r) => r.deploymentId),
  entity("install_site", "text", (r) => r.installSite),
  entity("serial_number", "text", (r) => r.serialNumber),
  entity("contract_number", "text", (r) => r.contractNumber),
  entity("architecture", "text", (r) => r.architecture),
  entity("solution_domain", "text", (r) => r.solutionDomain),
  entity("use_case", "text", (r) => r.useCase),
  column("stage", "text", (r) => r.stage),
  column("stage_entered_on", "date", (r) => r.stageEnteredOn),
  column("added_on", "date", (r) => r.addedOn),
  column("telemetry", "bool", (r) => r.telemetry),
  column("dcc", "bool", (r) => r.dcc),
  entity("adoption_partner", "text", (r) => r.adoptionPartner),
  entity("ea", "bool", (r) => r.ea),
  column("cpi_eligible", "bool", (r) => r.cpiEligible),
  column("renewal_on", "date", (r) => r.renewalOn),
  entity("csm_email", "text", (r) => r.csmEmail),
  // Tags travel joined, split again by the merge. `||` never occurs in a tag.
  column("tags", "text", (r) => r.tags.join("||")),
  column("excluded", "bool", (r) => r.excluded),
  column("cisco_name", "text", (r) => r.ciscoContact?.name ?? null),
  column("cisco_email", "text", (r) => r.ciscoContact?.email ?? null),
  column("cisco_barrier", "text", (r) => r.ciscoContact?.barrier ?? null),
  column("p1_name", "text", (r) => r.partnerContacts[0]?.name ?? null),
  column("p1_email", "text", (r) => r.partnerContacts[0]?.email ?? null),
  column("p1_barrier", "text", (r) => r.partnerContacts[0]?.barrier ?? null),
  column("p2_name", "text", (r) => r.partnerContacts[1]?.name ?? null),
  column("p2_email", "text", (r) => r.partnerContacts[1]?.email ?? null),
  column("p2_barrier", "text", (r) => r.partnerContacts[1]?.barrier ?? null),
];

/**
 * Besides the row's columns, `content_hash`: a digest of everything in the row but its
 * number (see copyLine), which merge.ts compares with the one stored on the use case.
 */
export async function createStagingTable(client: Queryable): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE snapshot_row (${COLUMNS.map(({ name, type }) => `${name} ${type}`).join(", ")}, content_hash text) ON COMMIT DROP`,
  );
}

/**
 * A value in COPY's text format: `\N` for null, and the four characters the format gives a
 * meaning to (backslash, tab, line feed, carriage return) escaped. Validation refuses control
 * characters before this, but the escaping holds for any text, so no value can end a column
 * or a row early, or pass for the end-of-data marker.
 */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "boolean") return value ? "t" : "f";
  const text = String(value);
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]!) : text;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/**
 * A row as the reader hands it to staging: validated in full, or (its digest matched the one
 * stored with its use case) only what it says about its customer and deployment.
 */
export type StagedRow = { row: SnapshotRow; digest?: string } | { unchanged: RowEntities; digest: string };

/**
 * One staged row as a line of COPY text format, columns in COLUMNS order, then the content
 * hash: the row's digest (digest.ts), or for a row given without one (the demo data) MD5 of
 * the escaped values after the row number. Escaping is one-to-one and tabs separate the
 * values, so two rows share that hash only if every value is the same (or MD5 collides,
 * which a snapshot's own values are not built to do: it is a change detector). An unchanged
 * row's use-case columns are null: the merge reads them only from the rows that changed.
 */
export function copyLine(staged: StagedRow): string {
  if ("unchanged" in staged) {
    let line = copyValue(staged.unchanged.rowNumber);
    for (let i = 1; i < COLUMNS.length; i++) {
      const entityValue = COLUMNS[i]!.entityValue;
      line += "\t" + (entityValue ? copyValue(entityValue(staged.unchanged)) : "\\N");
    }
    return `${line}\t${staged.digest}\n`;
  }
  const { row } = staged;
  let content = copyValue(COLUMNS[1]!.value(row));
  for (let i = 2; i < COLUMNS.length; i++) content += "\t" + copyValue(COLUMNS[i]!.value(row));
  return `${copyValue(row.rowNumber)}\t${content}\t${staged.digest ?? md5(content)}\n`;
}

const COPY_SQL = `COPY snapshot_row (${COLUMNS.map(({ name }) => name).join(", ")}, content_hash) FROM STDIN`;
/** Lines are handed to the database in chunks of about this many characters. */
const CHUNK_CHARS = 256 * 1024;
/** The embedded database takes a whole blob per COPY: one statement per this many characters. */
const BLOB_CHARS = 8 * 1024 * 1024;

async function* copyChunks(rows: AsyncIterable<StagedRow>, size: number): AsyncGenerator<string> {
  let chunk = "";
  for await (const row of rows) {
    chunk += copyLine(row);
    if (chunk.length >= size) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

/**
 * Streams the rows into snapshot_row with COPY, as they are read: on PostgreSQL one
 * COPY FROM STDIN over the transaction's connection (pg-copy-streams, with backpressure);
 * on the embedded database, whose socket server cannot carry COPY's sub-protocol, PGlite's
 * own COPY from a blob, in bounded pieces (see directCopy in db/sql.ts). Either way the rows
 * join the open transaction, and an error from the reader ends the COPY and is thrown.
 */
export async function stageRows(client: pg.PoolClient, rows: AsyncIterable<StagedRow>, blobCopy?: BlobCopy): Promise<void> {
  if (blobCopy) {
    for await (const piece of copyChunks(rows, BLOB_CHARS)) await blobCopy(COPY_SQL.replace("FROM STDIN", "FROM '/dev/blob'"), new Blob([piece]));
  } else {
    await pipeline(Readable.from(copyChunks(rows, CHUNK_CHARS)), client.query(copyFrom(COPY_SQL)));
  }
}
