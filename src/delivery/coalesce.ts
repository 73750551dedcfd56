import type { AlertKind } from "../domain/recommendations.js";

/**
 * Alerts about one use case that reach one destination within a short window become one
 * card, not several: the group's most important alert is sent, in the place of the group's
 * first message, and the others are marked superseded ("coalesced into #id"). They stay
 * open alerts, listed in the digest, the lists and the use case's detail card; only the
 * extra chat message is saved.
 *
 * Why not a combined card: each alert card carries the actions for its own recommendation
 * (contact, snooze, assign); a card that merged two would need new templates and a second
 * set of envelopes. One card with the most pressing action is the smaller change.
 */

/** Most pressing first: a regression undoes progress; a bounced contact blocks reaching the customer. */
export const ALERT_PRIORITY: Record<AlertKind, number> = {
  regression: 5,
  bounced_contact: 4,
  missing_contact: 3,
  stalled: 2,
  new_use_case: 1,
};

export interface GroupMember {
  id: number;
  /** The outbox row's kind: a first notice outranks a reminder of the same priority. */
  rowKind: string;
  alertKind: AlertKind;
}

/** The member whose card the group sends: highest priority, then first notice over reminder, then newest. */
export function chooseCarrier<M extends GroupMember>(members: readonly M[]): M | undefined {
  let best: M | undefined;
  for (const m of members) {
    if (!best || rank(m) > rank(best)) best = m;
  }
  return best;
}

function rank(m: GroupMember): number {
  return ALERT_PRIORITY[m.alertKind] * 1e13 + (m.rowKind === "alert" ? 1e12 : 0) + m.id;
}
