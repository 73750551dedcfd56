import { inspect, parseArgs } from "node:util";
import { exportCards } from "./cards/export.js";
import { formatRetry, listOutbox, retryDead } from "./delivery/outbox-cli.js";
import { ConfigError, loadConfig, secretsOf, LOCALES, type Config, type Locale } from "./config.js";
import { isIsoDate, todayIn } from "./domain/dates.js";
import { loadDemo } from "./demo/load.js";
import { isAppError } from "./errors.js";
import { translator, type MessageKey } from "./i18n.js";
import { ingestFile, SnapshotRefused, type IngestSummary } from "./ingest/ingest.js";
import { refresh } from "./ingest/refresh.js";
import { createLogger, registerSecrets, scrubLine } from "./log.js";
import { connectDatabase, startService } from "./main.js";

const USAGE = `Usage: lca-bot <command> [options]

Commands:
  start                               start the bot (HTTP on PORT, default 3000)
  migrate                             apply pending database migrations and exit
  demo                                load the demo data set (embedded database only)
  ingest FILE [--as-of YYYY-MM-DD] [--json]
                                      apply one LCA snapshot (.xlsx, .csv or .json)
  refresh [--as-of YYYY-MM-DD] [--json]
                                      apply the newest snapshot of the feed (LCA_FEED)
  cards --out DIR [--locale en|ru]    write every card as NAME.LOCALE.adaptive.json and
                                      NAME.LOCALE.slack.json
  outbox                              list pending, failed and dead outbox messages
  outbox retry [ID...]                requeue dead messages (all, or those named)

Settings come from the environment (see README.md).`;

type Command = (args: string[], config: Config) => Promise<number>;

