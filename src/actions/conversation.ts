import { randomUUID } from "node:crypto";
import type { Message } from "../protocol/views.js";
import { commandKeyword, helpMessageKeys, parseCommand, parseErrorMessages } from "../commands/parse.js";
import type { Command, CommandName } from "../commands/types.js";
import type { Locale } from "../config.js";
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import { isAppError } from "../errors.js";
import { startCardActionTimer } from "../metrics.js";
import { translator, type MessageKey } from "../i18n.js";
import { addedRecently, contactProblems, findCustomer, findUseCase, mine, stalled, useCaseDetail } from "../queries/queries.js";
import { queryContext, type ConversationDeps } from "./context.js";
import { notice, reply, type Effect, type Outcome } from "../protocol/effects.js";
import { envelopeSchema } from "../protocol/envelope.js";
import type { SendChat } from "../protocol/chats.js";
import type { ClickedCard, ShownCard } from "../protocol/port.js";
import { ACTION_HANDLERS, assignDeployment, type ActionContext, type DataAction } from "./handlers.js";
import { identify, type Actor, type ChatIdentity } from "./identity.js";

/** How the platform shows commands: "stalled" in Webex, "/lca stalled" in Slack. */
export interface CommandStyle {
  prefix: string;
}

type CommandHandler<K extends CommandName> = (ctx: ActionContext, command: Extract<Command, { kind: K }>, text: string, style: CommandStyle) => Promise<Effect[]>;

