import express, { type Router } from "express";
import { z } from "zod";
import type { ConversationDeps } from "../../actions/context.js";
import { handleAction, handleJoined, handleMessage, type CommandStyle } from "../../actions/conversation.js";
import type { Config } from "../../config.js";
import { inPartnerDomains } from "../../domain/contacts.js";
import type { Logger } from "../../log.js";
import { methodNotAllowed } from "../../server/http.js";
import type { ChatChannel } from "../../protocol/channel.js";
import type { ChannelPort } from "../../protocol/port.js";
import { AppError } from "../../errors.js";
import { commandText, identityOf, mentionsBot, shownAlertId } from "./inbound.js";
import { cardOf, statusOf, type Messages, type Where } from "./messages.js";
import { createWebexPort } from "./port.js";
import { createWebexPresenter } from "./present.js";
import { createReplayGuard, type ReplayGuard } from "../replay.js";
import { KeyedQueue } from "./recent.js";
import { guardPeopleLookup, isFedRamp, loadFramework, type Framework, type WebexMessage, type WebhookHandler } from "./sdk.js";
import { hasValidSignature, sparkSignature } from "./signature.js";

export { createWebexPort } from "./port.js";

/** Where Webex posts events, on the bot's HTTP server. WEBEX_WEBHOOK_URL is the public address of this path. */
export const WEBEX_WEBHOOK_PATH = "/webex/webhook";

export type WebexSettings = NonNullable<Config["webex"]>;

export interface WebexChannelOptions {
  /** config.webex: present when WEBEX_BOT_TOKEN is set. */
  settings: WebexSettings;
  deps: ConversationDeps;
  log: Logger;
  /** How long start() waits for the framework to register the webhooks (default 30 s). */
  startTimeoutMs?: number;
  /** Event ids already handled (default: the processed_event table of deps.db). */
  replay?: ReplayGuard;
}

export interface WebexChannel extends ChatChannel<Where> {
  readonly name: "webex";
  /** POST /webex/webhook, with its own raw-body parser: mounted at the root of the HTTP server, before any body parser. */
  readonly http: { path: "/"; router: Router };
  /** For the outbox dispatcher. */
  readonly port: ChannelPort;
  /** Resolves when every event accepted so far has been handled (tests, shutdown). */
  idle(): Promise<void>;
}

/** What Webex posts: the envelope of an event; the framework fetches the rest. */
const eventSchema = z.looseObject({
  name: z.string(),
  resource: z.string(),
  event: z.string(),
  /** Who did it: for a membership, the person who added the member. */
  actorId: z.string().optional(),
  data: z.looseObject({ id: z.string().min(1), personId: z.string().optional(), roomId: z.string().optional() }),
});

/**
 * The Webex channel, on webex-node-bot-framework in webhook mode. It does four things:
 * verifies (X-Spark-Signature over the raw body, before anything else), acknowledges,
 * translates (a message → handleMessage, a card submit → handleAction) and presents the
 * effects (present.ts). The framework does the rest: it fetches the message or the
 * submitted inputs, finds the space and the sender, and emits the events handled here.
 */
