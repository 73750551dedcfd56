import { daysBetween, type IsoDate } from "./dates.js";
import type { AlertKind } from "./recommendations.js";
import type { DeliveryBarrier } from "./snapshot.js";
import { stageMove, stallThreshold, type Stage, type StallThresholds } from "./stages.js";

/** The facts about one use-case deployment the alert rules look at. */
export interface UseCaseFacts {
  useCaseDeploymentId: number;
  stage: Stage;
  stageEnteredOn: IsoDate;
  firstSeenOn: IsoDate;
  /** The catalog's solution domain: thresholds may differ per domain. */
  solutionDomain: string;
  /** Excluded at use-case or account level (the account overrides). */
  excluded: boolean;
  /** The most recent stage change the bot observed, if any. */
  lastStageChange: { from: Stage | null; to: Stage; observedOn: IsoDate } | null;
  contacts: { source: "cisco" | "partner"; slot: number; email: string; barrier: DeliveryBarrier }[];
}

export interface AlertRules {
  asOf: IsoDate;
  stallThresholds: StallThresholds;
  /** The date of the installation's first snapshot: what it held is the baseline, never "new". */
  baselineOn: IsoDate;
  /** How long a use case counts as new (the LCA quick filter's 30 days). */
  newWindowDays: number;
}

/**
 * Why an alert fired, as it was when it opened. Cards count days in stage from the data when
 * they are drawn, so the engine does not rewrite these as days pass.
 */
export type AlertFacts =
  | { kind: "stalled"; stage: Stage; stageEnteredOn: IsoDate; daysInStage: number; threshold: number }
  | { kind: "regression"; fromStage: Stage; toStage: Stage; observedOn: IsoDate }
  | { kind: "new_use_case"; firstSeenOn: IsoDate; stage: Stage }
  | { kind: "bounced_contact"; source: "cisco" | "partner"; slot: number; email: string; barrier: Exclude<DeliveryBarrier, "none"> }
  | { kind: "missing_contact"; barredContacts: number };

export interface DesiredAlert {
  kind: AlertKind;
  subject: string;
  facts: AlertFacts;
}

/**
 * Which alerts ought to be open for a use-case deployment today. The engine compares this
 * with the open alerts: new ones open, missing ones resolve, materially changed ones are
 * resolved and reopened (a fresh notice: "a new one goes out when the data changes").
 */
export function desiredAlerts(facts: UseCaseFacts, rules: AlertRules): DesiredAlert[] {
  if (facts.excluded) return [];
  const ucd = `ucd:${facts.useCaseDeploymentId}`;
  const alerts: DesiredAlert[] = [];

  const threshold = stallThreshold(rules.stallThresholds, facts.stage, facts.solutionDomain);
  const daysInStage = daysBetween(facts.stageEnteredOn, rules.asOf);
  if (threshold !== null && daysInStage > threshold) {
    alerts.push({ kind: "stalled", subject: ucd, facts: { kind: "stalled", stage: facts.stage, stageEnteredOn: facts.stageEnteredOn, daysInStage, threshold } });
  }

  const change = facts.lastStageChange;
  if (change?.from && stageMove(change.from, change.to) === "regression") {
    alerts.push({ kind: "regression", subject: ucd, facts: { kind: "regression", fromStage: change.from, toStage: change.to, observedOn: change.observedOn } });
  }

  if (facts.firstSeenOn > rules.baselineOn && daysBetween(facts.firstSeenOn, rules.asOf) <= rules.newWindowDays) {
    alerts.push({ kind: "new_use_case", subject: ucd, facts: { kind: "new_use_case", firstSeenOn: facts.firstSeenOn, stage: facts.stage } });
  }

  // Partners cannot change a Cisco contact: a usable partner contact is the fix, so a barred
  // partner slot's alert (replace it) already covers a barred Cisco contact.
  const partnerContact = facts.contacts.some((c) => c.source === "partner");
  for (const contact of facts.contacts) {
    if (contact.barrier === "none") continue;
    if (contact.source === "cisco" && partnerContact) continue;
    alerts.push({
      kind: "bounced_contact",
      subject: `${ucd}:${contact.source}:${contact.slot}`,
      facts: { kind: "bounced_contact", source: contact.source, slot: contact.slot, email: contact.email, barrier: contact.barrier },
    });
  }

  // Every contact barred: the bounced alert names the address to replace, so it is the one
  // alert (domain.md); missing_contact is for a use case with no contact at all.
  if (facts.contacts.length === 0) {
    alerts.push({ kind: "missing_contact", subject: ucd, facts: { kind: "missing_contact", barredContacts: facts.contacts.length } });
  }
  return alerts;
}

