/** How a generated portfolio is spread: the chances and weights, which use cases a deployment has, stages and their dates. */
import { USE_CASE_CATALOG, type CatalogUseCase } from "../domain/catalog.js";
import { addDays, daysBetween, type IsoDate } from "../domain/dates.js";
import type { SnapshotRow } from "../domain/snapshot.js";
import { DEFAULT_STALL_THRESHOLDS, STAGES, type Stage } from "../domain/stages.js";
import type { Rng } from "./portfolio-random.js";

const STAGE_WEIGHTS: Record<Stage, number> = {
  purchase: 12,
  onboard: 14,
  implement: 18,
  use: 17,
  engage: 14,
  adopt: 13,
  optimize: 12,
};
const STAGE_WEIGHT_LIST = STAGES.map((s) => STAGE_WEIGHTS[s]);
/** Chance a non-Optimize, not recently added row is past its stall threshold (→ ~19% overall). */
const STALL_CHANCE = 0.235;
/** Chance a row was added in the last 30 days. */
const RECENT_CHANCE = 0.08;
export const DEPLOYMENT_COUNT_WEIGHTS = [35, 30, 20, 15]; // 1..4
export const USE_CASES_PER_DEPLOYMENT_WEIGHTS = [15, 20, 22, 18, 15, 10]; // 1..6
export const UNASSIGNED_CSM_CHANCE = 0.1;
export const CISCO_BARRED_CHANCE = 0.1;
export const PARTNER_BARRED_CHANCE = 0.04;
export const NO_USABLE_CONTACT_CHANCE = 0.05;
export const CUSTOMER_EXCLUDED_CHANCE = 0.015;
export const ROW_EXCLUDED_CHANCE = 0.015;

/** Days in stage above the stall threshold for the row's stage (Optimize never stalls). */
export function isStalled(row: SnapshotRow, asOf: IsoDate): boolean {
  const threshold = DEFAULT_STALL_THRESHOLDS[row.stage];
  return threshold !== null && daysBetween(row.stageEnteredOn, asOf) > threshold;
}

// ---------------------------------------------------------------------------------------
// Use-case choice
// ---------------------------------------------------------------------------------------

const CATALOG_BY_DOMAIN = new Map<string, number[]>();
USE_CASE_CATALOG.forEach((entry, i) => {
  const key = `${entry.architecture}\u0000${entry.solutionDomain}`;
  const list = CATALOG_BY_DOMAIN.get(key) ?? [];
  list.push(i);
  CATALOG_BY_DOMAIN.set(key, list);
});
/** Networking and Security are the bulk of LCA; weight them up. */
const CATALOG_WEIGHTS = USE_CASE_CATALOG.map((e) =>
  e.architecture === "Networking" ? 3 : e.architecture === "Security" ? 2 : e.architecture === "Cloud and AI Infrastructure" ? 1.5 : 1,
);

export function pickUseCases(rng: Rng, count: number): CatalogUseCase[] {
  const chosen: number[] = [];
  const taken = new Set<number>();
  let guard = 0;
  while (chosen.length < count && guard++ < 200) {
    let index: number;
    const last = chosen[chosen.length - 1];
    if (last !== undefined && rng.chance(0.5)) {
      const entry = USE_CASE_CATALOG[last] as CatalogUseCase;
      const siblings = CATALOG_BY_DOMAIN.get(`${entry.architecture}\u0000${entry.solutionDomain}`) ?? [];
      index = rng.pick(siblings);
    } else {
      index = rng.weighted(CATALOG_WEIGHTS);
    }
    if (taken.has(index)) continue;
    taken.add(index);
    chosen.push(index);
  }
  return chosen.map((i) => USE_CASE_CATALOG[i] as CatalogUseCase);
}

// ---------------------------------------------------------------------------------------
// Dates and stages
// ---------------------------------------------------------------------------------------

interface StageDates {
  stage: Stage;
  stageEnteredOn: IsoDate;
  addedOn: IsoDate;
}

function pickStage(rng: Rng): Stage {
  return STAGES[rng.weighted(STAGE_WEIGHT_LIST)] as Stage;
}

export function stageDates(rng: Rng, asOf: IsoDate): StageDates {
  const stage = pickStage(rng);
  if (rng.chance(RECENT_CHANCE)) {
    // Added in the last 30 days (never stalled: every threshold is at least 30 days).
    const addedAgo = rng.int(0, 27);
    return { stage, addedOn: addDays(asOf, -addedAgo), stageEnteredOn: addDays(asOf, -rng.int(0, addedAgo)) };
  }
  const threshold = DEFAULT_STALL_THRESHOLDS[stage];
  let daysInStage: number;
  if (threshold === null) daysInStage = rng.int(0, 400);
  else if (rng.chance(STALL_CHANCE)) daysInStage = threshold + 1 + rng.int(0, threshold * 2);
  else daysInStage = rng.int(0, threshold);
  const stageEnteredOn = addDays(asOf, -daysInStage);
  const stageIdx = STAGES.indexOf(stage);
  // Earlier stages took time; the row is in the export since at least 45 days.
  const before = rng.int(0, 20 + stageIdx * 45);
  const addedAgo = Math.max(daysInStage + before, 45 + rng.int(0, 30));
  return { stage, stageEnteredOn, addedOn: addDays(asOf, -addedAgo) };
}
