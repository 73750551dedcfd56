import { randomUUID } from "node:crypto";
import { parseCommand, parseErrorMessages } from "../commands/parse.js";
import type { Locale } from "../config.js";
import { reevaluateUseCases } from "../alerts/engine.js";
import { sqlStore } from "../db/store.js";
import { isAppError } from "../errors.js";
import { startCardActionTimer } from "../metrics.js";
import { queryReads, type ConversationDeps } from "./context.js";
import { notice, reply, type Effect, type Outcome } from "../protocol/effects.js";
import { envelopeSchema } from "../protocol/envelope.js";
import { isSendChat, type SendChat } from "../protocol/chats.js";
import type { AlertChange, ClickedCard, ShownCard } from "../protocol/port.js";
import type { CommandStyle, HandlerContext, HandlerName } from "./handlers/context.js";
import { runAction, runCommand } from "./handlers/index.js";
import { welcome, welcomeView, type JoinedSpace } from "./handlers/welcome.js";
import { identify, type Actor, type ChatIdentity } from "./identity.js";

export type { CommandStyle, JoinedSpace };

function refusal(deps: ConversationDeps, reason: "stranger" | "outsideDomain", locale: Locale): Outcome {
  const { partner } = deps.config;
  return { locale, timeZone: partner.timeZone, effects: [notice("warning", { key: `chat.refusal.${reason}`, params: { partner: partner.name, domains: partner.domains.join(", ") } })] };
}