const commands: Record<string, Command> = {
  async start(_args, config) {
    const log = createLogger(config.logLevel);
    // Signals are honoured from the first moment; one arriving during start-up stops the
    // service as soon as it is up, so the database is never closed mid-write.
    let stopping: string | undefined;
    let service: Awaited<ReturnType<typeof startService>> | undefined;
    const stop = async (signal: string) => {
      if (stopping && signal !== "started") return;
      stopping ??= signal;
      if (!service) return;
      log.info({ signal: stopping }, "shutting down");
      await service.stop();
      process.exit(0);
    };
    process.once("SIGTERM", () => void stop("SIGTERM"));
    process.once("SIGINT", () => void stop("SIGINT"));
    service = await startService(config, log);
    if (stopping) await stop("started");
    return new Promise<number>(() => undefined); // runs until a signal
  },

  async migrate(_args, config) {
    const db = await connectDatabase(config, createLogger(config.logLevel));
    await db.close();
    return 0;
  },

  async demo(_args, config) {
    if (config.database.kind !== "embedded") {
      console.error("The demo data set is for the embedded database only; it never goes into PostgreSQL.");
      return 2;
    }
    const db = await connectDatabase(config, createLogger("warn"));
    try {
      const summary = await loadDemo(db, config, todayIn(config.partner.timeZone));
      console.log(`Loaded the demo data set: ${summary.rowsRead} use-case deployments.`);
      return 0;
    } finally {
      await db.close();
    }
  },

  async ingest(args, config) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { "as-of": { type: "string" }, json: { type: "boolean" } } });
    const file = positionals[0];
    if (!file || positionals.length > 1) return usageError("ingest needs exactly one FILE");
    const asOf = parseAsOf(values["as-of"], config);
    if (asOf === undefined) return usageError("--as-of must be a date like 2026-11-23");
    const db = await connectDatabase(config, createLogger("warn"));
    try {
      const summary = await ingestFile(db.pool, file, {
        asOf,
        stallThresholds: config.alerts.stallThresholds,
        reminderDays: config.alerts.reminderDays,
        partnerDomains: config.partner.domains,
        adminEmails: config.partner.admins,
      });
      printSummary(summary, values.json ?? false);
      return 0;
    } finally {
      await db.close();
    }
  },

  async cards(args) {
    const { values } = parseArgs({ args, options: { out: { type: "string" }, locale: { type: "string" } } });
    if (!values.out) return usageError("cards needs --out DIR");
    if (values.locale !== undefined && !(LOCALES as readonly string[]).includes(values.locale)) return usageError("--locale must be en or ru");
    const written = await exportCards(values.out, values.locale ? [values.locale as Locale] : LOCALES);
    console.log(`Wrote ${written.length} files to ${values.out}`);
    return 0;
  },

  async outbox(args, config) {
    const [sub, ...rest] = args;
    if (sub !== undefined && sub !== "retry") return usageError(`Unknown outbox command "${sub}"`);
    const ids = rest.map(Number);
    if (ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) return usageError("outbox retry takes outbox ids, or none for every dead message");
    const db = await connectDatabase(config, createLogger("warn"));
    try {
      console.log(sub === "retry" ? formatRetry(await retryDead(db.pool, { ids })) : (await listOutbox(db.pool)).text);
      return 0;
    } finally {
      await db.close();
    }
  },

  async refresh(args, config) {
    const { values } = parseArgs({ args, options: { "as-of": { type: "string" }, json: { type: "boolean" } } });
    const asOf = parseAsOf(values["as-of"], config);
    if (asOf === undefined) return usageError("--as-of must be a date like 2026-11-23");
    const db = await connectDatabase(config, createLogger("warn"));
    try {
      const outcome = await refresh(db.pool, config, asOf);
      if (outcome.applied) printSummary(outcome.summary, values.json ?? false);
      else if (values.json) console.log(JSON.stringify({ applied: false, reason: outcome.reason, file: outcome.file }));
      else console.log(`Nothing new: ${outcome.file} was applied before.`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

function parseAsOf(value: string | undefined, config: Config): string | undefined {
  if (value === undefined) return todayIn(config.partner.timeZone);
  return isIsoDate(value) ? value : undefined;
}

function usageError(message: string): number {
  console.error(`${message}\n\n${USAGE}`);
  return 2;
}

function printSummary(summary: IngestSummary, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(summary));
    return;
  }
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const entity = (c: { created: number; updated: number; removed: number }) => `${c.created} created, ${c.updated} updated, ${c.removed} removed`;
  console.log(
    [
      `Applied ${summary.source} as of ${summary.asOf}${summary.baseline ? " (baseline: alerts opened, none pushed)" : ""}: ${summary.rowsRead} rows in ${summary.durationMs} ms.`,
      `  customers: ${entity(summary.customers)}`,
      `  deployments: ${entity(summary.deployments)}`,
      `  use-case deployments: ${entity(summary.useCaseDeployments)}`,
      `  stages: ${summary.stageProgressions} progressed, ${summary.stageRegressions} regressed`,
      `  alerts: ${sum(summary.alerts.opened)} opened, ${sum(summary.alerts.resolved)} resolved, ${summary.alerts.reminders} reminders`,
      ...(summary.unknownColumns.length > 0 ? [`  ignored unknown columns: ${summary.unknownColumns.join(", ")}`] : []),
      ...(summary.outsiders.count > 0
        ? [
            `  ${summary.outsiders.count} ${summary.outsiders.count === 1 ? "row names" : "rows name"} a CSM outside PARTNER_DOMAINS: kept as unassigned, nobody outside the partner is messaged; correct them in LCA:`,
            ...summary.outsiders.rows.map((r) => `    row ${r.row}: ${r.deploymentId} ${r.email}`),
            ...(summary.outsiders.count > summary.outsiders.rows.length ? [`    … and ${summary.outsiders.count - summary.outsiders.rows.length} more`] : []),
          ]
        : []),
    ].join("\n"),
  );
}

/** Renders any failure for a person: no stack traces for expected errors. */
function reportError(error: unknown, config: Config | undefined): number {
  // What reaches the terminal passes the same filter as the log: URLs masked, secrets replaced.
  const print = (text: string) => console.error(scrubLine(text));
  if (error instanceof ConfigError) {
    print(error.message);
    return 2;
  }
  const t = translator(config?.partner.defaultLocale ?? "en");
  if (error instanceof SnapshotRefused) {
    print(t(error.messageKey, error.params));
    for (const p of error.problems) {
      print(`  row ${p.row}, ${p.column}: ${t(`ingest.problems.${p.key}` as MessageKey, p.params)}`);
    }
    if (error.problemCount > error.problems.length) print(`  … and ${error.problemCount - error.problems.length} more`);
    return 1;
  }
  if (isAppError(error)) {
    print(t(error.messageKey, error.params));
    return 1;
  }
  print(inspect(error));
  return 1;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) return usageError(`Unknown command "${name}".`);
  let config: Config | undefined;
  try {
    config = loadConfig(process.env);
    registerSecrets(secretsOf(config));
    return await command(args, config);
  } catch (error) {
    return reportError(error, config);
  }
}
