import { z } from "zod";
import { queryContext, type ConversationDeps } from "../../actions/context.js";
import { ACTION_NAMES, type ActionName } from "../../protocol/envelope.js";
import type { Actor } from "../../actions/identity.js";
import { toBlockKit, toModal, type View } from "../../cards/blockkit.js";
import { renderCard, type RenderContext } from "../../cards/render.js";
import { alertCardName } from "../../protocol/views.js";
import { translator } from "../../i18n.js";
import { alertView, useCaseDetail } from "../../queries/queries.js";

/**
 * Forms as Slack modals. A button that opens a form (an Adaptive Card Action.ShowCard, see
 * blockkit.ts) carries its envelope in `value`; the modal is built fresh from the current
 * data when clicked (`views.open` within the 3-second trigger window), and the submitted
 * inputs are merged into that envelope on `view_submission`.
 */

/** What a form button carries: the envelope without the fields the form supplies. */
const buttonData = z.looseObject({
  a: z.enum(ACTION_NAMES),
  id: z.coerce.number().int().positive(),
  ev: z.coerce.number().int().min(0).optional(),
  slot: z.coerce.number().int().min(0).max(2).optional(),
});
export type ButtonData = z.infer<typeof buttonData>;

export function parseButtonData(value: unknown): ButtonData | undefined {
  const parsed = buttonData.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The alert card message a click came from (not ephemeral), to rewrite after the action. */
export interface MessageSource {
  /** channel id */
  c: string;
  /** message ts */
  t: string;
  /** the alert the card shows */
  a?: number;
}

/** `private_metadata` of our modals: the envelope, where it was clicked, and the click's response_url. */
export interface ModalMetadata {
  e: Record<string, unknown>;
  s?: MessageSource;
  r?: string;
}

const metadataSchema = z.object({
  e: z.record(z.string(), z.unknown()),
  s: z.object({ c: z.string(), t: z.string(), a: z.number().optional() }).optional(),
  r: z.string().optional(),
});

const PRIVATE_METADATA_MAX = 3000;

export function writeMetadata(meta: ModalMetadata): string {
  const full = JSON.stringify(meta);
  // The envelope alone always fits (a button value holds at most 2000 characters).
  return full.length <= PRIVATE_METADATA_MAX ? full : JSON.stringify({ e: meta.e });
}

export function readMetadata(text: string | undefined): ModalMetadata | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(text ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON: not one of our modals
  }
}

interface StateValue {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
}

/** The submitted inputs by input id (block ids and action ids are the Adaptive Card input ids). */
export function formValues(values: Record<string, Record<string, StateValue>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const block of Object.values(values)) {
    for (const [id, state] of Object.entries(block)) {
      if (state.selected_options) out[id] = state.selected_options.map((o) => o.value);
      else if (state.selected_option) out[id] = state.selected_option.value;
      else if (typeof state.value === "string" && state.value !== "") out[id] = state.value;
    }
  }
  return out;
}

interface ModalContext {
  deps: ConversationDeps;
  actor: Actor;
  render: RenderContext;
}

type ModalBuilder = (cx: ModalContext, data: ButtonData) => Promise<View | null>;

const cancel = (cx: ModalContext) => ({ cancelLabel: translator(cx.render.locale)("cards.button.cancel") });

/** One builder per action that can be a form: an action added without a decision here fails the type check. */
const MODALS: { [A in ActionName]: ModalBuilder | null } = {
  "rec.act": async (cx, data) => {
    const view = await alertView(queryContext(cx.deps), data.id);
    if (!view) return null;
    const card = renderCard("form.action", { alertId: view.alertId, alertVersion: data.ev ?? view.alertVersion, kind: view.kind, customer: view.customer, useCase: view.useCase }, cx.render);
    return toModal(card, cancel(cx));
  },
  "alert.snooze": async (cx, data) => {
    const view = await alertView(queryContext(cx.deps), data.id);
    if (!view) return null;
    // The alert card's own snooze form. It is built as for an open alert; whether the alert
    // can still be snoozed is the pipeline's decision when the form is submitted.
    const card = renderCard(alertCardName(view.kind), { ...view, state: { status: "open" } }, cx.render);
    return Object.values(toBlockKit(card, cancel(cx)).modals).find((m) => m.callback_id === "alert.snooze") ?? null;
  },
  "contact.update": async (cx, data) => {
    const detail = await useCaseDetail(queryContext(cx.deps), data.id);
    if (!detail) return null;
    const partnerContacts = detail.contacts.flatMap((c) =>
      c.source === "partner" && (c.slot === 1 || c.slot === 2) ? [{ slot: c.slot as 1 | 2, email: c.email, name: c.name, barrier: c.barrier }] : [],
    );
    const slot = data.slot === 1 || data.slot === 2 ? data.slot : undefined;
    const card = renderCard(
      "form.contact",
      { useCaseId: data.id, useCaseVersion: data.ev ?? detail.useCase.version, customer: detail.customer, useCase: detail.useCase, partnerContacts, ...(slot ? { slot } : {}) },
      cx.render,
    );
    return toModal(card, cancel(cx));
  },
  "usecase.assign": async (cx, data) => {
    const deployment = await cx.deps.db.prisma.deployment.findFirst({ where: { id: data.id, active: true }, include: { customer: true, assignedCsm: true } });
    if (!deployment) return null;
    const csms = cx.actor.isAdmin ? await cx.deps.db.prisma.csm.findMany({ where: { active: true }, orderBy: { name: "asc" }, select: { name: true, email: true } }) : null;
    const card = renderCard(
      "form.assign",
      {
        deployment: {
          rowId: deployment.id,
          deploymentId: deployment.deploymentId,
          version: data.ev ?? deployment.version,
          installSite: deployment.installSite,
          assignedCsm: deployment.assignedCsm ? { name: deployment.assignedCsm.name, email: deployment.assignedCsm.email } : null,
        },
        customer: { crPartyId: deployment.customer.crPartyId, name: deployment.customer.name },
        csms,
      },
      cx.render,
    );
    return toModal(card, cancel(cx));
  },
  // Paging is a plain button, never a form.
  "list.page": null,
};

/** The modal for a form button, or null when its subject is gone. */
export async function buildModal(cx: ModalContext, data: ButtonData): Promise<View | null> {
  const builder = MODALS[data.a];
  return builder ? builder(cx, data) : null;
}
