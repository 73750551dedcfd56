import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { BlobCopy, Queryable } from "../db/sql.js";
import type { SnapshotRow } from "../domain/snapshot.js";

/**
 * The snapshot's rows land in a temporary table first, so merging them into the model is a
 * handful of set-based statements instead of 200,000 round trips. Dropped at commit.
 */
const COLUMNS: [name: string, type: string, value: (row: SnapshotRow) => unknown][] = [
  ["row_number", "int", (r) => r.rowNumber],
  ["cr_party_id", "text", (r) => r.crPartyId],
  ["cr_party_name", "text", (r) => r.crPartyName],
  ["cxbu", "text", (r) => r.cxbu],
  ["deployment_id", "text", (r) => r.deploymentId],
  ["install_site", "text", (r) => r.installSite],
  ["serial_number", "text", (r) => r.serialNumber],
  ["contract_number", "text", (r) => r.contractNumber],
  ["architecture", "text", (r) => r.architecture],
  ["solution_domain", "text", (r) => r.solutionDomain],
  ["use_case", "text", (r) => r.useCase],
  ["stage", "text", (r) => r.stage],
  ["stage_entered_on", "date", (r) => r.stageEnteredOn],
  ["added_on", "date", (r) => r.addedOn],
  ["telemetry", "bool", (r) => r.telemetry],
  ["dcc", "bool", (r) => r.dcc],
  ["adoption_partner", "text", (r) => r.adoptionPartner],
  ["ea", "bool", (r) => r.ea],
  ["cpi_eligible", "bool", (r) => r.cpiEligible],
  ["renewal_on", "date", (r) => r.renewalOn],
  ["csm_email", "text", (r) => r.csmEmail],
  // Tags travel joined, split again by the merge. `||` never occurs in a tag.
  ["tags", "text", (r) => r.tags.join("||")],
  ["excluded", "bool", (r) => r.excluded],
  ["cisco_name", "text", (r) => r.ciscoContact?.name ?? null],
  ["cisco_email", "text", (r) => r.ciscoContact?.email ?? null],
  ["cisco_barrier", "text", (r) => r.ciscoContact?.barrier ?? null],
  ["p1_name", "text", (r) => r.partnerContacts[0]?.name ?? null],
  ["p1_email", "text", (r) => r.partnerContacts[0]?.email ?? null],
  ["p1_barrier", "text", (r) => r.partnerContacts[0]?.barrier ?? null],
  ["p2_name", "text", (r) => r.partnerContacts[1]?.name ?? null],
  ["p2_email", "text", (r) => r.partnerContacts[1]?.email ?? null],
  ["p2_barrier", "text", (r) => r.partnerContacts[1]?.barrier ?? null],
];

/**
 * Besides the row's columns, `content_hash`: a digest of everything in the row but its
 * number (see copyLine), which merge.ts compares with the one stored on the use case.
 */
export async function createStagingTable(client: Queryable): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE snapshot_row (${COLUMNS.map(([name, type]) => `${name} ${type}`).join(", ")}, content_hash text) ON COMMIT DROP`,
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
 * One staged row as a line of COPY text format, columns in COLUMNS order, then the content
 * hash: MD5 of the escaped values after the row number. Escaping is one-to-one and tabs
 * separate the values, so two rows share a hash only if every value is the same (or MD5
 * collides, which a snapshot's own values are not built to do: it is a change detector).
 */
export function copyLine(row: SnapshotRow): string {
  let content = copyValue(COLUMNS[1]![2](row));
  for (let i = 2; i < COLUMNS.length; i++) content += "\t" + copyValue(COLUMNS[i]![2](row));
  const hash = createHash("md5").update(content).digest("base64");
  return `${copyValue(COLUMNS[0]![2](row))}\t${content}\t${hash}\n`;
}

const COPY_SQL = `COPY snapshot_row (${COLUMNS.map(([name]) => name).join(", ")}, content_hash) FROM STDIN`;
/** Lines are handed to the database in chunks of about this many characters. */
const CHUNK_CHARS = 256 * 1024;
/** The embedded database takes a whole blob per COPY: one statement per this many characters. */
const BLOB_CHARS = 8 * 1024 * 1024;

async function* copyChunks(rows: AsyncIterable<SnapshotRow>, size: number): AsyncGenerator<string> {
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
export async function stageRows(client: pg.PoolClient, rows: AsyncIterable<SnapshotRow>, blobCopy?: BlobCopy): Promise<void> {
  if (blobCopy) {
    for await (const piece of copyChunks(rows, BLOB_CHARS)) await blobCopy(COPY_SQL.replace("FROM STDIN", "FROM '/dev/blob'"), new Blob([piece]));
  } else {
    await pipeline(Readable.from(copyChunks(rows, CHUNK_CHARS)), client.query(copyFrom(COPY_SQL)));
  }
}
