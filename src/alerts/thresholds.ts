import { STAGES, type StallThresholds } from "../domain/stages.js";

/**
 * The stalled thresholds as three parallel arrays for SQL (`unnest($stages, $domains, $days)`):
 * one row per stage with a null domain (the stage's threshold), then one per solution-domain
 * override. A null `days` is "never stalled", an override of null included.
 */
export function stallThresholdRows(thresholds: StallThresholds): { stages: string[]; domains: (string | null)[]; days: (number | null)[] } {
  const rows = { stages: [] as string[], domains: [] as (string | null)[], days: [] as (number | null)[] };
  for (const stage of STAGES) {
    rows.stages.push(stage);
    rows.domains.push(null);
    rows.days.push(thresholds[stage]);
  }
  for (const [domain, overrides] of Object.entries(thresholds.domains ?? {})) {
    for (const stage of STAGES) {
      const days = overrides[stage];
      if (days === undefined) continue;
      rows.stages.push(stage);
      rows.domains.push(domain);
      rows.days.push(days);
    }
  }
  return rows;
}

/**
 * SQL twin of stallThreshold (src/domain/stages.ts): the solution domain's threshold for the
 * stage when it has one (null included), else the stage's. The parameters hold
 * stallThresholdRows' arrays.
 */
export function stallThresholdSql(stage: string, solutionDomain: string, stages: string, domains: string, days: string): string {
  const rows = `unnest(${stages}::text[], ${domains}::text[], ${days}::int[]) AS t(stage, domain, days)`;
  return `(SELECT t.days FROM ${rows} WHERE t.stage = ${stage} AND (t.domain = ${solutionDomain} OR t.domain IS NULL)
           ORDER BY t.domain IS NULL LIMIT 1)`;
}
