import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import {
  App,
  ExpressReceiver,
  LogLevel,
  SocketModeReceiver,
  webApi,
  type AuthorizeResult,
  type BlockAction,
  type Logger as BoltLogger,
  type RespondFn,
} from "@slack/bolt";
import express, { type Router } from "express";
import type { ConversationDeps } from "../../actions/context.js";
import { handleAction, handleMessage, type CommandStyle } from "../../actions/conversation.js";
import { notice, type Effect, type Outcome } from "../../protocol/effects.js";
import type { ActionName } from "../../protocol/envelope.js";
import { identify } from "../../actions/identity.js";
import type { BlockKitMessage } from "../../cards/blockkit.js";
import { stripMention } from "../../commands/parse.js";
import type { Config } from "../../config.js";
import type { Logger } from "../../log.js";
import type { ChannelPort } from "../../protocol/port.js";
import { createReplayGuard, type ReplayGuard } from "../replay.js";
import { methodNotAllowed } from "../../server/http.js";
import { slackRequestGuard, socketEventReplayMiddleware } from "./verify.js";
import { createIdentities } from "./identity.js";
import { buildModal, formValues, parseButtonData, readMetadata, writeMetadata, type MessageSource, type ModalMetadata } from "./modals.js";
import { createSlackPort } from "./port.js";
import { createAlertRefresher, type AlertMessage } from "./refresh.js";
import { messageText, renderBlockKit } from "./render.js";
import { decodeSlackText } from "./text.js";

/** Where Slack posts slash commands, interactions and events (the manifest's URLs). */
export const SLACK_EVENTS_PATH = "/slack/events";
/** The slash command (slack/manifest.yml). */
export const SLACK_COMMAND = "/lca";
/** Help shows commands as they are typed: "/lca stalled"; in the DM with the bot, just "stalled". */
const COMMAND_STYLE: CommandStyle = { prefix: `${SLACK_COMMAND} ` };
const DM_STYLE: CommandStyle = { prefix: "" };
/** A modal submission is answered (errors or close) within this; Slack gives up at 3 s. */
const VIEW_ACK_BUDGET_MS = 2_500;

export interface SlackChannelOptions {
  config: Config;
  deps: ConversationDeps;
  log: Logger;
  /** Requests already handled (default: the processed_event table of deps.db). */
  replay?: ReplayGuard;
}

export interface SlackChannel {
  /** "http": serve `router` (POST /slack/events); "socket": Socket Mode, nothing to serve. */
  readonly mode: "http" | "socket";
  /** Mount at the root of the one HTTP server: it answers POST /slack/events only. */
  readonly router: Router;
  /** Delivery: DMs to CSMs, posts to channels, chat.update of sent cards. */
  readonly port: ChannelPort;
  /** Checks the token (auth.test); in Socket Mode also connects. Never throws: a failure is logged and retried on the next request. */
  start(): Promise<{ ok: true; team: string | undefined; botUserId: string | undefined; problems: string[] } | { ok: false; reason: string }>;
  /** Stops taking events (Socket Mode) and waits for work acknowledged but not finished. */
  stop(timeoutMs?: number): Promise<void>;
}

/** How replies reach the person: `ephemeral` adds a message only they see, `replace` rewrites the one clicked. */
type Placement = "ephemeral" | "replace";
type Reply = (message: BlockKitMessage, placement: Placement) => Promise<void>;

/** Where each action's answer goes: paging rewrites the list in place, the rest add a receipt. */
const REPLY_PLACEMENT: Record<ActionName, Placement> = {
  "rec.act": "ephemeral",
  "contact.update": "ephemeral",
  "usecase.assign": "ephemeral",
  "alert.snooze": "ephemeral",
  "list.page": "replace",
};

type ButtonKind = "link" | "form" | "submit";
/** blockkit.ts names buttons `url.N` (links), `modal.<action>.N` (forms) and `<action>.N` (submits). */
const buttonKind = (actionId: string): ButtonKind => (actionId.startsWith("url.") ? "link" : actionId.startsWith("modal.") ? "form" : "submit");