/**
 * The part of an alert's facts whose change makes it a different alert. Days in stage grow
 * every day without being news; a new stage entry date, another bounced address are news.
 */
export function materialKey(facts: AlertFacts): string {
  switch (facts.kind) {
    case "stalled":
      return `${facts.stage}|${facts.stageEnteredOn}`;
    case "regression":
      return `${facts.fromStage}|${facts.toStage}|${facts.observedOn}`;
    case "bounced_contact":
      return `${facts.email}|${facts.barrier}`;
    case "new_use_case":
    case "missing_contact":
      return "";
  }
}

export type ResolutionReason = "removed" | "excluded" | "stage_changed" | "contact_fixed" | "aged" | "changed" | "closed_by_action";

/** Why an open alert no longer holds, for the record and the card. */
export function resolutionReason(kind: AlertKind, facts: { active: boolean; excluded: boolean }): ResolutionReason {
  if (!facts.active) return "removed";
  if (facts.excluded) return "excluded";
  switch (kind) {
    case "stalled":
    case "regression":
      return "stage_changed";
    case "bounced_contact":
    case "missing_contact":
      return "contact_fixed";
    case "new_use_case":
      return "aged";
  }
}

/** The alerts that get differently worded follow-ups: a customer who stays stuck or unreachable. */
export const REMINDED_KINDS: readonly AlertKind[] = ["stalled", "bounced_contact", "missing_contact"];

/**
 * A reminder is due once the interval has passed since the last notice and since the last
 * step someone took: a step that keeps the recommendation open postpones the follow-up, it
 * does not end it (domain.md). A snooze holds it until it ends; a contact fixed in chat and
 * waiting for LCA gets none until LCA shows the fix or the upload turns out late.
 */
export function reminderDue(
  alert: { kind: AlertKind; lastNotifiedOn: IsoDate | null; lastActedOn: IsoDate | null; snoozedUntil: IsoDate | null; lcaWait?: LcaWait | null },
  asOf: IsoDate,
  reminderDays: number,
): boolean {
  if (!REMINDED_KINDS.includes(alert.kind) || alert.lastNotifiedOn === null || alert.lcaWait === "waiting") return false;
  if (alert.snoozedUntil !== null && alert.snoozedUntil > asOf) return false;
  const since = alert.lastActedOn !== null && alert.lastActedOn > alert.lastNotifiedOn ? alert.lastActedOn : alert.lastNotifiedOn;
  return daysBetween(since, asOf) >= reminderDays;
}

/**
 * A contact alert fixed in chat while LCA still shows the problem: `waiting` while a fix is
 * within its grace days (no reminders), `upload_pending` once every fix has gone stale (open
 * again, reminders resume). Resolved only when a snapshot carries the fix.
 */
export type LcaWait = "waiting" | "upload_pending";

/** The chat changes of a use case's partner contact emails still open for LCA. */
export interface OpenContactChange {
  slot: number;
  status: "pending" | "stale";
}

/**
 * Whether a contact alert the rules no longer want (the chat fixed it) is held for LCA, and
 * how; null: resolve it. A barred partner slot waits for that slot's change; a barred Cisco
 * contact or a missing one for any partner contact's.
 */
export function lcaWaitOf(alert: { kind: AlertKind; facts: AlertFacts }, changes: readonly OpenContactChange[]): LcaWait | null {
  if (alert.kind !== "bounced_contact" && alert.kind !== "missing_contact") return null;
  const facts = alert.facts;
  const relevant = facts.kind === "bounced_contact" && facts.source === "partner" ? changes.filter((c) => c.slot === facts.slot) : changes;
  if (relevant.length === 0) return null;
  return relevant.some((c) => c.status === "pending") ? "waiting" : "upload_pending";
}
