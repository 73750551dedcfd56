import { hostname } from "node:os";
import { weekdaysFromRefreshTime } from "./jobs/cadence.js";
import schedule from "node-schedule";
import type { DeliveryChannel } from "./alerts/routing.js";
import { enqueueDueDigests } from "./alerts/digest.js";
import { validateAllTemplates } from "./cards/validate.js";
import { redactedDatabase, secretsOf, type Config } from "./config.js";
import { openDatabase, type Database } from "./db/database.js";
import { migrate, migrationsApplied } from "./db/migrate.js";
import { syncPartnerSettings } from "./db/partner.js";
import { todayIn } from "./domain/dates.js";
import { isEmpty, loadDemo } from "./demo/load.js";
import { scheduledRefresh } from "./jobs/refresh-job.js";
import { scheduleStaleReminder } from "./jobs/stale-reminder-job.js";
import { scheduleTeamReport } from "./jobs/team-report-job.js";
import { scheduleEscalations } from "./jobs/escalation-job.js";
import { enqueueEscalations } from "./alerts/escalation.js";
import { registerSecrets, type Logger } from "./log.js";
import { startHttpServer, type HttpServer } from "./server/http.js";
import type { ConversationDeps } from "./actions/context.js";
import type { ChannelPort } from "./protocol/port.js";
import { createPreviewChannel, type PreviewChannel } from "./channels/preview/index.js";
import { SLACK_OFF } from "./channels/slack/off.js";
import { createDispatcher } from "./delivery/dispatcher.js";
import { enqueueRedraws } from "./delivery/refresh.js";
import { markThreaded } from "./delivery/thread.js";
import { enqueueHomes } from "./delivery/home.js";
import { isAppError } from "./errors.js";
import { translator } from "./i18n.js";
import type { ChatChannel } from "./protocol/channel.js";
import { CHAT_NAMES, type ChatName } from "./protocol/chats.js";
import type { AlertChange, ShownCard } from "./protocol/port.js";
import { countAlerts, metricsRouter, observeIngest } from "./metrics.js";

export interface Service {
  db: Database;
  http: HttpServer;
  stop(): Promise<void>;
}

/** The chats alerts are delivered to: those configured, and the preview inbox when it is on. */
export function deliveryChannels(config: Config): DeliveryChannel[] {
  return CHAT_NAMES.filter((chat) => CHATS[chat].on(config));
}

