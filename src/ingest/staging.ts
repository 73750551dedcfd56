import type { Queryable } from "../db/sql.js";
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
  // Tags travel joined: a text[][] parameter cannot carry ragged rows. `||` never occurs in a tag.
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

export async function createStagingTable(client: Queryable): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE snapshot_row (${COLUMNS.map(([name, type]) => `${name} ${type}`).join(", ")}) ON COMMIT DROP`,
  );
}

const INSERT_SQL = `INSERT INTO snapshot_row SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})`;

/** One statement per batch: each column travels as one array parameter. */
export async function insertStagingRows(client: Queryable, rows: readonly SnapshotRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params = COLUMNS.map(([, , value]) => rows.map(value));
  await client.query(INSERT_SQL, params);
}
