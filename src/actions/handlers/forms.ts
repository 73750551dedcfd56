import { notice } from "../../protocol/effects.js";
import type { Handler } from "./context.js";

/** A form drawn from the current data; its submit comes back as the action it names. */
export const openForm: Handler<"form.open"> = async (ctx, e) => {
  const card = await ctx.reads.formCard({ submits: e.f, id: e.id, ev: e.ev, slot: e.slot }, ctx.actor.isAdmin);
  return card ? [{ type: "form", card, submits: e.f }] : [notice("warning", { key: "chat.errors.notFound" })];
};
