import type { IsoDate } from "./dates.js";
import type { Stage } from "./stages.js";

export const DELIVERY_BARRIERS = ["none", "hard_bounce", "unsubscribed"] as const;
export type DeliveryBarrier = (typeof DELIVERY_BARRIERS)[number];

export interface SnapshotContact {
  name: string | null;
  email: string;
  barrier: DeliveryBarrier;
}

/**
 * One validated row of an LCA use-case export (../shared/lca-export-format.md): one
 * use-case deployment identified by (deploymentId, architecture, solutionDomain, useCase).
 */
export interface SnapshotRow {
  /** 1-based row number in the source file (the header is row 1 in CSV and Excel). */
  rowNumber: number;
  crPartyId: string;
  crPartyName: string;
  cxbu: string | null;
  deploymentId: string;
  installSite: string | null;
  serialNumber: string | null;
  contractNumber: string | null;
  architecture: string;
  solutionDomain: string;
  useCase: string;
  stage: Stage;
  stageEnteredOn: IsoDate;
  addedOn: IsoDate | null;
  telemetry: boolean;
  dcc: boolean;
  adoptionPartner: string | null;
  ea: boolean | null;
  cpiEligible: boolean | null;
  renewalOn: IsoDate | null;
  csmEmail: string | null;
  ciscoContact: SnapshotContact | null;
  partnerContacts: SnapshotContact[];
  tags: string[];
  excluded: boolean;
}

/**
 * Why a row (or the file) was refused: row number, column, what is wrong. `key` is a
 * message key under "ingest.problems." so the reader gets it in their language.
 */
export interface RowProblem {
  row: number;
  column: string;
  key: string;
  params?: Record<string, string | number>;
}