/** One place turns failures into answers: expected errors in the reader's language, the rest logged with a reference. */
async function guarded(deps: ConversationDeps, actor: Actor, style: CommandStyle, what: string, work: (ctx: HandlerContext) => Promise<Effect[]>, origin?: HandlerContext["origin"]): Promise<Outcome> {
  // One event id on every log line of this request, and in the reference a person may quote.
  const eventId = randomUUID();
  const log = deps.log.child({ eventId, csmId: actor.csmId, channel: actor.channel });
  // The one place the Store is built from the database, unless the caller brought its own.
  const store = deps.store ?? sqlStore(deps.db.pool, reevaluateUseCases);
  const ctx: HandlerContext = { actor, store, reads: queryReads(deps), config: deps.config, log, now: deps.now, style, ...(origin ? { origin } : {}) };
  try {
    const effects = await work(ctx);
    return { locale: ctx.actor.locale, timeZone: ctx.actor.timeZone, effects };
  } catch (error) {
    if (isAppError(error)) return { locale: actor.locale, timeZone: actor.timeZone, effects: [notice("error", { key: error.messageKey, params: error.params })] };
    const ref = eventId.slice(0, 8);
    ctx.log.error({ err: error, ref, what }, "conversation failed");
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
  return redrawChanged(deps, actor, parsed.command.kind, await guarded(deps, actor, style, `command:${parsed.command.kind}`, (ctx) => runCommand(ctx, parsed.command, text.trim())));
}

/** The handlers that change what a person's Home shows besides alerts: their settings. */
const CHANGES_SETTINGS: ReadonlySet<HandlerName> = new Set<HandlerName>(["lang", "digest", "quiet", "subscribe", "unsubscribe", "settings.lang", "settings.digest", "settings.unsubscribe"]);

/** The handlers that queue a row or make rows due now: a shown card, rows released when quiet hours change. */
const WAKES_DELIVERY: ReadonlySet<HandlerName> = new Set<HandlerName>(["alert.show", "quiet"]);

/**
 * Every card of what an action changed is redrawn through the outbox, the clicked one
 * first: no chat redraws inline, so pacing and retries hold for the origin chat too. The
 * actor's Home is republished the same way when an alert or their settings changed.
 */
function redrawChanged(deps: ConversationDeps, actor: Actor, handler: HandlerName, outcome: Outcome, clicked?: ClickedCard): Outcome {
  const shown = clicked && isSendChat(actor.channel) ? shownCard(actor, actor.channel, clicked) : undefined;
  const alertIds = new Set(outcome.effects.flatMap((effect) => (effect.type === "refreshAlert" ? [effect.alertId] : [])));
  const change = changeOf(actor, outcome);
  for (const alertId of alertIds) deps.redraw?.(alertId, shown, change);
  if (clicked?.alertId === undefined || !alertIds.has(clicked.alertId)) keepClickedThread(deps, actor.channel, clicked);
  if (alertIds.size > 0 || CHANGES_SETTINGS.has(handler)) deps.redrawHome?.(actor.csmId);
  if (WAKES_DELIVERY.has(handler)) deps.wakeDelivery?.();
  return outcome;
}

/** What the action's receipt says was done, if it changed something (not "already done", not "out of date"). */
function changeOf(actor: Actor, outcome: Outcome): AlertChange | undefined {
  for (const effect of outcome.effects) {
    if (effect.type !== "reply" || effect.card.card !== "receipt") continue;
    const { outcome: done } = effect.card.view;
    if (done.key === "stale" || done.key === "alreadyDone") return undefined;
    return { chat: actor.channel, actorName: actor.name, outcome: done };
  }
  return undefined;
}

/**
 * The answer to the click went under the card, but nothing redraws it now (a refusal, a
 * malformed click, a refused form): the card is marked, so its next redraw keeps the thread.
 */
function keepClickedThread(deps: ConversationDeps, channel: string, clicked: ClickedCard | undefined): void {
  if (clicked?.threaded && clicked.alertId !== undefined && isSendChat(channel)) deps.keepThread?.({ chat: channel, alertId: clicked.alertId, externalId: clicked.externalId });
}

/** Who reads the clicked card: the team of a shared space (its address), else the person who clicked. */
function shownCard(actor: Actor, chat: SendChat, clicked: ClickedCard): ShownCard {
  const { shared, ...card } = clicked;
  return { ...card, chat, destination: shared ? clicked.conversationId : `csm:${actor.csmId}`, csmId: shared ? null : actor.csmId };
}

/**
 * A button click or form submit, on any chat: validate the envelope, identify and
 * authorise the person, run the handler (which audits), answer with effects.
 */
export async function handleAction(deps: ConversationDeps, identity: ChatIdentity, payload: unknown, style: CommandStyle = { prefix: "" }, clicked?: ClickedCard): Promise<Outcome> {
  const who = await identify(deps.db.prisma, deps.config, identity);
  if (!who.ok) {
    keepClickedThread(deps, identity.channel, clicked);
    return refusal(deps, who.reason, who.locale);
  }
  const parsed = envelopeSchema.safeParse(payload);
  if (!parsed.success) {
    deps.log.warn({ issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`), csmId: who.actor.csmId }, "malformed action");
    keepClickedThread(deps, identity.channel, clicked);
    return { locale: who.actor.locale, timeZone: who.actor.timeZone, effects: [notice("error", { key: "chat.errors.malformed" })] };
  }
  const envelope = parsed.data;
  const done = startCardActionTimer({ channel: identity.channel, action: envelope.a });
  const origin = clicked && isSendChat(who.actor.channel) ? shownCard(who.actor, who.actor.channel, clicked) : undefined;
  const outcome = await guarded(deps, who.actor, style, envelope.a, (ctx) => runAction(ctx, envelope), origin && { destination: origin.destination, csmId: origin.csmId });
  done();
  return redrawChanged(deps, who.actor, envelope.a, outcome, clicked);
}

/**
 * The bot was added to a space by `inviter` (undefined: the chat could not say who): it
 * greets the space, in the inviter's language when the inviter is a CSM of the partner. Anyone
 * else gets a short greeting that names whom the bot serves and nothing of what it sends: not
 * the refusal, since the space may well hold CSMs who will use it.
 */
export async function handleJoined(deps: ConversationDeps, inviter: ChatIdentity | undefined, space: JoinedSpace, style: CommandStyle = { prefix: "" }): Promise<Outcome> {
  const who = inviter ? await identify(deps.db.prisma, deps.config, inviter) : undefined;
  if (!who?.ok) {
    const locale = who?.locale ?? deps.config.partner.defaultLocale;
    return { locale, timeZone: deps.config.partner.timeZone, effects: [reply({ card: "welcome", view: welcomeView(deps.config, style, locale, space, false) })] };
  }
  return guarded(deps, who.actor, style, "joined", (ctx) => welcome(ctx, space));
}
