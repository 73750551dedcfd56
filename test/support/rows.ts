import type { SnapshotRow } from "../../src/domain/snapshot.js";
import type { RowResult } from "../../src/ingest/read.js";

/** A valid snapshot row with sensible defaults; tests override what they are about. */
export function row(overrides: Partial<SnapshotRow> = {}): SnapshotRow {
  return {
    rowNumber: 2,
    crPartyId: "300112345",
    crPartyName: "Northwind Logistics",
    cxbu: "Northwind Group",
    deploymentId: "DPL101X431",
    installSite: "Berlin DE",
    serialNumber: "FOC17784483",
    contractNumber: "644854973",
    architecture: "Networking",
    solutionDomain: "Campus Network",
    useCase: "Campus Network Automation",
    stage: "implement",
    stageEnteredOn: "2026-11-01",
    addedOn: "2026-02-23",
    telemetry: true,
    dcc: true,
    adoptionPartner: "Partner Example Ltd",
    ea: false,
    cpiEligible: true,
    renewalOn: "2027-03-19",
    csmEmail: "anna.petrova@partner.example",
    ciscoContact: { name: "IT Director", email: "it.director@northwind.example", barrier: "none" },
    partnerContacts: [],
    tags: ["Enterprise"],
    excluded: false,
    ...overrides,
  };
}

export const ok = (rows: SnapshotRow[]): RowResult[] => rows.map((r, i) => ({ ok: true as const, row: { ...r, rowNumber: i + 2 } }));
