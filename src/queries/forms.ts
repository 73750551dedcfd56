import type { FormRequest } from "../protocol/store.js";
import { alertCardName, type CardViews } from "../protocol/views.js";
import type { AnyCard } from "../protocol/effects.js";
import { alertView, useCaseDetail, type QueryContext } from "./queries.js";


/**
 * The card a form is drawn from, built fresh from the current data when the form opens, or
 * null when its subject is gone. Admins choose an assignee from the CSMs; others assign themselves.
 */
export async function formCard(ctx: QueryContext, request: FormRequest, asAdmin: boolean): Promise<AnyCard | null> {
  switch (request.submits) {
    case "rec.act": {
      const view = await alertView(ctx, request.id);
      if (!view) return null;
      return { card: "form.action", view: { alertId: view.alertId, alertVersion: request.ev ?? view.alertVersion, kind: view.kind, customer: view.customer, useCase: view.useCase } };
    }
    case "alert.note":
    case "alert.snooze": {
      // The alert card's own snooze (or note) form, drawn as for an open alert: whether the
      // alert can still be snoozed is the pipeline's decision when the form is submitted.
      const view = await alertView(ctx, request.id);
      return view ? ({ card: alertCardName(view.kind), view: { ...view, state: { status: "open" } } } as AnyCard) : null;
    }
    case "contact.update": {
      const detail = await useCaseDetail(ctx, request.id);
      if (!detail) return null;
      const partnerContacts = detail.contacts.flatMap((c) =>
        c.source === "partner" && (c.slot === 1 || c.slot === 2) ? [{ slot: c.slot as 1 | 2, email: c.email, name: c.name, barrier: c.barrier }] : [],
      );
      const slot = request.slot === 1 || request.slot === 2 ? request.slot : undefined;
      const view: CardViews["form.contact"] = { useCaseId: request.id, useCaseVersion: request.ev ?? detail.useCase.version, customer: detail.customer, useCase: detail.useCase, partnerContacts, ...(slot ? { slot } : {}) };
      return { card: "form.contact", view };
    }
    case "usecase.assign": {
      const deployment = await ctx.prisma.deployment.findFirst({ where: { id: request.id, active: true }, include: { customer: true, assignedCsm: true } });
      if (!deployment) return null;
      const csms = asAdmin ? await ctx.prisma.csm.findMany({ where: { active: true }, orderBy: { name: "asc" }, select: { name: true, email: true } }) : null;
      const view: CardViews["form.assign"] = {
        deployment: {
          rowId: deployment.id,
          deploymentId: deployment.deploymentId,
          version: request.ev ?? deployment.version,
          installSite: deployment.installSite,
          assignedCsm: deployment.assignedCsm ? { name: deployment.assignedCsm.name, email: deployment.assignedCsm.email } : null,
        },
        customer: { crPartyId: deployment.customer.crPartyId, name: deployment.customer.name },
        csms,
      };
      return { card: "form.assign", view };
    }
  }
}
