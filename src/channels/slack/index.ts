import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { App, ExpressReceiver, SocketModeReceiver, webApi, type AuthorizeResult, type BlockAction, type RespondFn } from "@slack/bolt";
import express, { type Router } from "express";
import type { ConversationDeps } from "../../actions/context.js";
import { handleAction, handleMessage, type CommandStyle } from "../../actions/conversation.js";
import type { View } from "../../cards/blockkit.js";
import { stripMention } from "../../commands/parse.js";
import type { Config } from "../../config.js";
import { AppError } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { ChatChannel } from "../../protocol/channel.js";
import { notice, type Outcome } from "../../protocol/effects.js";
import { createReplayGuard, type ReplayGuard } from "../replay.js";
import { methodNotAllowed } from "../../server/http.js";
import { boltLogger, within, workQueue } from "./bolt.js";
import { createBotName, createIdentities } from "./identity.js";
import { buttonKind, cardThread, clickedAlertMessage, clickedCard, formButton, formOpening, inDirectMessage, mentionText, parseJson, threadOf, type ButtonKind } from "./inbound.js";
import { formValues, parseButtonData, readMetadata, writeMetadata, type MessageSource, type ModalMetadata } from "./modals.js";
import { SLACK_OFF } from "./off.js";
import { createSlackPort, type SlackPort } from "./port.js";
import { createSlackPresenter, modalErrors, REPLY_PLACEMENT, type SlackFile, type SlackWhere } from "./present.js";
import { decodeSlackText } from "./text.js";
import { slackRequestGuard, socketEventReplayMiddleware } from "./verify.js";

export { SLACK_OFF };

/** Where Slack posts slash commands, interactions and events (the manifest's URLs). */
export const SLACK_EVENTS_PATH = "/slack/events";
/** The slash command (slack/manifest.yml). */
export const SLACK_COMMAND = "/lca";
/** Help shows commands as they are typed: "/lca stalled"; in the DM with the bot, just "stalled". */
const COMMAND_STYLE: CommandStyle = { prefix: `${SLACK_COMMAND} ` };
const DM_STYLE: CommandStyle = { prefix: "" };
/** Help also says a mention works in a channel ("@LCA stalled"); in a mention it shows commands so. */
const withMention = (style: CommandStyle, name: string): CommandStyle => ({ ...style, mention: `@${name}` });
const mentionStyle = (name: string): CommandStyle => ({ prefix: `@${name} `, mention: `@${name}` });
/** Clicks handled at once after their acks; more wait their turn (a database connection each, about). */
const CLICK_WORK_CONCURRENCY = 2;
/** A modal submission is answered (errors or close) within this; Slack gives up at 3 s. */
const VIEW_ACK_BUDGET_MS = 2_500;

export interface SlackChannelOptions {
  config: Config;
  deps: ConversationDeps;
  log: Logger;
  /** Requests already handled (default: the processed_event table of deps.db). */
  replay?: ReplayGuard;
}

export interface SlackChannel extends ChatChannel<SlackWhere> {
  readonly name: "slack";
  /** "http": serve `http.router` (POST /slack/events); "socket": Socket Mode, nothing to serve. */
  readonly mode: "http" | "socket";
  /** Delivery: DMs to CSMs, posts to channels, chat.update of sent cards. */
  readonly port: SlackPort;
  /** What the last start() found wrong with the TEAM_SPACES channels (logged, never fatal). */
  readonly teamChannelProblems: readonly string[];
  /** Resolves when every request acknowledged so far has been answered (tests wait on it). */
  idle(): Promise<void>;
}

/**
 * The Slack channel: Bolt verifies each request's signature and the adapter acknowledges at
 * once, then translates commands, clicks and form submits into the pipeline's requests
 * (inbound.ts) and presents its effects (present.ts). Returns undefined (and says so once)
 * when SLACK_BOT_TOKEN is not set.
 */
/** Slack's answers to an upload into a conversation the bot cannot post in. */
const NOT_HERE = new Set(["not_in_channel", "channel_not_found", "is_archived"]);