const COMMAND_HANDLERS: { [K in CommandName]: CommandHandler<K> } = {
  help: async (ctx, c, _text, style) => [helpCard(ctx.actor.locale, style, c.topic)],
  stalled: async (ctx, c, text) => listOrEmpty(await stalled(queryContext(ctx.deps), { filters: c.filters, page: c.page, csmId: ctx.actor.csmId, query: text }), "chat.empty.stalled"),
  new: async (ctx, c, text) => listOrEmpty(await addedRecently(queryContext(ctx.deps), { days: c.days, filters: c.filters, page: c.page, query: text }), "chat.empty.new", { count: c.days }),
  contacts: async (ctx, c, text) => listOrEmpty(await contactProblems(queryContext(ctx.deps), { filters: c.filters, page: c.page, csmId: ctx.actor.csmId, query: text }), "chat.empty.contacts"),
  mine: async (ctx, c, text) => listOrEmpty(await mine(queryContext(ctx.deps), { filters: c.filters, page: c.page, csmId: ctx.actor.csmId, query: text }), "chat.empty.mine"),
  customer: async (ctx, c) => {
    const result = await findCustomer(queryContext(ctx.deps), c.query);
    if ("found" in result) return [reply({ card: "customer.summary", view: result.found })];
    if (result.candidates.length === 0) return [notice("warning", { key: "chat.errors.customerNotFound", params: { query: c.query } })];
    const names = result.candidates.map((m) => `${m.name} (${m.crPartyId})`).join(", ");
    return [notice("info", { key: "chat.errors.customerAmbiguous", params: { query: c.query, names } })];
  },
  usecase: async (ctx, c) => {
    const q = queryContext(ctx.deps);
    if ("id" in c) {
      const view = await useCaseDetail(q, c.id);
      return view ? [reply({ card: "usecase.detail", view })] : [notice("warning", { key: "chat.errors.useCaseNotFound", params: { id: c.id } })];
    }
    const found = await findUseCase(q, c.deploymentId, c.name);
    if ("noDeployment" in found) return [notice("warning", { key: "chat.errors.deploymentNotFound", params: { deploymentId: c.deploymentId } })];
    if ("choose" in found) {
      return [notice("info", { key: "chat.errors.useCaseChoose", params: { deploymentId: c.deploymentId, names: found.choose.join(", "), example: found.choose[0] ?? "" } })];
    }
    if ("noMatch" in found) return [notice("warning", { key: "chat.errors.useCaseNotOnDeployment", params: { deploymentId: c.deploymentId, name: c.name ?? "", names: found.noMatch.join(", ") } })];
    const view = await useCaseDetail(q, found.id);
    return view ? [reply({ card: "usecase.detail", view })] : [notice("warning", { key: "chat.errors.useCaseNotFound", params: { id: found.id } })];
  },
  assign: async (ctx, c) => {
    const deployment = await ctx.deps.db.prisma.deployment.findFirst({ where: { deploymentId: c.deploymentId, active: true } });
    if (!deployment) return [notice("warning", { key: "chat.errors.deploymentNotFound", params: { deploymentId: c.deploymentId } })];
    return assignDeployment(ctx, { rowId: deployment.id, ...(c.to === "me" ? {} : { to: c.to.email }) });
  },
  subscribe: async (ctx, c) => {
    const before = await ctx.deps.db.prisma.subscription.findMany({ where: { csmId: ctx.actor.csmId } });
    const filters = { tags: c.filters.tags, architectures: c.filters.architectures, customers: c.filters.customers };
    const t = translator(ctx.actor.locale);
    const done = notice("success", { key: "chat.done.subscribed", params: { kinds: kindsText(c.kinds, ctx.actor.locale), mode: t(`chat.mode.${c.mode}`) } });
    // The same subscription twice (a repeated or replayed message) is one subscription.
    const sorted = (list: readonly string[] | undefined) => JSON.stringify([...(list ?? [])].sort());
    const same = (s: (typeof before)[number]) => {
      const f = (s.filters ?? {}) as Partial<typeof filters>;
      return s.mode === c.mode && sorted(s.kinds) === sorted(c.kinds) && (["tags", "architectures", "customers"] as const).every((k) => sorted(f[k]) === sorted(filters[k]));
    };
    if (before.some(same)) return [done];
    await ctx.deps.db.prisma.$transaction([
      ctx.deps.db.prisma.subscription.create({ data: { csmId: ctx.actor.csmId, kinds: c.kinds, filters, mode: c.mode } }),
      ctx.deps.db.prisma.auditEntry.create({ data: { csmId: ctx.actor.csmId, channel: ctx.actor.channel, action: "subscribe", entity: "subscription", entityId: String(ctx.actor.csmId), before: before.map((s) => ({ kinds: s.kinds, filters: s.filters, mode: s.mode })), after: { kinds: c.kinds, filters, mode: c.mode } } }),
    ]);
    return [done];
  },
  unsubscribe: async (ctx, c) => {
    const kinds = c.kinds.length === 0 ? [...ALERT_KINDS] : c.kinds;
    const subs = await ctx.deps.db.prisma.subscription.findMany({ where: { csmId: ctx.actor.csmId } });
    await ctx.deps.db.prisma.$transaction([
      ...subs.map((s) => {
        const remaining = s.kinds.filter((k) => !kinds.includes(k as AlertKind));
        return remaining.length === 0 ? ctx.deps.db.prisma.subscription.delete({ where: { id: s.id } }) : ctx.deps.db.prisma.subscription.update({ where: { id: s.id }, data: { kinds: remaining } });
      }),
      ctx.deps.db.prisma.auditEntry.create({ data: { csmId: ctx.actor.csmId, channel: ctx.actor.channel, action: "unsubscribe", entity: "subscription", entityId: String(ctx.actor.csmId), before: subs.map((s) => ({ kinds: s.kinds })), after: { removed: kinds } } }),
    ]);
    return [notice("success", { key: "chat.done.unsubscribed", params: { kinds: kindsText(c.kinds, ctx.actor.locale) } })];
  },
  digest: async (ctx, c) => {
    const csm = await ctx.deps.db.prisma.csm.findUniqueOrThrow({ where: { id: ctx.actor.csmId } });
    const after = { digestEnabled: c.enabled, digestTime: c.time ?? csm.digestTime };
    await ctx.deps.db.prisma.$transaction([
      ctx.deps.db.prisma.csm.update({ where: { id: csm.id }, data: after }),
      ctx.deps.db.prisma.auditEntry.create({ data: { csmId: csm.id, channel: ctx.actor.channel, action: "digest", entity: "csm", entityId: String(csm.id), before: { digestEnabled: csm.digestEnabled, digestTime: csm.digestTime }, after } }),
    ]);
    return [c.enabled ? notice("success", { key: "chat.done.digestOn", params: { time: after.digestTime, timeZone: ctx.actor.timeZone } }) : notice("success", { key: "chat.done.digestOff" })];
  },
  lang: async (ctx, c) => {
    const csm = await ctx.deps.db.prisma.csm.findUniqueOrThrow({ where: { id: ctx.actor.csmId } });
    await ctx.deps.db.prisma.$transaction([
      ctx.deps.db.prisma.csm.update({ where: { id: csm.id }, data: { locale: c.locale } }),
      ctx.deps.db.prisma.auditEntry.create({ data: { csmId: csm.id, channel: ctx.actor.channel, action: "lang", entity: "csm", entityId: String(csm.id), before: { locale: csm.locale }, after: { locale: c.locale } } }),
    ]);
    ctx.actor = { ...ctx.actor, locale: c.locale };
    return [notice("success", { key: "chat.done.lang" })];
  },
  settings: async (ctx) => {
    const { prisma } = ctx.deps.db;
    const csm = await prisma.csm.findUniqueOrThrow({ where: { id: ctx.actor.csmId }, include: { subscriptions: true } });
    const t = translator(ctx.actor.locale);
    const subscriptions = csm.subscriptions.map((s) => `${kindsText(s.kinds as AlertKind[], ctx.actor.locale)} (${t(`chat.mode.${s.mode}`)})`).join("; ") || t("chat.settings.none");
    const { partner } = ctx.deps.config;
    return [
      notice("info", {
        key: "chat.settings.text",
        params: {
          language: t(`chat.language.${ctx.actor.locale}`),
          timeZone: ctx.actor.timeZone,
          digest: csm.digestEnabled ? csm.digestTime : t("chat.settings.off"),
          subscriptions,
          role: t(ctx.actor.isAdmin ? "chat.settings.admin" : "chat.settings.csm"),
          partner: partner.name,
          domains: partner.domains.join(", "),
        },
      }, { key: "chat.settings.title" }),
    ];
  },
};