/**
 * The Slack channel: Bolt verifies each request's signature and the adapter acknowledges at
 * once, then translates commands, clicks and form submits into the pipeline's requests and
 * presents its effects (ephemeral answers, modals, chat.update of alert cards). Returns
 * undefined (and says so once) when SLACK_BOT_TOKEN is not set.
 */
export function createSlackChannel({ config, deps, log: parentLog, replay }: SlackChannelOptions): SlackChannel | undefined {
  const settings = config.slack;
  if (!settings) {
    parentLog.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) to turn it on; see README, section Slack");
    return undefined;
  }
  const log = parentLog.child({ channel: "slack" });
  const boltLog = boltLogger(log);
  const clientOptions = {
    slackApiUrl: settings.apiUrl,
    logger: boltLog,
    // One attempt per call: a 429 comes back at once with its Retry-After and the outbox decides.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 10_000,
  };
  const client = new webApi.WebClient(settings.botToken, clientOptions);
  const port = createSlackPort(client, log);
  const identities = createIdentities(client, log);
  const refresher = createAlertRefresher(deps, port, log);
  const { partner } = config;

  // auth.test once, remembered; a failure is forgotten so the next request tries again.
  let whoAmI: Promise<AuthorizeResult> | undefined;
  const authorize = (): Promise<AuthorizeResult> =>
    (whoAmI ??= client.auth.test().then(
      (r) => ({ botToken: settings.botToken, botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id }),
      (error: unknown) => {
        whoAmI = undefined;
        throw error;
      },
    ));

  const mode = settings.appToken ? "socket" : "http";
  let socketStarted = false;
  let router: Router = express.Router();
  let receiver: ExpressReceiver | SocketModeReceiver;
  if (settings.appToken) {
    receiver = new SocketModeReceiver({ appToken: settings.appToken, logger: boltLog, installerOptions: { clientOptions: { slackApiUrl: settings.apiUrl } } });
  } else {
    if (!settings.signingSecret) throw new Error("SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN unless SLACK_APP_TOKEN (Socket Mode) is set");
    const http = new ExpressReceiver({ signingSecret: settings.signingSecret, logger: boltLog, endpoints: SLACK_EVENTS_PATH, processBeforeResponse: false });
    // Our checks first (future timestamps, replays, JSON answers), then Bolt's own.
    const guarded = express.Router();
    guarded.post(SLACK_EVENTS_PATH, ...slackRequestGuard({ signingSecret: settings.signingSecret, replay: replay ?? createReplayGuard(deps.db.pool, "slack", { log }), log }));
    guarded.use(http.router as Router);
    guarded.all(SLACK_EVENTS_PATH, methodNotAllowed(["POST"]));
    router = guarded;
    receiver = http;
  }
  const app = new App({ receiver, authorize, logger: boltLog, clientOptions });
  // Over HTTP the guard before Bolt drops replays; over the socket, this does (events only).
  if (settings.appToken) app.use(socketEventReplayMiddleware(replay ?? createReplayGuard(deps.db.pool, "slack", { log }), log));
  app.error(async (error) => {
    log.error({ err: error }, "slack listener failed");
  });

  // Work continues after the ack; stop() waits for it.
  const inflight = new Set<Promise<unknown>>();
  const tracked = async (listener: () => Promise<void>): Promise<void> => {
    const work = listener();
    inflight.add(work);
    try {
      await work;
    } finally {
      inflight.delete(work);
    }
  };

  // ---------------------------------------------------------------------------------------
  // Presenting effects

  const viaRespond = (respond: RespondFn): Reply => async (message, placement) => {
    await respond({ response_type: "ephemeral", replace_original: placement === "replace", text: message.text, blocks: message.blocks });
  };

  const viaPost = (channel: string): Reply => async (message) => {
    await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
  };

  /** A modal's answer: to the response_url of the click that opened it, else in the DM. */
  const viaResponseUrl = (url: string | undefined, userId: string): Reply => async (message, placement) => {
    if (url) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ response_type: "ephemeral", replace_original: placement === "replace", text: message.text, blocks: message.blocks }),
      }).catch((error: unknown) => error as Error);
      if (!(response instanceof Error) && response.ok) return;
      log.info({ status: response instanceof Error ? response.message : response.status }, "slack response_url refused the answer; sending it in the DM");
    }
    await viaPost(await port.openDm(userId))(message, "ephemeral");
  };

  interface Presentation {
    reply: Reply;
    placement: Placement;
    /** The alert card message the request came from, to rewrite with the new state. */
    source?: MessageSource;
  }

  const EFFECTS: { [T in Effect["type"]]: (effect: Extract<Effect, { type: T }>, into: { replies: BlockKitMessage[]; alertIds: Set<number> }, outcome: Outcome) => void } = {
    reply: (effect, into, outcome) => {
      into.replies.push(renderBlockKit(effect.card, { locale: outcome.locale, timeZone: outcome.timeZone, now: deps.now() }));
    },
    refreshAlert: (effect, into) => {
      into.alertIds.add(effect.alertId);
    },
    // Slack shows field errors inside the modal (see the view_submission listener); where there
    // is no modal, the handler's accompanying notice says the same.
    fieldErrors: () => undefined,
  };

  async function present(outcome: Outcome, how: Presentation): Promise<void> {
    const into = { replies: [] as BlockKitMessage[], alertIds: new Set<number>() };
    for (const effect of outcome.effects) EFFECTS[effect.type](effect as never, into, outcome);
    for (const [i, message] of into.replies.entries()) {
      // An answer that cannot be delivered (an expired response_url…) must not keep the cards stale.
      await how.reply(message, i === 0 ? how.placement : "ephemeral").catch((error: unknown) => log.warn({ err: error }, "slack: could not deliver an answer"));
    }
    for (const alertId of into.alertIds) {
      const clicked: AlertMessage | undefined =
        how.source && how.source.a === alertId
          ? {
              channel: how.source.c,
              ts: how.source.t,
              // A DM with the bot is the actor's own; a channel card is in the partner's language.
              ...(how.source.c.startsWith("D") ? { locale: outcome.locale, timeZone: outcome.timeZone } : { locale: partner.defaultLocale, timeZone: partner.timeZone }),
            }
          : undefined;
      await refresher(alertId, clicked);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Slash command: ack at once, answer through response_url, visible only to the person.

  app.command(
    SLACK_COMMAND,
    async ({ command, ack, respond }) =>
      tracked(async () => {
        await ack();
        const identity = await identities(command.user_id);
        const outcome = await handleMessage(deps, identity, decodeSlackText(command.text ?? ""), COMMAND_STYLE);
        await present(outcome, { reply: viaRespond(respond), placement: "ephemeral" });
      }),
  );

  // ---------------------------------------------------------------------------------------
  // The DM with the bot: every message is a command (events are acknowledged by Bolt itself).

  app.event(
    "message",
    async ({ event }) =>
      tracked(async () => {
        if (event.channel_type !== "im" || event.subtype !== undefined || event.bot_id || !event.user) return;
        const identity = await identities(event.user);
        const outcome = await handleMessage(deps, identity, decodeSlackText(stripMention(event.text ?? "", [])), DM_STYLE);
        await present(outcome, { reply: viaPost(event.channel), placement: "ephemeral" });
      }),
  );

  // ---------------------------------------------------------------------------------------
  // Buttons

  interface Click {
    body: BlockAction;
    value: unknown;
    respond: RespondFn;
    source: MessageSource | undefined;
  }

  const BUTTONS: Record<ButtonKind, (click: Click) => Promise<void>> = {
    // Slack opens the link itself; the click is only acknowledged.
    link: async () => undefined,

    submit: async ({ body, value, respond, source }) => {
      const identity = await identities(body.user.id);
      const outcome = await handleAction(deps, identity, value, COMMAND_STYLE);
      const name = parseButtonData(value)?.a;
      const placement = name ? REPLY_PLACEMENT[name] : "ephemeral";
      await present(outcome, { reply: viaRespond(respond), placement, ...(source ? { source } : {}) });
    },

    form: async ({ body, value, respond, source }) => {
      const started = Date.now();
      const identity = await identities(body.user.id);
      const who = await identify(deps.db.prisma, config, identity);
      const data = parseButtonData(value);
      if (!who.ok || !data) {
        // The pipeline refuses strangers and malformed envelopes, in the reader's language.
        await present(await handleAction(deps, identity, value, COMMAND_STYLE), { reply: viaRespond(respond), placement: "ephemeral" });
        return;
      }
      const { actor } = who;
      const render = { locale: actor.locale, timeZone: actor.timeZone, now: deps.now() };
      const view = await buildModal({ deps, actor, render }, data);
      if (!view) {
        await present({ locale: actor.locale, timeZone: actor.timeZone, effects: [notice("warning", { key: "chat.errors.notFound" })] }, { reply: viaRespond(respond), placement: "ephemeral" });
        return;
      }
      const meta: ModalMetadata = { e: { ...data }, ...(source ? { s: source } : {}), r: body.response_url };
      try {
        await client.views.open({ trigger_id: body.trigger_id, view: { ...view, private_metadata: writeMetadata(meta) } });
      } catch (error) {
        // Usually an expired trigger_id (3 s): say so rather than leave the click unanswered.
        const ref = randomUUID().slice(0, 8);
        log.error({ err: error, ref, ms: Date.now() - started, action: data.a }, "slack views.open failed");
        await present({ locale: actor.locale, timeZone: actor.timeZone, effects: [notice("error", { key: "chat.errors.internal", params: { ref } })] }, { reply: viaRespond(respond), placement: "ephemeral" });
      }
    },
  };

  app.action(
    { type: "block_actions" },
    async ({ ack, body, respond }) =>
      tracked(async () => {
        await ack();
        if (body.type !== "block_actions") return;
        const action = body.actions[0];
        if (!action || action.type !== "button") return;
        const value = parseJson(action.value);
        await BUTTONS[buttonKind(action.action_id)]({ body, value, respond, source: clickedAlertMessage(body) });
      }),
  );

  // ---------------------------------------------------------------------------------------
  // Modal submissions: errors are answered inside the modal, so the pipeline runs before the
  // ack, within a budget; past it the modal closes and the answer follows as a message.

  app.view(
    { type: "view_submission" },
    async ({ ack, body, view }) =>
      tracked(async () => {
        const meta = readMetadata(view.private_metadata);
        if (!meta) {
          await ack();
          log.warn({ callbackId: view.callback_id }, "slack view_submission without our metadata; closed");
          return;
        }
        const payload = { ...meta.e, ...formValues(view.state.values) };
        const work = identities(body.user.id).then((identity) => handleAction(deps, identity, payload, COMMAND_STYLE));
        let early: Outcome | undefined;
        try {
          early = await within(work, VIEW_ACK_BUDGET_MS);
        } catch (error) {
          await ack();
          throw error;
        }
        const inputIds = new Set(view.blocks.flatMap((b) => (b.type === "input" && b.block_id ? [b.block_id] : [])));
        const errors = early ? modalErrors(early, inputIds) : undefined;
        if (errors) {
          await ack({ response_action: "errors", errors });
          return;
        }
        await ack();
        const outcome = early ?? (await work);
        await present(outcome, { reply: viaResponseUrl(meta.r, body.user.id), placement: "ephemeral", ...(meta.s ? { source: meta.s } : {}) });
      }),
  );

  /** The team channels of TEAM_SPACES: the bot must be a member to post there. Logged, never fatal. */
  async function checkTeamChannels(): Promise<string[]> {
    const problems: string[] = [];
    for (const space of config.teamSpaces.filter((s) => s.channel === "slack")) {
      try {
        const info = await client.conversations.info({ channel: space.address });
        if (info.channel?.is_archived) problems.push(`${space.address} (${space.name}) is archived`);
        else if (info.channel && !info.channel.is_member) problems.push(`the bot is not in ${space.address} (${space.name}): invite it there with /invite`);
      } catch (error) {
        problems.push(`${space.address} (${space.name}): ${error instanceof webApi.WebAPIPlatformError ? error.data.error : String(error)}`);
      }
    }
    for (const problem of problems) log.warn({ problem }, `Slack team channel from TEAM_SPACES: ${problem}`);
    return problems;
  }

  return {
    mode,
    router,
    port,
    async start() {
      try {
        const me = await authorize();
        if (settings.appToken) {
          await app.start();
          socketStarted = true;
        }
        log.info({ team: me.teamId, botUserId: me.botUserId, mode }, mode === "socket" ? "Slack is on (Socket Mode)" : `Slack is on: POST ${SLACK_EVENTS_PATH}`);
        const problems = await checkTeamChannels();
        return { ok: true, team: me.teamId, botUserId: me.botUserId, problems };
      } catch (error) {
        const reason = error instanceof webApi.WebAPIPlatformError ? error.data.error : error instanceof Error ? error.message : String(error);
        log.error({ err: error, reason }, "Slack could not start: check SLACK_BOT_TOKEN (and SLACK_APP_TOKEN); requests are refused until it works");
        return { ok: false, reason };
      }
    },
    async stop(timeoutMs = 5_000) {
      if (socketStarted) await app.stop().catch((error: unknown) => log.warn({ err: error }, "slack socket mode did not stop cleanly"));
      await Promise.race([Promise.allSettled([...inflight]), delay(timeoutMs)]);
    },
  };
}

/** Field errors the modal can show next to its inputs (by block id), in the reader's language. */
function modalErrors(outcome: Outcome, inputIds: ReadonlySet<string>): Record<string, string> | undefined {
  const errors: Record<string, string> = {};
  for (const effect of outcome.effects) {
    if (effect.type !== "fieldErrors") continue;
    for (const [field, message] of Object.entries(effect.errors)) if (inputIds.has(field)) errors[field] = messageText(message, outcome.locale);
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/** The alert card a click came from: a message everyone sees (not ephemeral), and the alert its buttons act on. */
function clickedAlertMessage(body: BlockAction): MessageSource | undefined {
  const container = body.container as { type?: string; is_ephemeral?: boolean; channel_id?: string; message_ts?: string };
  const channel = container.channel_id ?? body.channel?.id;
  const ts = container.message_ts ?? body.message?.ts;
  if (container.type !== "message" || container.is_ephemeral || !channel || !ts) return undefined;
  const blocks = (body.message?.blocks ?? []) as { type?: string; elements?: { value?: string }[] }[];
  for (const block of blocks) {
    if (block.type !== "actions") continue;
    for (const element of block.elements ?? []) {
      const data = parseJson(element.value);
      const envelope = typeof data === "object" && data !== null ? (data as { a?: unknown; id?: unknown; al?: unknown }) : {};
      if ((envelope.a === "rec.act" || envelope.a === "alert.snooze") && typeof envelope.id === "number") return { c: channel, t: ts, a: envelope.id };
      if (envelope.a === "usecase.assign" && typeof envelope.al === "number") return { c: channel, t: ts, a: envelope.al };
    }
  }
  return { c: channel, t: ts };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // the pipeline answers "malformed" for it
  }
}

/** The result if it settles within `ms`, else undefined (the work goes on). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  const timer = new AbortController();
  try {
    return await Promise.race([work, delay(ms, undefined, { signal: timer.signal }).catch(() => undefined)]);
  } finally {
    timer.abort();
  }
}

/** Bolt's and the Web API client's logs, into ours. */
function boltLogger(log: Logger): BoltLogger {
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
  return {
    debug: (...msg) => log.debug(text(msg)),
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