export function createWebexChannel(options: WebexChannelOptions): WebexChannel {
  const { settings, deps } = options;
  const log = options.log.child({ channel: "webex" });
  const replay = options.replay ?? createReplayGuard(deps.db.pool, "webex", { log });
  const spaces = new KeyedQueue();
  const inflight = new Set<Promise<void>>();
  let framework: Framework | undefined;
  let frameworkWebhook: WebhookHandler | undefined;
  let accepting = false;

  const messages = (): Messages => {
    if (!framework?.active) throw new Error("the Webex channel has not started");
    return framework.webex.messages;
  };
  const port = createWebexPort({ messages: () => (framework?.active ? framework.webex.messages : undefined), log });
  const present = createWebexPresenter({ messages, now: deps.now, log });

  function track(work: Promise<void>, what: string): void {
    const done = work.catch((error: unknown) => log.error({ err: error, what }, "webex: handling an event failed"));
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
  }

  const style = (group: boolean): CommandStyle => ({ prefix: group && framework?.person.displayName ? `@${framework.person.displayName} ` : "" });

  /** A message to the bot: in a 1:1 space every message is a command; in a group space only @mentions are. */
  async function onMessage(bot: Framework.Bot, trigger: Framework.Trigger): Promise<void> {
    const message = trigger.message;
    if (!message || !framework) return;
    if (trigger.person.type === "bot") return void log.debug({ roomId: message.roomId }, "webex: message from another bot ignored");
    const group = bot.room.type === "group";
    if (group && !mentionsBot(message, framework.person.id)) return;
    const text = commandText(message, framework.person, group);
    const identity = identityOf(trigger.person);
    const outcome = await handleMessage(deps, identity, text, style(group));
    // In a group space the answer goes in the thread of the question; in a 1:1 space under it.
    // A private file (the LCA workbook) goes to the asker's 1:1 space, only inside the partner.
    const { email } = identity;
    const privately = group && email && inPartnerDomains(email, deps.config.partner.domains) ? { toPersonEmail: email } : undefined;
    await present(outcome, { roomId: message.roomId, parentId: group ? (message.parentId ?? message.id) : message.parentId }, privately);
  }

  /**
   * The bot was added to a space (its own membership created): it greets the space, in the
   * language of the person who added it. A space the bot opened itself, to send a CSM an
   * alert, has nobody to greet: the alert speaks for itself.
   */
  async function onJoined(roomId: string, actorId: string | undefined): Promise<void> {
    if (!framework || !actorId || actorId === framework.person.id) return;
    const room = await framework.webex.rooms.get(roomId);
    const group = room.type === "group";
    const inviter = await framework.webex.people.get(actorId).catch((error: unknown): undefined => {
      log.warn({ err: error, roomId }, "webex: could not look up who added the bot; greeting without their language");
      return undefined;
    });
    const outcome = await handleJoined(deps, inviter ? identityOf(inviter) : undefined, { chat: "webex", address: roomId, group }, style(group));
    await present(outcome, { roomId });
  }

  /** A card submit: the inputs are the envelope the card carried, merged with the form's values. */
  async function onSubmit(bot: Framework.Bot, trigger: Framework.Trigger): Promise<void> {
    const action = trigger.attachmentAction;
    if (!action || !framework) return;
    const group = bot.room.type === "group";
    // The card that was clicked: its thread, and which alert it shows (to replace it).
    const clicked = await framework.webex.messages.get(action.messageId).catch((error: unknown): undefined => {
      if (statusOf(error) !== 404) log.warn({ err: error, messageId: action.messageId }, "webex: could not read the clicked card");
      return undefined;
    });
    const shown = clicked ? shownAlertId(cardOf(clicked), action.inputs) : undefined;
    const shows = shown?.alertId;
    // An alert card's answer (the receipt, a refusal) goes in the card's thread: under its
    // root (Webex threads are one level deep), the root the outbox posts reminders under.
    // The card is marked `threaded`, so its redraw keeps it in place, new state in the thread.
    // A summary is reposted when redrawn, so an answer under it would lose its parent.
    const threaded = clicked !== undefined && shown !== undefined && !shown.many;
    const card = clicked ? { conversationId: clicked.roomId, externalId: clicked.id, ...(shows !== undefined ? { alertId: shows } : {}), shared: group, ...(threaded ? { threaded } : {}) } : undefined;
    const outcome = await handleAction(deps, identityOf(trigger.person), action.inputs ?? {}, style(group), card);
    // Any other card (a list, a use case): its answer stays in the card's thread if it is in one, else at the top.
    await present(outcome, { roomId: action.roomId, parentId: threaded ? (clicked.parentId ?? clicked.id) : clicked?.parentId });
  }

  const router = express.Router();
  router.post(WEBEX_WEBHOOK_PATH, express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
    const raw: unknown = req.body;
    if (!Buffer.isBuffer(raw)) {
      log.error("webex: the webhook body was parsed before the channel saw it; mount the Webex router before any body parser");
      res.status(500).json({ error: "body unavailable" });
      return;
    }
    if (!hasValidSignature(settings.webhookSecret, raw, req.get("x-spark-signature"))) {
      log.warn({ ip: req.ip, signed: req.get("x-spark-signature") !== undefined }, "webex: webhook refused, missing or wrong X-Spark-Signature");
      res.status(401).json({ error: "invalid signature" });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      res.status(400).json({ error: "body is not JSON" });
      return;
    }
    const parsed = eventSchema.safeParse(body);
    if (!parsed.success) {
      res.status(400).json({ error: "not a Webex webhook event" });
      return;
    }
    const event = parsed.data;
    if (!accepting || !framework || !frameworkWebhook) {
      res.status(503).set("Retry-After", "5").json({ error: "starting or stopping" });
      return;
    }
    // Our own posts come back through the "all" webhook: nothing to do, save the lookups.
    if (event.resource === "messages" && event.data.personId === framework.person.id) {
      res.status(200).json({ ok: true });
      return;
    }
    // Webex retries a delivery it thinks failed, and a captured call can be replayed with its
    // valid signature: the same event acts once, across restarts and instances.
    let first: boolean;
    try {
      first = await replay.firstTime(`${event.resource}:${event.event}:${event.data.id}`);
    } catch (error) {
      log.error({ err: error }, "webex: cannot record the event id (database); Webex will retry");
      res.status(503).set("Retry-After", "5").json({ error: "unavailable" });
      return;
    }
    if (!first) {
      log.info({ resource: event.resource, id: event.data.id }, "webex: event received again, ignored");
      res.status(200).json({ ok: true, duplicate: true });
      return;
    }
    // The framework's handler checks a signature of JSON.stringify(body), not of the bytes
    // Webex signed: ours was checked on the raw body above, so it is given one it accepts.
    const handle = frameworkWebhook;
    // Read here, not from the framework's "spawn": a message in a new 1:1 space can spawn its
    // bot first, and the framework then reports the bot's membership as a member entering.
    const joined = event.resource === "memberships" && event.event === "created" && event.data.personId === framework.person.id ? event.data.roomId : undefined;
    if (joined) track(spaces.run(joined, () => onJoined(joined, event.actorId)), "memberships:created");
    const resignedFor = { headers: { "x-spark-signature": sparkSignature(settings.webhookSecret, JSON.stringify(body)) }, body };
    track(handle(resignedFor).then(() => undefined), `${event.resource}:${event.event}`);
    res.status(200).json({ ok: true });
  });

  router.all(WEBEX_WEBHOOK_PATH, methodNotAllowed(["POST"]));

  async function start(): Promise<void> {
    if (framework) throw new Error("the Webex channel is started already");
    const { Framework, webhook } = await loadFramework(settings.apiUrl);
    const fw = new Framework({
      token: settings.botToken,
      webhookUrl: settings.webhookUrl,
      // Given so the webhooks are registered with it; the framework's own check is fed above.
      webhookSecret: settings.webhookSecret,
      // Only ours (named after our host and the bot) are replaced; other webhooks on the token stay.
      removeWebhooksOnStart: false,
      // Spaces are found when they speak, not walked at start.
      maxStartupSpaces: 0,
      messageFormat: "markdown",
      ...(isFedRamp(settings.apiUrl) ? { fedramp: true } : {}),
    });
    // Its own 'error' listener calls console.err, which does not exist.
    fw.removeAllListeners("error");
    fw.on("error", (error: unknown) => log.error({ err: error }, "webex: framework error"));
    fw.on("log", (line: string) => log.debug({ framework: line }, "webex framework"));
    fw.debugger = (line) => log.trace({ framework: line }, "webex framework debug");
    // One event at a time per space, so answers and replaced cards keep their order.
    fw.on("message", (bot: Framework.Bot, trigger: Framework.Trigger) => track(spaces.run(bot.room.id, () => onMessage(bot, trigger)), "message"));
    fw.on("attachmentAction", (bot: Framework.Bot, trigger: Framework.Trigger) => track(spaces.run(bot.room.id, () => onSubmit(bot, trigger)), "attachmentAction"));

    try {
      await fw.start();
    } catch (error) {
      throw new Error(`Webex refused to start the bot (${statusOf(error) ?? "no answer"}): check WEBEX_BOT_TOKEN and WEBEX_API_URL. ${(error as Error).message?.split("\n")[0] ?? ""}`, { cause: error });
    }
    guardPeopleLookup(fw.webex);
    framework = fw;
    frameworkWebhook = webhook(fw);
    try {
      const name = await webhooksRegistered(fw, options.startTimeoutMs ?? 30_000);
      await removeStrayWebhooks(fw.webex, settings.webhookUrl, name, log);
    } catch (error) {
      framework = undefined;
      frameworkWebhook = undefined;
      await fw.stop().catch(() => undefined);
      throw error;
    }
    accepting = true;
    log.info({ bot: fw.email, webhookUrl: settings.webhookUrl }, `webex: ${fw.person.displayName ?? fw.email} is listening at ${settings.webhookUrl}`);
  }

  async function idle(): Promise<void> {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  }

  async function stop(timeoutMs: number = deps.config.delivery.shutdownTimeoutMs): Promise<void> {
    accepting = false;
    const fw = framework;
    if (!fw) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    if (inflight.size > 0) log.warn({ unfinished: inflight.size }, "webex: stopping with events still being handled");
    // framework.stop() deletes our webhooks. Another instance may be serving the same URL
    // (a rolling restart), and our next start replaces them anyway: keep them.
    fw.webex.webhooks.list = async () => ({ items: [] });
    await fw.stop();
    framework = undefined;
    frameworkWebhook = undefined;
  }

  return {
    name: "webex",
    http: { path: "/", router },
    port,
    present,
    async start() {
      try {
        await start();
      } catch (error) {
        throw new AppError("chat.startFailed", { chat: "Webex", reason: (error as Error).message, settings: "WEBEX_BOT_TOKEN, WEBEX_WEBHOOK_URL and WEBEX_API_URL" }, error);
      }
    },
    stop: (deadline = Date.now() + deps.config.delivery.shutdownTimeoutMs) => stop(Math.max(0, deadline - Date.now())),
    idle,
  };
}

/**
 * framework.start() resolves before its webhooks exist and, if creating them fails, only
 * logs it and then ignores every event. Wait until it has both (or has given up).
 */
async function webhooksRegistered(fw: Framework, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hook = fw.webhook;
    if (hook === false) throw new Error("Webex refused to register the bot's webhooks: check WEBEX_WEBHOOK_URL (a public https:// URL) and the token's scopes.");
    if (hook.name && fw.cardsWebhook.id) return hook.name;
    if (Date.now() > deadline) throw new Error(`Webex did not register the bot's webhooks within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Webhooks of this token that post to our URL under another name (left by a bot renamed,
 * or added by hand) would deliver every event twice: they go. Webhooks to any other URL
 * belong to someone else and are never touched.
 */
async function removeStrayWebhooks(sdk: Framework.Sdk, url: string, ours: string, log: Logger): Promise<void> {
  const { items } = await sdk.webhooks.list();
  const strays = items.filter((hook) => hook.targetUrl === url && hook.name !== ours);
  for (const hook of strays) await sdk.webhooks.remove(hook);
  if (strays.length > 0) log.info({ removed: strays.length }, "webex: removed older webhooks to our URL");
}