export function createSlackChannel({ config, deps, log: parentLog, replay }: SlackChannelOptions): SlackChannel | undefined {
  const settings = config.slack;
  if (!settings) {
    parentLog.info(SLACK_OFF);
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
  const presenter = createSlackPresenter({
    port,
    postMessage: async (channel, message, threadTs) =>
      void (await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false, ...(threadTs ? { thread_ts: threadTs } : {}) })),
    postEphemeral: async (channel, user, message, threadTs) =>
      void (await client.chat.postEphemeral({ channel, user, text: message.text, blocks: message.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) })),
    now: deps.now,
    log,
  });
  const { present, viaRespond, viaPost, viaThread, viaResponseUrl, viaCardThread, viaEphemeral } = presenter;
  /**
   * A file goes to the person's DM with the bot, wherever they asked: it may hold what a
   * channel must not read. One meant for the conversation (`here`: the team chart, for
   * admins and leads) goes where they asked (`channel`; in a mention's thread, `threadTs`).
   * Answers the conversation it went to.
   */
  const upload = (userId: string, channel?: string, threadTs?: string) => async (file: SlackFile): Promise<string> => {
    const contents = { file: Buffer.from(file.bytes), filename: file.name, title: file.name, initial_comment: file.comment };
    if (file.here && channel !== undefined) {
      try {
        if (threadTs) await client.filesUploadV2({ ...contents, channel_id: channel, thread_ts: threadTs });
        else await client.filesUploadV2({ ...contents, channel_id: channel });
        return channel;
      } catch (error) {
        // `/lca team` typed in a channel the bot is not in: the person still gets it, in the DM.
        if (!(error instanceof webApi.WebAPIPlatformError && NOT_HERE.has(error.data.error))) throw error;
        log.info({ channel, reason: error.data.error }, "slack: cannot upload into the conversation asked in; uploading into the DM");
      }
    }
    const dm = await port.openDm(userId);
    await client.filesUploadV2({ ...contents, channel_id: dm });
    return dm;
  };

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

  const botName = createBotName(client, () => authorize().then((me) => me.botUserId), log);

  const mode = settings.appToken ? "socket" : "http";
  let socketStarted = false;
  let router: Router | undefined;
  let receiver: ExpressReceiver | SocketModeReceiver;
  const replayGuard = replay ?? createReplayGuard(deps.db.pool, "slack", { log });
  if (settings.appToken) {
    receiver = new SocketModeReceiver({ appToken: settings.appToken, logger: boltLog, installerOptions: { clientOptions: { slackApiUrl: settings.apiUrl } } });
  } else {
    if (!settings.signingSecret) throw new Error("SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN unless SLACK_APP_TOKEN (Socket Mode) is set");
    const http = new ExpressReceiver({
      signingSecret: settings.signingSecret,
      logger: boltLog,
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: false,
      // A click's replay id, checked after its ack (verify.ts, step 5).
      customPropertiesExtractor: (req) => {
        const id = (req as { replayId?: string }).replayId;
        return id ? { replayId: id } : {};
      },
    });
    // Our checks first (future timestamps, replays, JSON answers), then Bolt's own.
    const guarded = express.Router();
    guarded.post(SLACK_EVENTS_PATH, ...slackRequestGuard({ signingSecret: settings.signingSecret, replay: replayGuard, log }));
    guarded.use(http.router as Router);
    guarded.all(SLACK_EVENTS_PATH, methodNotAllowed(["POST"]));
    router = guarded;
    receiver = http;
  }
  const app = new App({ receiver, authorize, logger: boltLog, clientOptions });
  // Over HTTP the guard before Bolt drops replays; over the socket, this does (events only).
  if (settings.appToken) app.use(socketEventReplayMiddleware(replayGuard, log));
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

  // Slash command: ack at once, answer through response_url, visible only to the person.
  app.command(SLACK_COMMAND, async ({ command, ack, respond }) =>
    tracked(async () => {
      await ack();
      const outcome = await handleMessage(deps, await identities(command.user_id), decodeSlackText(command.text ?? ""), withMention(COMMAND_STYLE, await botName()));
      await present(outcome, { reply: viaRespond(respond), placement: "ephemeral", upload: upload(command.user_id, command.channel_id), conversation: command.channel_id });
    }),
  );

  // The DM with the bot: every message is a command (events are acknowledged by Bolt itself).
  app.event("message", async ({ event }) =>
    tracked(async () => {
      if (event.channel_type !== "im" || event.subtype !== undefined || event.bot_id || !event.user) return;
      const outcome = await handleMessage(deps, await identities(event.user), decodeSlackText(stripMention(event.text ?? "", [])), withMention(DM_STYLE, await botName()));
      await present(outcome, { reply: viaPost(event.channel), placement: "ephemeral", upload: upload(event.user, event.channel), conversation: event.channel });
    }),
  );

  // A mention in a channel: the same commands, answered in its thread for the channel to
  // read. The pipeline refuses strangers (lists carry customer data), in the thread too.
  app.event("app_mention", async ({ event, context }) =>
    tracked(async () => {
      if (inDirectMessage(event) || event.subtype !== undefined || event.bot_id || !event.user) return;
      const text = mentionText(event.text, context.botUserId);
      const outcome = await handleMessage(deps, await identities(event.user), text, mentionStyle(await botName()));
      await present(outcome, {
        reply: viaThread(event.channel, threadOf(event)), placement: "ephemeral", upload: upload(event.user, event.channel, threadOf(event)), conversation: event.channel,
        tellPrivately: viaEphemeral(event.channel, event.user, threadOf(event)),
      });
    }),
  );

  /** What clicks do after their ack, a few at a time (see workQueue). */
  const afterAck = workQueue(CLICK_WORK_CONCURRENCY);

  /** A click seen before (the same signed bytes again) is dropped; it was acknowledged like the first. */
  async function firstClick(id: string): Promise<boolean> {
    try {
      if (await replayGuard.firstTime(id)) return true;
      log.info({ id: "signature" }, "slack: request received again, acknowledged and ignored");
    } catch (error) {
      log.error({ err: error }, "slack: cannot record the click's request id (database); the click is dropped");
    }
    return false;
  }

  interface Click {
    body: BlockAction;
    value: unknown;
    respond: RespondFn | undefined;
    source: MessageSource | undefined;
  }

  const answerWith = (outcome: Outcome, respond: RespondFn | undefined, userId: string, source?: MessageSource) => present(outcome, { reply: replyTo(respond, userId, source), placement: "ephemeral" });
  /**
   * A click on an alert card is answered in the card's thread (receipts and refusals alike);
   * any other click on its response_url. A click on the App Home has no response_url (no
   * message to answer under): its answer goes to the DM.
   */
  const replyTo = (respond: RespondFn | undefined, userId: string, source?: MessageSource) => {
    const otherwise = respond ? viaRespond(respond) : viaResponseUrl(undefined, userId);
    const thread = cardThread(source);
    return thread ? viaCardThread(thread, userId, otherwise) : otherwise;
  };

  const BUTTONS: Record<ButtonKind, (click: Click) => Promise<void>> = {
    // Slack opens the link itself; the click is only acknowledged.
    link: async () => undefined,

    submit: async ({ body, value, respond, source }) => {
      const outcome = await handleAction(deps, await identities(body.user.id), value, COMMAND_STYLE, clickedCard(source));
      const name = parseButtonData(value)?.a;
      await present(outcome, { reply: replyTo(respond, body.user.id, source), placement: name ? REPLY_PLACEMENT[name] : "ephemeral" });
    },

    // Opening a form is a request like any other: the pipeline identifies, draws the form
    // from the current data and answers with a form effect, which becomes the modal.
    form: async ({ body, value, respond, source }) => {
      const started = Date.now();
      const data = formButton(parseButtonData(value));
      const opening = data ? formOpening(data) : undefined;
      // A button that names no form is answered as malformed, never run as the action itself.
      const outcome = await handleAction(deps, await identities(body.user.id), opening ?? { a: "form.open", invalid: value }, COMMAND_STYLE);
      const meta: ModalMetadata = { e: { ...data }, ...(source ? { s: source } : {}), r: body.response_url };
      const openModal = async (view: View) => {
        try {
          await client.views.open({ trigger_id: body.trigger_id, view: { ...view, private_metadata: writeMetadata(meta) } });
        } catch (error) {
          // Usually an expired trigger_id (3 s): say so rather than leave the click unanswered.
          const ref = randomUUID().slice(0, 8);
          log.error({ err: error, ref, ms: Date.now() - started, action: data?.a }, "slack views.open failed");
          await answerWith({ locale: outcome.locale, timeZone: outcome.timeZone, effects: [notice("error", { key: "chat.errors.internal", params: { ref } })] }, respond, body.user.id, source);
        }
      };
      await present(outcome, { reply: replyTo(respond, body.user.id, source), placement: "ephemeral", openModal });
    },
  };

  // The App Home tab: the pipeline draws the person's page (a stranger's is the refusal), published as their Home.
  app.event("app_home_opened", async ({ event }) =>
    tracked(async () => {
      if (event.tab !== "home") return;
      const outcome = await handleAction(deps, await identities(event.user), { v: 1, a: "home.open" }, COMMAND_STYLE);
      const publishHome = async (message: { blocks: View["blocks"] }) => {
        const published = await port.publishHomeBlocks(event.user, message.blocks);
        if (!published.ok) log.warn({ reason: published.reason }, "slack: could not publish the Home view");
      };
      await present(outcome, { reply: publishHome, placement: "ephemeral", publishHome });
    }),
  );

  app.action({ type: "block_actions" }, async ({ ack, body, respond, context }) =>
    tracked(async () => {
      // The ack first, before any database work: the replay check of a click comes after it (verify.ts, step 5).
      await ack();
      if (body.type !== "block_actions") return;
      const action = body.actions[0];
      const kind = action?.type === "button" ? buttonKind(action.action_id) : undefined;
      const work = async () => {
        if (typeof context.replayId === "string" && !(await firstClick(context.replayId))) return;
        if (!action || action.type !== "button" || !kind) return;
        await BUTTONS[kind]({ body, value: parseJson(action.value), respond, source: clickedAlertMessage(body) });
      };
      // A form opens with a trigger_id valid for 3 s: it does not wait behind other clicks.
      await (kind === "form" ? work() : afterAck(work));
    }),
  );

  // Modal submissions: errors are answered inside the modal, so the pipeline runs before the
  // ack, within a budget; past it the modal closes and the answer follows as a message.
  app.view({ type: "view_submission" }, async ({ ack, body, view }) =>
    tracked(async () => {
      const meta = readMetadata(view.private_metadata);
      if (!meta) {
        await ack();
        log.warn({ callbackId: view.callback_id }, "slack view_submission without our metadata; closed");
        return;
      }
      const payload = { ...meta.e, ...formValues(view.state.values) };
      const work = identities(body.user.id).then((identity) => handleAction(deps, identity, payload, COMMAND_STYLE, clickedCard(meta.s)));
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
      // The modal's card, if it was an alert card: the receipt goes in its thread, as a click's does.
      const thread = cardThread(meta.s);
      const reply = thread ? viaCardThread(thread, body.user.id, viaResponseUrl(meta.r, body.user.id)) : viaResponseUrl(meta.r, body.user.id);
      await present(early ?? (await work), { reply, placement: "ephemeral" });
    }),
  );

  let teamChannelProblems: string[] = [];

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
    name: "slack",
    mode,
    ...(router ? { http: { path: "/", router } } : {}),
    port,
    present,
    get teamChannelProblems() {
      return teamChannelProblems;
    },
    async start() {
      try {
        const me = await authorize();
        if (settings.appToken && !socketStarted) {
          await app.start();
          socketStarted = true;
        }
        log.info({ team: me.teamId, botUserId: me.botUserId, mode }, mode === "socket" ? "Slack is on (Socket Mode)" : `Slack is on: POST ${SLACK_EVENTS_PATH}`);
      } catch (error) {
        const reason = error instanceof webApi.WebAPIPlatformError ? error.data.error : error instanceof Error ? error.message : String(error);
        throw new AppError("chat.startFailed", { chat: "Slack", reason, settings: settings.appToken ? "SLACK_BOT_TOKEN and SLACK_APP_TOKEN" : "SLACK_BOT_TOKEN" }, error);
      }
      teamChannelProblems = await checkTeamChannels();
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    async stop(deadline = Date.now() + 5_000) {
      if (socketStarted) await app.stop().catch((error: unknown) => log.warn({ err: error }, "slack socket mode did not stop cleanly"));
      socketStarted = false;
      await Promise.race([Promise.allSettled([...inflight]), delay(Math.max(0, deadline - Date.now()))]);
    },
  };
}
