import { z } from "zod";
import { ALERT_KINDS, RECOMMENDATION_ACTIONS } from "../domain/recommendations.js";
import { LOCALES } from "../locale.js";

/**
 * What every card button and form submit carries, on every chat. Kept short: a Slack
 * button value holds at most 2000 characters. `v` is the envelope version; `ev` is the
 * version of the entity the card showed, for optimistic concurrency. Form inputs arrive
 * merged into the same object (Adaptive Cards merge input values by input id).
 */
/** The actions that have a form to fill in before they are submitted. */
export const FORM_ACTIONS = ["rec.act", "contact.update", "usecase.assign", "alert.snooze", "alert.note"] as const;
export type FormAction = (typeof FORM_ACTIONS)[number];

const base = { v: z.literal(1), id: z.coerce.number().int().positive() };
const entityVersion = z.coerce.number().int().min(0);
/**
 * The longest note an envelope carries. The handler refuses a note over NOTE_MAX_CHARACTERS
 * (src/actions/handlers/notes.ts) with a clear error next to the field; this bound only keeps
 * a hostile payload from being parsed at any size.
 */
export const NOTE_ENVELOPE_MAX = 20_000;

const text = (max: number) => z.string().trim().max(max).optional().transform((s) => (s ? s : undefined));

export const envelopeSchema = z.discriminatedUnion("a", [
  /** Take a recommended action on an alert: id = alert id. */
  z.object({ a: z.literal("rec.act"), ...base, ev: entityVersion, act: z.enum(RECOMMENDATION_ACTIONS), comment: text(1000) }),
  /** Add or update a contact: id = use-case deployment id; slot 1 or 2 (partner), 0 = the Cisco contact (refused: read-only), or the first free one. */
  z.object({
    a: z.literal("contact.update"),
    ...base,
    ev: entityVersion,
    slot: z.coerce.number().int().min(0).max(2).optional(),
    name: text(200),
    email: z.string().trim().max(320),
  }),
  /** Assign a deployment: id = deployment row id; `to` = a CSM email (admins), else the actor; `al` = the alert card it came from. */
  z.object({ a: z.literal("usecase.assign"), ...base, ev: entityVersion, to: text(320), al: z.coerce.number().int().positive().optional() }),
  /** Snooze an alert for 1, 7 or 30 days: id = alert id. */
  z.object({ a: z.literal("alert.snooze"), ...base, ev: entityVersion, days: z.coerce.number().pipe(z.union([z.literal(1), z.literal(7), z.literal(30)])) }),
  /** Add a note to an alert, changing nothing else: id = alert id; `note` = the text (checked by the handler). */
  z.object({ a: z.literal("alert.note"), ...base, ev: entityVersion.optional(), note: z.string().max(NOTE_ENVELOPE_MAX).optional() }),
  /** Send the alert's own card to where the summary it is listed on was shown: id = alert id. */
  z.object({ a: z.literal("alert.show"), ...base }),
  /** Show a list page: id = page number (1-based); q = the command text that produced the list. */
  z.object({ a: z.literal("list.page"), ...base, q: z.string().max(500) }),
  /**
   * Open the form of action `f` for entity `id` (Slack shows it as a modal; chats whose cards
   * hold their forms inline never send it). `ev`, `slot` as the form's submit will carry them.
   */
  z.object({ a: z.literal("form.open"), ...base, f: z.enum(FORM_ACTIONS), ev: entityVersion.optional(), slot: z.coerce.number().int().min(0).max(2).optional() }),
  /** Show the person's own Home page (Slack sends it when they open the app's Home tab). */
  z.object({ a: z.literal("home.open"), v: z.literal(1) }),
  /** The Home page's settings controls: the same changes as the `lang`, `digest` and `unsubscribe` commands. */
  z.object({ a: z.literal("settings.lang"), v: z.literal(1), lang: z.enum(LOCALES) }),
  z.object({ a: z.literal("settings.digest"), v: z.literal(1), on: z.boolean(), time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).optional() }),
  z.object({ a: z.literal("settings.unsubscribe"), v: z.literal(1), kind: z.enum(ALERT_KINDS) }),
]);

export type Envelope = z.infer<typeof envelopeSchema>;
export type ActionName = Envelope["a"];
export const ACTION_NAMES = envelopeSchema.options.map((o) => o.shape.a.value) as ActionName[];

/** The alert a card button acts on, read from its envelope: `id` of a step, a snooze, a note or Show card, `al` of an assign. */
export function alertOfButton(data: unknown): number | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const envelope = data as { a?: unknown; id?: unknown; al?: unknown };
  const id = envelope.a === "rec.act" || envelope.a === "alert.snooze" || envelope.a === "alert.show" || envelope.a === "alert.note" ? envelope.id : envelope.a === "usecase.assign" ? envelope.al : undefined;
  return typeof id === "number" && Number.isInteger(id) && id > 0 ? id : undefined;
}

/**
 * The alert a clicked card shows, from the alerts its buttons name: its one alert, or, on a
 * card listing several (a summary), the one whose button was clicked (`many` set).
 */
export function shownAlert(buttons: readonly unknown[], clicked: unknown): { alertId: number; many: boolean } | undefined {
  const ids = new Set(buttons.map(alertOfButton).filter((id): id is number => id !== undefined));
  if (ids.size === 0) return undefined;
  if (ids.size === 1) return { alertId: [...ids][0]!, many: false };
  const chosen = alertOfButton(clicked);
  return chosen !== undefined && ids.has(chosen) ? { alertId: chosen, many: true } : undefined;
}
