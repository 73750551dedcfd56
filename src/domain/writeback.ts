import { addDays, isWeekend, type IsoDate } from "./dates.js";

/**
 * Changes made in chat reach LCA only through the partner's Excel upload (domain.md,
 * "Changes made in chat reach LCA"): each is pending until a snapshot decides it. The
 * rules here are the ones src/ingest/reconcile.ts applies in SQL, set by set.
 */

/** The LCA fields a chat action can set: the deployment's CSM, and partner contacts per slot. */
export const LCA_FIELDS = ["csm_email", "partner_contact_1_email", "partner_contact_1_name", "partner_contact_2_email", "partner_contact_2_name"] as const;
export type LcaField = (typeof LCA_FIELDS)[number];

export const LCA_CHANGE_STATUSES = ["pending", "confirmed", "overridden", "stale", "superseded"] as const;
export type LcaChangeStatus = (typeof LCA_CHANGE_STATUSES)[number];
/** Still waiting for LCA: what the upload workbook carries and the merge must not undo. */
export const OPEN_STATUSES = ["pending", "stale"] as const satisfies readonly LcaChangeStatus[];

export const contactField = (slot: number, part: "email" | "name"): LcaField => `partner_contact_${slot as 1 | 2}_${part}`;

/** LCA's column for a field, as the upload workbook names it (also how a notice names it). */
export const LCA_FIELD_COLUMNS: Record<LcaField, string> = {
  csm_email: "CSM Email",
  partner_contact_1_email: "Partner Contact 1 Email",
  partner_contact_1_name: "Partner Contact 1 Name",
  partner_contact_2_email: "Partner Contact 2 Email",
  partner_contact_2_name: "Partner Contact 2 Name",
};

/** Emails compare without case (LCA and the readers lower-case them); names as written. */
export function sameValue(field: LcaField, a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return field.endsWith("_email") ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Monday to Friday after `from` up to and including `to` (LCA refreshes on working days). */
export function workingDaysAfter(from: IsoDate, to: IsoDate): number {
  let days = 0;
  for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) {
    if (!isWeekend(day)) days++;
  }
  return days;
}

export interface OpenChange {
  field: LcaField;
  valueBefore: string | null;
  valueChat: string | null;
  status: "pending" | "stale";
}

/**
 * What a snapshot says about an open change: LCA carries the chat value (confirmed), a
 * third value (overridden: LCA wins), or still the old one, which turns stale once the
 * grace days have passed without the upload reaching LCA.
 */
export function decideChange(change: OpenChange, lcaValue: string | null, workingDaysWaited: number, graceDays: number): LcaChangeStatus {
  if (sameValue(change.field, lcaValue, change.valueChat)) return "confirmed";
  if (!sameValue(change.field, lcaValue, change.valueBefore)) return "overridden";
  return workingDaysWaited >= graceDays ? "stale" : change.status;
}

/**
 * A new chat value for a field: it supersedes the open change, and keeps that change's
 * "before" (LCA has shown nothing new since, or the snapshot would have decided it). A
 * value back to LCA's own needs no upload: nothing new is recorded.
 */
export function nextChange(open: Pick<OpenChange, "valueBefore"> | undefined, field: LcaField, lcaValue: string | null, valueChat: string | null): { valueBefore: string | null; record: boolean } {
  const valueBefore = open ? open.valueBefore : lcaValue;
  return { valueBefore, record: !sameValue(field, valueBefore, valueChat) };
}
