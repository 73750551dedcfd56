/** What the portfolio generator (portfolio.ts) takes and gives. */
import type { IsoDate } from "../domain/dates.js";
import type { SnapshotRow } from "../domain/snapshot.js";

export interface Portfolio {
  asOf: IsoDate;
  rows: SnapshotRow[];
}

export interface PortfolioOptions {
  seed: number;
  /** Number of customers (CR Party IDs); each has 1–4 deployments of 1–6 use cases. */
  customers: number;
  /** The snapshot date: days in stage, "added in the last 30 days" etc. are relative to it. */
  asOf: IsoDate;
  /** CSMs deployments are assigned to (~10% of deployments stay unassigned). */
  csmEmails: readonly string[];
  /** The partner's own email domain: partner contacts are never in it. */
  partnerDomain: string;
  /** Segmentation tags to draw from; default ["Enterprise","Commercial","Public Sector","Strategic"]. */
  tags?: readonly string[];
  /** Stop after this many rows (for benchmarks wanting an exact row count). */
  maxRows?: number;
  /** The adoption partner name written on most rows; default derived from partnerDomain. */
  partnerName?: string;
}

export interface NextDayOptions {
  seed: number;
  /** The date of the new snapshot (after the portfolio's asOf). */
  asOf: IsoDate;
  /** Share of rows that change (0–1): modified, removed, or followed by a newly added use case. */
  changeRate: number;
}

export const DEFAULT_TAGS: readonly string[] = ["Enterprise", "Commercial", "Public Sector", "Strategic"];

/** Roughly how many rows one customer yields on average (for sizing `customers`). */
export const AVERAGE_ROWS_PER_CUSTOMER = 7;