/** Opens the database (migrating it), then serves HTTP; the one place that wires things. */
export async function connectDatabase(config: Config, log: Logger): Promise<Database> {
  const started = performance.now();
  const db = await openDatabase(config.database);
  try {
    const migration = await migrate(db.pool);
    await syncPartnerSettings(db.prisma, config);
    log.info(
      { database: redactedDatabase(config.database), migrationsApplied: migration.applied, ms: Math.round(performance.now() - started) },
      migration.applied.length > 0 ? `database ready, applied ${migration.applied.length} migration(s)` : "database ready, nothing to migrate",
    );
    return db;
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

export async function startService(config: Config, log: Logger): Promise<Service> {
  const bootStarted = performance.now();
  // No log line of any logger may carry a configured secret, whatever field it came in.
  registerSecrets(secretsOf(config));
  // A card that does not validate would fail in front of a CSM: refuse to start instead.
  const cardProblems = validateAllTemplates();
  if (cardProblems.length > 0) throw new Error(`The card templates do not validate:\n  ${cardProblems.join("\n  ")}`);
  let connected: Database | undefined; // for readiness, which answers before the database is up
  let started = false;
  let chatsReady = () => false;
  const http = await startHttpServer({
    port: config.port,
    host: config.host,
    log,
    started: () => started,
    readiness: {
      checks: async () => {
        if (!connected) return { database: false, migrations: false, channels: false };
        const database = await connected.pool.query("SELECT 1").then(() => true, () => false);
        return { database, migrations: database && (await migrationsApplied(connected.pool)), channels: chatsReady() };
      },
    },
  });
  const db = await connectDatabase(config, log).catch(async (error: unknown) => {
    await http.close();
    throw error;
  });
  connected = db;
  const channels = deliveryChannels(config);

  if (config.demo && (await isEmpty(db))) {
    const summary = await loadDemo(db, config, todayIn(config.partner.timeZone));
    log.info({ useCaseDeployments: summary.rowsRead }, `empty embedded database: loaded the demo data set (${summary.rowsRead} use-case deployments, 6 CSMs); the first real snapshot you ingest replaces it`);
  }

  let wakeDispatcher = () => undefined as void;
  const redraw = (alertId: number, clicked?: ShownCard, change?: AlertChange) => {
    enqueueRedraws(db.pool, alertId, clicked, change).then(
      (n) => n > 0 && wakeDispatcher(),
      (error: unknown) => log.error({ err: error, alertId }, "could not queue the redraw of an alert's cards"),
    );
  };
  const redrawHome = (csmId: number) => {
    enqueueHomes(db.pool, [csmId]).then(
      (n) => n > 0 && wakeDispatcher(),
      (error: unknown) => log.error({ err: error, csmId }, "could not queue the redraw of a CSM's Home"),
    );
  };
  const keepThread = (card: Pick<ShownCard, "chat" | "alertId" | "externalId">) => {
    markThreaded(db.pool, card).catch((error: unknown) => log.error({ err: error, alertId: card.alertId }, "could not mark a card as heading a thread"));
  };
  const chats = await startChats(config, { db, config, log, now: () => new Date(), redraw, redrawHome, keepThread, wakeDelivery: () => wakeDispatcher() }, http, log);
  chatsReady = chats.ready;

  const dispatcher = createDispatcher({ pool: db.pool, prisma: db.prisma, config, ports: chats.ports, fanOutTo: channels, log: log.child({ component: "delivery" }) });
  dispatcher.start();
  wakeDispatcher = () => dispatcher.wake();
  http.mount("/metrics", metricsRouter({ pool: db.pool, log }));

  const instance = `${hostname()}:${process.pid}`;
  const refreshJob = config.refresh.feed ? scheduleRefresh(config, db, instance, log, () => dispatcher.wake()) : undefined;
  // Every minute: the CSMs whose digest time has come in their own zone get one, once per cluster.
  const digestJob = schedule.scheduleJob("digests", "* * * * *", async (firedAt) => {
    try {
      const enqueued = await enqueueDueDigests(db.pool, { now: firedAt, defaultTimeZone: config.partner.timeZone, channels });
      if (enqueued > 0) {
        log.info({ enqueued }, "daily digests enqueued");
        dispatcher.wake();
      }
    } catch (error) {
      log.error({ err: error }, "digest job failed");
    }
  });
  const staleReminderJob = scheduleStaleReminder(config, db, log, () => dispatcher.wake());
  // Mondays after the refresh: the week's team report to every team space, once per week.
  const teamReportJob = scheduleTeamReport(config, db, log, () => dispatcher.wake());
  const escalationJob = scheduleEscalations(config, db, log, () => dispatcher.wake());
  if (!config.refresh.feed) log.info("no LCA_FEED configured: the daily refresh is off; ingest snapshots with `lca-bot ingest FILE`");

  started = true;
  log.info({ url: http.url, ms: Math.round(performance.now() - bootStarted) }, `lca-bot is up at ${http.url} (health: ${http.url}/healthz)`);
  return {
    db,
    http,
    async stop() {
      refreshJob?.cancel();
      digestJob.cancel();
      staleReminderJob.cancel();
      teamReportJob?.cancel();
      escalationJob.cancel();
      // Stop taking new work, finish or release what is in flight: together, within one timeout.
      await Promise.all([dispatcher.stop(config.delivery.shutdownTimeoutMs), chats.stop(config.delivery.shutdownTimeoutMs)]);
      await http.close();
      await db.close();
    },
  };
}

/** Everything a chat adapter is built from. */
interface ChatContext {
  config: Config;
  deps: ConversationDeps;
  log: Logger;
}

interface ChatEntry {
  /** Whether its settings turn it on. */
  on(config: Config): boolean;
  /** Why it is off, said once at start (empty: the chat says nothing). */
  off: (config: Config) => string;
  create(ctx: ChatContext): Promise<ChatChannel<never, unknown>>;
}

// A chat's adapter loads only when its settings turn it on: Bolt, with Socket Mode's undici,
// is about 50 MB of RSS that a service without Slack would carry for nothing (the Webex
// adapter loads its own SDK when it starts: webex/sdk.ts).
const loadSlack = () => import("./channels/slack/index.js");
const loadWebex = () => import("./channels/webex/index.js");

/**
 * The chats, one entry each: a chat missing here fails the type check (the names come from
 * src/protocol/chats.ts). The only place that knows which settings start which adapter.
 */
const CHATS: { [C in ChatName]: ChatEntry } = {
  webex: {
    on: (config) => config.webex !== undefined,
    off: () => "WEBEX_BOT_TOKEN is not set: the Webex channel is off",
    create: async ({ config, deps, log }) => (await loadWebex()).createWebexChannel({ settings: config.webex!, deps, log }),
  },
  slack: {
    on: (config) => config.slack !== undefined,
    off: () => SLACK_OFF,
    create: async (ctx) => (await loadSlack()).createSlackChannel(ctx)!,
  },
  preview: {
    on: (config) => config.preview.enabled,
    off: () => "",
    create: async ({ config, deps, log }) => createPreviewChannel({ config, deps, log }),
  },
};

interface Chats {
  ports: ChannelPort[];
  /** Every configured chat started (a chat that is off does not count against it). */
  ready(): boolean;
  stop(timeoutMs: number): Promise<void>;
}

/** Every chat that is on: routes mounted, started (and kept trying in the background until it is up). */
async function startChats(config: Config, deps: ConversationDeps, http: HttpServer, log: Logger): Promise<Chats> {
  const ports: ChannelPort[] = [];
  const started: ChatChannel<never, unknown>[] = [];
  const failed = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();

  const keepStarting = async (chat: ChatChannel<never, unknown>): Promise<void> => {
    try {
      await chat.start();
      failed.delete(chat.name);
      log.info({ channel: chat.name }, `${chat.name} channel started`);
    } catch (error) {
      failed.add(chat.name);
      const reason = isAppError(error) ? translator("en")(error.messageKey, error.params) : `${chat.name} could not start; its messages wait in the outbox; trying again in 30 s`;
      log.error({ err: error, channel: chat.name }, reason);
      const timer = setTimeout(() => {
        timers.delete(timer);
        void keepStarting(chat);
      }, 30_000);
      timer.unref();
      timers.add(timer);
    }
  };

  for (const name of CHAT_NAMES) {
    const entry = CHATS[name];
    if (!entry.on(config)) {
      const why = entry.off(config);
      if (why) log.info(why);
      continue;
    }
    const chat = await entry.create({ config, deps, log });
    if (chat.http) http.mount(chat.http.path, chat.http.router);
    await keepStarting(chat);
    if (chat.port) ports.push(chat.port);
    started.push(chat);
    if (chat.name === "preview") {
      const url = (chat as PreviewChannel).url(http.url);
      // Said apart from the URL: a query value in a logged URL is masked.
      const tokenHint = (config.preview.tokens ?? []).length > 0 ? ", with ?token=<the CSM's own token from PREVIEW_TOKENS>" : config.preview.token ? ", with ?token=<PREVIEW_TOKEN>" : "";
      log.info({ url }, `preview inbox: ${url}${tokenHint}`);
    }
  }
  return {
    ports,
    ready: () => failed.size === 0,
    async stop(timeoutMs) {
      timers.forEach((timer) => clearTimeout(timer));
      const deadline = Date.now() + timeoutMs;
      await Promise.all(started.map((chat) => chat.stop(deadline)));
    },
  };
}

/** Escalations follow the day's refresh and its reminders; a failure waits for the escalation job. */
async function escalateAfterRefresh(db: Database, config: Config, log: Logger, now: Date): Promise<void> {
  try {
    const outcome = await enqueueEscalations(db.pool, config, now);
    if (outcome.rows > 0) log.info({ escalated: outcome.escalated, rows: outcome.rows }, "escalations enqueued after the refresh");
  } catch (error) {
    log.error({ err: error }, "escalations after the refresh failed; the escalation job tries again within 30 minutes");
  }
}

/**
 * Monday to Friday from REFRESH_TIME in TIME_ZONE, the LCA cadence; once per cluster. Until
 * the day's new export has been applied, the job looks again every 30 minutes.
 */
function scheduleRefresh(config: Config, db: Database, instance: string, log: Logger, delivered: () => void): schedule.Job {
  const rule = weekdaysFromRefreshTime(config);
  log.info({ at: config.refresh.time, timeZone: config.partner.timeZone }, "daily refresh scheduled, Monday to Friday");
  return schedule.scheduleJob("refresh", rule, async () => {
    const now = new Date();
    const localTime = new Intl.DateTimeFormat("en-GB", { timeZone: config.partner.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(now);
    if (localTime < config.refresh.time) return;
    const today = todayIn(config.partner.timeZone, now);
    try {
      const outcome = await scheduledRefresh(db.pool, config, instance, today);
      if (!outcome.ran) return; // done today, by this or another instance
      if (!outcome.result.applied) log.info({ file: outcome.result.file }, "refresh: nothing new since the last attempt");
      else {
        countAlerts(outcome.result.summary.alerts);
        observeIngest(outcome.result.summary.durationMs, "refresh");
        if (outcome.result.newExport) log.info({ summary: outcome.result.summary }, "refresh applied");
        else log.info({ summary: outcome.result.summary }, "refresh: no new export yet; yesterday's applied for today, looking again in 30 minutes");
        // Right after the snapshot that sent today's reminders (the escalation job's own runs catch the rest).
        await escalateAfterRefresh(db, config, log, now);
        delivered();
      }
    } catch (error) {
      log.error({ err: error }, "refresh failed; trying again in 30 minutes");
    }
  });
}
