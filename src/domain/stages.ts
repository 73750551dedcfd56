/** Lifecycle stages in order (domain.md "Lifecycle stages"). */
export const STAGES = ["purchase", "onboard", "implement", "use", "engage", "adopt", "optimize"] as const;
export type Stage = (typeof STAGES)[number];

export function stageIndex(stage: Stage): number {
  return STAGES.indexOf(stage);
}

/** Parses "Implement", " implement " etc.; undefined for anything else. */
export function parseStage(text: string): Stage | undefined {
  const normalised = text.trim().toLowerCase();
  return (STAGES as readonly string[]).includes(normalised) ? (normalised as Stage) : undefined;
}

export type StageMove = "progression" | "regression" | "none";

export function stageMove(from: Stage, to: Stage): StageMove {
  const delta = stageIndex(to) - stageIndex(from);
  return delta > 0 ? "progression" : delta < 0 ? "regression" : "none";
}

/**
 * Days in stage per stage above which a use case is stalled (null = never stalled), with
 * optional overrides per solution domain (domain.md: "per stage, optionally per solution
 * domain"), e.g. `{ ..., domains: { "Campus Network": { implement: 30 } } }`.
 */
export type StallThresholds = Record<Stage, number | null> & { domains?: Record<string, Partial<Record<Stage, number | null>>> };

/** The threshold that applies to a use case: its solution domain's, else its stage's. */
export function stallThreshold(thresholds: StallThresholds, stage: Stage, solutionDomain: string): number | null {
  const override = thresholds.domains?.[solutionDomain]?.[stage];
  return override !== undefined ? override : thresholds[stage];
}

/** Our rule (domain.md "Stalled thresholds"). */
export const DEFAULT_STALL_THRESHOLDS: StallThresholds = {
  purchase: 30,
  onboard: 30,
  implement: 45,
  use: 60,
  engage: 60,
  adopt: 90,
  optimize: null,
};
