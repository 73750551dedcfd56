/** Our rule (domain.md "Recommendation actions"). */
export const STAYING_ACTIONS = ["contacted_customer", "meeting_scheduled", "working_adoption_barrier"] as const;
export const CLOSING_ACTIONS = ["not_my_customer", "customer_declined", "data_issue_reported"] as const;
export const RECOMMENDATION_ACTIONS = [...STAYING_ACTIONS, ...CLOSING_ACTIONS] as const;
export type RecommendationAction = (typeof RECOMMENDATION_ACTIONS)[number];

export const isRecommendationAction = (value: string): value is RecommendationAction => (RECOMMENDATION_ACTIONS as readonly string[]).includes(value);

/** Closing actions end the recommendation once chosen; staying ones last until the customer progresses. */
export function closesRecommendation(action: RecommendationAction): boolean {
  return (CLOSING_ACTIONS as readonly string[]).includes(action);
}

export const ALERT_KINDS = ["new_use_case", "stalled", "bounced_contact", "missing_contact", "regression"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** What each alert recommends the CSM do (domain.md "Rules the sources state"). */
export const RECOMMENDATION_FOR: Record<AlertKind, "find_adoption_barrier" | "update_contact" | "review_new_use_case" | "find_regression_cause"> = {
  stalled: "find_adoption_barrier",
  regression: "find_regression_cause",
  bounced_contact: "update_contact",
  missing_contact: "update_contact",
  new_use_case: "review_new_use_case",
};

/** What a use case's telemetry needs, as far as LCA's data tells. */
export interface TelemetryFacts {
  telemetry: boolean;
  /** LCA's Digital Customer Consent. */
  dcc?: boolean;
  /** The customer bought from more than one partner (see dccNeeded). */
  multiPartner?: boolean;
}

/**
 * Our rule (seed 000: "in cases where a customer has purchased from more than one partner,
 * telemetry data is only displayed when the customer signs a digital consent form"): a use
 * case of a customer with two or more distinct Adoption Partners (set at ingest) and no
 * Digital Customer Consent needs one.
 */
export function dccNeeded(facts: TelemetryFacts): boolean {
  return facts.multiPartner === true && facts.dcc !== true;
}

export type RecommendationKind = (typeof RECOMMENDATION_FOR)[AlertKind] | "enable_telemetry" | "request_dcc";

/**
 * What the card recommends for this use case. A stalled or regressed use case without
 * telemetry is to turn it on first (domain.md: without it, the stage moves only by Cisco's
 * review, so no step with the customer shows in LCA); with telemetry on but a consent needed
 * (dccNeeded), the consent comes next, as LCA shows none of that telemetry without it.
 */
export function recommendationFor(kind: AlertKind, facts: TelemetryFacts): RecommendationKind {
  if (kind === "stalled" || kind === "regression") {
    if (!facts.telemetry) return "enable_telemetry";
    if (dccNeeded(facts)) return "request_dcc";
  }
  return RECOMMENDATION_FOR[kind];
}

/**
 * The six actions are steps with the customer's adoption. A contact alert's step is the
 * contact itself (contact.update): its cards offer none of them, as if the customer were stalled.
 */
export function offersRecommendationActions(kind: AlertKind): boolean {
  return RECOMMENDATION_FOR[kind] !== "update_contact";
}

export const SNOOZE_DAYS = [1, 7, 30] as const;
export type SnoozeDays = (typeof SNOOZE_DAYS)[number];