function kindsText(kinds: readonly AlertKind[], locale: Locale): string {
  const t = translator(locale);
  if (kinds.length === 0 || kinds.length === ALERT_KINDS.length) return t("chat.allKinds");
  return kinds.map((k) => t(`cards.alertKind.${k}`)).join(", ");
}

function listOrEmpty(view: Awaited<ReturnType<typeof stalled>>, emptyKey: MessageKey, params?: Record<string, number>): Effect[] {
  return view.total === 0 ? [notice("info", { key: emptyKey, ...(params ? { params } : {}) })] : [reply({ card: "list", view })];
}

function helpCard(locale: Locale, style: CommandStyle, topic?: CommandName): Effect {
  const keys = helpMessageKeys(topic);
  const commandKeys = keys.filter((k) => k.startsWith("commands.help.commands."));
  const commands = commandKeys.map((key) => {
    const name = key.slice("commands.help.commands.".length) as CommandName;
    return { command: `${style.prefix}${commandKeyword(name, locale)}`, description: { key } as Message };
  });
  return reply({ card: "help", view: { commands, intro: { key: "commands.help.intro" } } });
}

function refusal(deps: ConversationDeps, reason: "stranger" | "outsideDomain", locale: Locale): Outcome {
  const { partner } = deps.config;
  return { locale, timeZone: partner.timeZone, effects: [notice("warning", { key: `chat.refusal.${reason}`, params: { partner: partner.name, domains: partner.domains.join(", ") } })] };
}

/** One place turns failures into answers: expected errors in the reader's language, the rest logged with a reference. */
async function guarded(deps: ConversationDeps, actor: Actor, what: string, work: (ctx: ActionContext) => Promise<Effect[]>): Promise<Outcome> {
  // One event id on every log line of this request, and in the reference a person may quote.
  const eventId = randomUUID();
  const ctx: ActionContext = { deps: { ...deps, log: deps.log.child({ eventId, csmId: actor.csmId, channel: actor.channel }) }, actor };
  try {
    const effects = await work(ctx);
    return { locale: ctx.actor.locale, timeZone: ctx.actor.timeZone, effects };
  } catch (error) {
    if (isAppError(error)) return { locale: actor.locale, timeZone: actor.timeZone, effects: [notice("error", { key: error.messageKey, params: error.params })] };
    const ref = eventId.slice(0, 8);
    ctx.deps.log.error({ err: error, ref, what }, "conversation failed");
    return { locale: actor.locale, timeZone: actor.timeZone, effects: [notice("error", { key: "chat.errors.internal", params: { ref } })] };
  }
}

