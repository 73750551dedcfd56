import { commandKeyword, helpMessageKeys } from "../../commands/parse.js";
import type { CommandName, ListScope } from "../../commands/types.js";
import type { MessageKey } from "../../i18n.js";
import { notice, reply, type Effect } from "../../protocol/effects.js";
import type { ListView, Message } from "../../protocol/views.js";
import type { Handler } from "./context.js";
import { mayAssignOthers, type Actor } from "../identity.js";

/** The read-only commands: lists, a customer, a use case, help. */

function listOrEmpty(view: ListView, emptyKey: MessageKey, params?: Record<string, number>): Effect[] {
  return view.total === 0 ? [notice("info", { key: emptyKey, ...(params ? { params } : {}) })] : [reply({ card: "list", view })];
}

export const help: Handler<"help"> = async (ctx, { command }) => {
  const keys = helpMessageKeys(command.topic);
  const commands = keys
    .filter((k) => k.startsWith("commands.help.commands."))
    .map((key) => {
      const name = key.slice("commands.help.commands.".length) as CommandName;
      return { command: `${ctx.style.prefix}${commandKeyword(name, ctx.actor.locale)}`, description: { key } as Message };
    });
  const { mention } = ctx.style;
  const note: Message | undefined = mention ? { key: "commands.help.mention", params: { example: `${mention} ${commandKeyword("stalled", ctx.actor.locale)}` } } : undefined;
  return [reply({ card: "help", view: { commands, intro: { key: "commands.help.intro" }, ...(note ? { note } : {}) } })];
};

/**
 * Whose deployments a list covers: the asker's own, or (admins and team leads, who get the
 * team report and its escalations) the whole partner or the unassigned ones. null: anyone
 * else asked for more than their own.
 */
function owner(actor: Pick<Actor, "csmId" | "isAdmin" | "isTeamLead">, scope: ListScope | undefined): { csmId?: number; unassigned?: boolean } | null {
  if (scope === undefined) return { csmId: actor.csmId };
  if (!mayAssignOthers(actor)) return null;
  return scope === "unassigned" ? { unassigned: true } : {};
}

const EMPTY = {
  stalled: { own: "chat.empty.stalled", all: "chat.empty.stalledAll", unassigned: "chat.empty.stalledUnassigned" },
  contacts: { own: "chat.empty.contacts", all: "chat.empty.contacts", unassigned: "chat.empty.contactsUnassigned" },
} as const satisfies Record<string, Record<ListScope | "own", MessageKey>>;

const notAdminScope: Effect[] = [notice("warning", { key: "chat.errors.notAdminScope" })];

export const stalled: Handler<"stalled"> = async (ctx, { command: c, text }) => {
  const who = owner(ctx.actor, c.scope);
  if (!who) return notAdminScope;
  return listOrEmpty(await ctx.reads.stalled({ filters: c.filters, page: c.page, ...who, query: text }), EMPTY.stalled[c.scope ?? "own"]);
};

export const addedRecently: Handler<"new"> = async (ctx, { command: c, text }) =>
  listOrEmpty(await ctx.reads.addedRecently({ days: c.days, filters: c.filters, page: c.page, query: text }), "chat.empty.new", { count: c.days });

export const contactProblems: Handler<"contacts"> = async (ctx, { command: c, text }) => {
  const who = owner(ctx.actor, c.scope);
  if (!who) return notAdminScope;
  return listOrEmpty(await ctx.reads.contactProblems({ filters: c.filters, page: c.page, ...who, query: text }), EMPTY.contacts[c.scope ?? "own"]);
};

export const mine: Handler<"mine"> = async (ctx, { command: c, text }) =>
  listOrEmpty(await ctx.reads.mine({ filters: c.filters, page: c.page, csmId: ctx.actor.csmId, query: text }), "chat.empty.mine");

export const customer: Handler<"customer"> = async (ctx, { command: c }) => {
  const result = await ctx.reads.findCustomer(c.query);
  if ("found" in result) return [reply({ card: "customer.summary", view: result.found })];
  if (result.candidates.length === 0) return [notice("warning", { key: "chat.errors.customerNotFound", params: { query: c.query } })];
  const names = result.candidates.map((m) => `${m.name} (${m.crPartyId})`).join(", ");
  return [notice("info", { key: "chat.errors.customerAmbiguous", params: { query: c.query, names } })];
};

export const useCase: Handler<"usecase"> = async (ctx, { command: c }) => {
  const detail = async (id: number): Promise<Effect[]> => {
    const view = await ctx.reads.useCaseDetail(id);
    return view ? [reply({ card: "usecase.detail", view })] : [notice("warning", { key: "chat.errors.useCaseNotFound", params: { id } })];
  };
  if ("id" in c) return detail(c.id);
  const found = await ctx.reads.findUseCase(c.deploymentId, c.name);
  if ("noDeployment" in found) return [notice("warning", { key: "chat.errors.deploymentNotFound", params: { deploymentId: c.deploymentId } })];
  if ("choose" in found) {
    return [notice("info", { key: "chat.errors.useCaseChoose", params: { deploymentId: c.deploymentId, names: found.choose.join(", "), example: found.choose[0] ?? "" } })];
  }
  if ("noMatch" in found) return [notice("warning", { key: "chat.errors.useCaseNotOnDeployment", params: { deploymentId: c.deploymentId, name: c.name ?? "", names: found.noMatch.join(", ") } })];
  // Gone between lookup and detail: the use case is what is missing, not the deployment.
  return detail(found.id);
};

/**
 * `history`: what people did on a deployment (when the subject reads as a Deployment ID and
 * one has it) or on every deployment of a customer. Anyone who may ask `customer` or `usecase`
 * may ask this (a CSM of the partner; strangers never reach a handler).
 */
export const history: Handler<"history"> = async (ctx, { command: c }) => {
  if (c.deploymentId) {
    const view = await ctx.reads.deploymentHistory(c.deploymentId);
    if (view) return [reply({ card: "history", view })];
  }
  const found = await ctx.reads.findCustomer(c.query);
  if ("found" in found) {
    const view = await ctx.reads.customerHistory(found.found.customer.crPartyId);
    if (view) return [reply({ card: "history", view })];
  } else if (found.candidates.length > 0) {
    const names = found.candidates.map((m) => `${m.name} (${m.crPartyId})`).join(", ");
    return [notice("info", { key: "chat.errors.customerAmbiguous", params: { query: c.query, names } })];
  }
  return [notice("warning", { key: "chat.errors.historyNotFound", params: { query: c.query } })];
};
