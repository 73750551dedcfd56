import { REMINDED_KINDS } from "./alerts.js";
import { daysBetween, type IsoDate } from "./dates.js";
import type { AlertKind } from "./recommendations.js";

/**
 * Escalation (issue 17): an alert nobody acts on goes to the partner's team leads (TEAM_LEADS),
 * or to its admins (ADMINS) when there are none, as a card they can assign from.
 *
 * Untouched: nobody has acted on the alert since it opened. Every action a person takes on an
 * alert leaves either its "acted by" (a step, a snooze, an assignment of the deployment, a
 * contact fixed) or an audit row about it (a note), so an alert is untouched while it has
 * neither. A snoozed alert is touched (someone snoozed it), and while the snooze lasts it is
 * not escalated in any case. The bot's own rows (an escalation) touch nothing.
 *
 * Two steps, each at most once per alert:
 * 1. An alert of a deployment someone is assigned to, untouched ESCALATE_AFTER_DAYS (14) days
 *    after it opened and after its reminders (stalled and contact alerts: at least one reminder
 *    went out; the other kinds have none).
 * 2. An alert of an unassigned deployment (it went to the team spaces), untouched — nobody
 *    claimed it — ESCALATE_UNCLAIMED_DAYS (3) days after it opened.
 * There is no further step: an escalated alert stays with the leads, and its reminders go on
 * as before.
 *
 * Days count from the later of the day it opened and the day it first reached someone (a card,
 * a summary or a reminder in the outbox). An alert that reached nobody is never escalated:
 * the baseline snapshot opens its alerts without sending them (and the engine still sets their
 * last_notified_on, so that date cannot tell), and a lead must not hear "nobody acted" about
 * what nobody was told. A baseline alert whose first reminder goes out counts from that day.
 */
export type EscalationStep = 1 | 2;

export interface EscalationRules {
  afterDays: number;
  unclaimedDays: number;
}

export interface EscalationCandidate {
  kind: AlertKind;
  openedOn: IsoDate;
  /** The LCA day of the first card, summary or reminder about it; null: it reached nobody (a baseline alert). */
  deliveredOn: IsoDate | null;
  reminderCount: number;
  /** The deployment has an active CSM assigned. */
  assigned: boolean;
  /** Someone acted on it since it opened (acted by, or a person's audit row about it). */
  touched: boolean;
  /** The LCA day a snooze ends (null: not snoozed). */
  snoozedUntil: IsoDate | null;
}

/** The step due for an open alert today, or null. Whether that step was already taken is the caller's record (the audit). */
export function escalationDue(alert: EscalationCandidate, today: IsoDate, rules: EscalationRules): EscalationStep | null {
  if (alert.touched || alert.deliveredOn === null) return null;
  if (alert.snoozedUntil !== null && alert.snoozedUntil > today) return null;
  const days = daysBetween(alert.deliveredOn > alert.openedOn ? alert.deliveredOn : alert.openedOn, today);
  if (!alert.assigned) return days >= rules.unclaimedDays ? 2 : null;
  if (REMINDED_KINDS.includes(alert.kind) && alert.reminderCount < 1) return null;
  return days >= rules.afterDays ? 1 : null;
}