/** A message typed by a person: identify, parse, answer. */
export async function handleMessage(deps: ConversationDeps, identity: ChatIdentity, text: string, style: CommandStyle = { prefix: "" }): Promise<Outcome> {
  const who = await identify(deps.db.prisma, deps.config, identity);
  if (!who.ok) return refusal(deps, who.reason, who.locale);
  const parsed = parseCommand(text);
  // Someone whose language nobody named (not they, not their chat) is answered in the one they typed in.
  const actor = who.actor.languageKnown ? who.actor : { ...who.actor, locale: parsed.language };
  if (!parsed.ok) {
    return { locale: actor.locale, timeZone: actor.timeZone, effects: parseErrorMessages(parsed).map((m, i) => notice(i === 0 ? "warning" : "info", m)) };
  }
  return redrawChanged(deps, actor, await guarded(deps, actor, `command:${parsed.command.kind}`, (ctx) => runCommand(ctx, parsed.command, text.trim(), style)));
}

/**
 * Every card of what an action changed is redrawn through the outbox, the clicked one
 * first: no chat redraws inline, so pacing and retries hold for the origin chat too.
 */
function redrawChanged(deps: ConversationDeps, actor: Actor, outcome: Outcome, clicked?: ClickedCard): Outcome {
  const shown = clicked && actor.channel !== "preview" ? shownCard(actor, actor.channel, clicked) : undefined;
  const alertIds = new Set(outcome.effects.flatMap((effect) => (effect.type === "refreshAlert" ? [effect.alertId] : [])));
  for (const alertId of alertIds) deps.redraw?.(alertId, shown);
  return outcome;
}

/** Who reads the clicked card: the team of a shared space (its address), else the person who clicked. */
function shownCard(actor: Actor, chat: SendChat, clicked: ClickedCard): ShownCard {
  const { shared, ...card } = clicked;
  return { ...card, chat, destination: shared ? clicked.conversationId : `csm:${actor.csmId}`, csmId: shared ? null : actor.csmId };
}

function runCommand(ctx: ActionContext, command: Command, text: string, style: CommandStyle): Promise<Effect[]> {
  const handler = COMMAND_HANDLERS[command.kind] as CommandHandler<typeof command.kind>;
  return handler(ctx, command as never, text, style);
}

/**
 * A button click or form submit, on any chat: validate the envelope, identify and
 * authorise the person, run the handler (which audits), answer with effects.
 */
export async function handleAction(deps: ConversationDeps, identity: ChatIdentity, payload: unknown, style: CommandStyle = { prefix: "" }, clicked?: ClickedCard): Promise<Outcome> {
  const who = await identify(deps.db.prisma, deps.config, identity);
  if (!who.ok) return refusal(deps, who.reason, who.locale);
  const parsed = envelopeSchema.safeParse(payload);
  if (!parsed.success) {
    deps.log.warn({ issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`), csmId: who.actor.csmId }, "malformed action");
    return { locale: who.actor.locale, timeZone: who.actor.timeZone, effects: [notice("error", { key: "chat.errors.malformed" })] };
  }
  const envelope = parsed.data;
  const done = startCardActionTimer({ channel: identity.channel, action: envelope.a });
  const outcome = await guarded(deps, who.actor, envelope.a, async (ctx) => {
    if (envelope.a === "list.page") {
      const command = parseCommand(envelope.q);
      if (!command.ok || !("page" in command.command)) return [notice("error", { key: "chat.errors.malformed" })];
      return runCommand(ctx, { ...command.command, page: envelope.id }, envelope.q, style);
    }
    const handler = ACTION_HANDLERS[envelope.a] as (c: ActionContext, e: Extract<typeof envelope, { a: DataAction }>) => Promise<Effect[]>;
    return handler(ctx, envelope);
  });
  done();
  return redrawChanged(deps, who.actor, outcome, clicked);
}
