import { notice } from "../../protocol/effects.js";
import type { Handler } from "./context.js";
import { mayAssignOthers } from "../identity.js";

/** A form drawn from the current data; its submit comes back as the action it names. */
export const openForm: Handler<"form.open"> = async (ctx, e) => {
  const card = await ctx.reads.formCard({ submits: e.f, id: e.id, ev: e.ev, slot: e.slot }, mayAssignOthers(ctx.actor));
  return card ? [{ type: "form", card, submits: e.f }] : [notice("warning", { key: "chat.errors.notFound" })];
};
