import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { exportCards } from "./cards/export.js";
import { formatRetry, listOutbox, retryDead } from "./delivery/outbox-cli.js";
import { ConfigError, loadConfig, secretsOf, LOCALES, type Config, type Locale } from "./config.js";
import { isIsoDate, todayIn } from "./domain/dates.js";
import { loadDemo } from "./demo/load.js";
import { isAppError, type AppError } from "./errors.js";
import { translator, type MessageKey, type Translate } from "./i18n.js";
import { ENCODINGS, parseEncoding } from "./ingest/decode.js";
import { ingestFile, SnapshotRefused, type IngestProgress, type IngestSummary } from "./ingest/ingest.js";
import { refresh } from "./ingest/refresh.js";
import { createLogger, registerSecrets, scrubLine } from "./log.js";
import { connectDatabase, startService } from "./main.js";
import { tuneV8 } from "./runtime.js";
import { printable, printableLines, progressLine } from "./terminal.js";
import { runChanges } from "./writeback/changes-cli.js";

const USAGE = `Usage: lca-bot <command> [options]

Commands:
  start                               start the bot (HTTP on PORT, default 3000)
  migrate                             apply pending database migrations and exit
  demo                                load the demo data set (embedded database only)
  ingest FILE [--as-of YYYY-MM-DD] [--json] [--encoding utf8|cp1251|latin1] [--locale en|ru]
                                      apply one LCA snapshot (.xlsx, .csv or .json)
  refresh [--as-of YYYY-MM-DD] [--json] [--locale en|ru]
                                      apply the newest snapshot of the feed (LCA_FEED)
  cards --out DIR [--locale en|ru]    write every card as NAME.LOCALE.adaptive.json and
                                      NAME.LOCALE.slack.json
  changes [--all] [--json]            list the changes made in chat that wait for LCA
                                      (pending and stale; --all: every status)
  changes --xlsx FILE [--csv FILE]    write the workbook to upload to LCA (and/or as CSV)
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
    const { values, positionals } = parseOptions(args, { allowPositionals: true, options: { "as-of": { type: "string" }, json: { type: "boolean" }, encoding: { type: "string" }, locale: { type: "string" } } });
    const file = positionals[0];
    if (!file || positionals.length > 1) return usageError("ingest needs exactly one FILE");
    const asOf = parseAsOf(values["as-of"], config);
    if (asOf === undefined) return usageError("--as-of must be a date like 2026-11-23");
    checkLocale(values.locale);
    const encoding = values.encoding === undefined ? "utf8" : parseEncoding(values.encoding);
    if (encoding === undefined) return usageError(`--encoding must be one of ${ENCODINGS.join(", ")} (also utf-8, windows-1251, iso-8859-1)`);
    const db = await connectDatabase(config, createLogger("warn"));
    // Progress only for a person at a terminal: with --json, or output going to a file or a
    // pipe, nothing is printed but the result.
    const progress = !values.json && process.stdout.isTTY && process.stderr.isTTY ? progressLine(process.stderr) : undefined;
    try {
      const summary = await ingestFile(db.pool, file, {
        asOf,
        encoding,
        ...(progress ? { onProgress: (p: IngestProgress) => progress.update(p) } : {}),
        stallThresholds: config.alerts.stallThresholds,
        reminderDays: config.alerts.reminderDays,
        batchOver: config.alerts.batchOver,
        partnerDomains: config.partner.domains,
        adminEmails: config.partner.admins,
        writeback: { graceDays: config.writeback.graceDays, timeZone: config.partner.timeZone },
      });
      progress?.end();
      printSummary(summary, values.json ?? false);
      return 0;
    } finally {
      progress?.end();
      await db.close();
    }
  },

  async cards(args) {
    const { values } = parseOptions(args, { options: { out: { type: "string" }, locale: { type: "string" } } });
    if (!values.out) return usageError("cards needs --out DIR");
    if (values.locale !== undefined && !(LOCALES as readonly string[]).includes(values.locale)) return usageError("--locale must be en or ru");
    const written = await exportCards(values.out, values.locale ? [values.locale as Locale] : LOCALES);
    console.log(`Wrote ${written.length} files to ${values.out}`);
    return 0;
  },

  async changes(args, config) {
    const { values } = parseOptions(args, { options: { all: { type: "boolean" }, json: { type: "boolean" }, xlsx: { type: "string" }, csv: { type: "string" }, locale: { type: "string" } } });
    checkLocale(values.locale);
    if (values.xlsx !== undefined) checkTarget("--xlsx", values.xlsx, ".xlsx");
    if (values.csv !== undefined) checkTarget("--csv", values.csv, ".csv");
    if (values.xlsx !== undefined && values.xlsx === values.csv) usageError("--xlsx and --csv need different files");
    const db = await connectDatabase(config, createLogger("warn"));
    try {
      const t = translator((values.locale as Locale | undefined) ?? config.partner.defaultLocale);
      return await runChanges(db.pool, { all: values.all ?? false, json: values.json ?? false, xlsx: values.xlsx, csv: values.csv, t });
    } finally {
      await db.close();
    }
  },

  async outbox(args, config) {
    const [sub, ...rest] = args;
    if (sub !== undefined && sub !== "retry") return usageError(`Unknown outbox command "${sub}"`);
    const ids = rest.map(Number);
    if (ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) return usageError("outbox retry takes outbox ids, or none for every dead message");
    const db = await connectDatabase(config, createLogger("warn"));
    try {
      // Outbox rows quote alert subjects and chat errors, which may carry an export's text.
      console.log(printableLines(sub === "retry" ? formatRetry(await retryDead(db.pool, { ids })) : (await listOutbox(db.pool)).text));
      return 0;
    } finally {
      await db.close();
    }
  },

  async refresh(args, config) {
    const { values } = parseOptions(args, { options: { "as-of": { type: "string" }, json: { type: "boolean" }, locale: { type: "string" } } });
    const asOf = parseAsOf(values["as-of"], config);
    if (asOf === undefined) return usageError("--as-of must be a date like 2026-11-23");
    checkLocale(values.locale);
    const db = await connectDatabase(config, createLogger("warn"));
    try {
      const outcome = await refresh(db.pool, config, asOf);
      if (outcome.applied) printSummary(outcome.summary, values.json ?? false);
      else if (values.json) console.log(JSON.stringify({ applied: false, reason: outcome.reason, file: outcome.file }));
      else console.log(printable(`Nothing new: ${outcome.file} was applied before.`));
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

/** A command line that cannot be run as typed: the message, the usage, exit code 2. */
class UsageError extends Error {
  override readonly name = "UsageError";
}

function usageError(message: string): never {
  throw new UsageError(message);
}

/** A file to write: the extension its format needs, in a folder that exists, not a folder itself. */
function checkTarget(option: string, file: string, extension: string): void {
  if (!file.toLowerCase().endsWith(extension)) usageError(`${option} needs a file name ending in ${extension}`);
  if (!existsSync(path.dirname(path.resolve(file)))) usageError(`${option}: the folder of ${file} does not exist`);
  if (existsSync(file) && statSync(file).isDirectory()) usageError(`${option}: ${file} is a folder`);
}

/** `--locale` picks the language of the command's messages; the default is DEFAULT_LOCALE. */
function checkLocale(locale: string | undefined): void {
  if (locale !== undefined && !(LOCALES as readonly string[]).includes(locale)) usageError("--locale must be en or ru");
}

/** node:util's parseArgs, its refusals (an unknown flag, a missing value) as usage errors. */
function parseOptions<T extends Omit<ParseArgsConfig, "args">>(args: string[], config: T) {
  try {
    return parseArgs({ ...config, args, strict: true });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
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
      `Applied ${summary.source} as of ${summary.asOf}${summary.baseline ? " (baseline: alerts opened, none pushed)" : ""}: ${summary.rowsRead} rows in ${summary.durationMs} ms${summary.rowsUnchanged > 0 ? ` (${summary.rowsUnchanged} as in the last snapshot)` : ""}.`,
      `  customers: ${entity(summary.customers)}`,
      `  deployments: ${entity(summary.deployments)}`,
      `  use-case deployments: ${entity(summary.useCaseDeployments)}`,
      `  stages: ${summary.stageProgressions} progressed, ${summary.stageRegressions} regressed`,
      `  alerts: ${sum(summary.alerts.opened)} opened, ${sum(summary.alerts.resolved)} resolved, ${summary.alerts.reminders} reminders`,
      `  chat changes for LCA: ${summary.changes.confirmed} confirmed, ${summary.changes.overridden} overridden by LCA, ${summary.changes.stale} stale`,
      ...(summary.unknownColumns.length > 0 ? [`  ignored unknown columns: ${summary.unknownColumns.join(", ")}`] : []),
      ...(summary.outsiders.count > 0
        ? [
            `  ${summary.outsiders.count} ${summary.outsiders.count === 1 ? "row names" : "rows name"} a CSM outside PARTNER_DOMAINS: kept as unassigned, nobody outside the partner is messaged; correct them in LCA:`,
            ...summary.outsiders.rows.map((r) => `    row ${r.row}: ${r.deploymentId} ${r.email}`),
            ...(summary.outsiders.count > summary.outsiders.rows.length ? [`    … and ${summary.outsiders.count - summary.outsiders.rows.length} more`] : []),
          ]
        : []),
    ]
      .map(printable) // the file name and the unknown headers come from the export
      .join("\n"),
  );
}

/** How the command line asked to be answered: `--json`, and in which language. */
interface Answer {
  json: boolean;
  t: Translate;
}

/** `--json` and `--locale` as typed, read before (and whether or not) the options parse. */
function answerFor(args: readonly string[], config: Config | undefined): Answer {
  const index = args.findIndex((arg) => arg === "--locale" || arg.startsWith("--locale="));
  const typed = index < 0 ? undefined : args[index]!.includes("=") ? args[index]!.slice("--locale=".length) : args[index + 1];
  const locale = (LOCALES as readonly string[]).includes(typed ?? "") ? (typed as Locale) : (config?.partner.defaultLocale ?? "en");
  return { json: args.includes("--json"), t: translator(locale) };
}

/** Error codes about what the operator handed over (a file, a feed, a setting): exit code 2. */
function isBadInput(error: AppError): boolean {
  return error.code.startsWith("ingest.") || error.code.startsWith("server.");
}

/**
 * Renders any failure for a person: one line per problem, in their language, every text
 * from outside made printable, and never a stack trace (LOG_LEVEL=debug adds it for an
 * unexpected error). With --json the same as one object on stdout. Exit code 2 for bad
 * input (usage, settings, a refused file or feed, a port in use), 1 otherwise.
 */
function reportError(error: unknown, config: Config | undefined, answer: Answer): number {
  const { t, json } = answer;
  // What reaches the terminal passes the same filter as the log: URLs masked, secrets replaced.
  const print = (text: string) => console.error(scrubLine(text));
  const out = (object: Record<string, unknown>) => console.log(scrubLine(JSON.stringify({ applied: false, ...object })));
  if (error instanceof UsageError) {
    if (json) out({ error: { code: "usage", message: error.message } });
    else print(`${printable(error.message)}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof ConfigError) {
    if (json) out({ error: { code: "config", message: error.message, problems: error.problems } });
    else print(printableLines(error.message));
    return 2;
  }
  if (error instanceof SnapshotRefused) {
    const line = (p: SnapshotRefused["problems"][number]) => t(p.column === "" ? "ingest.cli.problemRow" : "ingest.cli.problem", { row: p.row, column: p.column, message: t(`ingest.problems.${p.key}` as MessageKey, p.params) });
    if (json) {
      out({
        error: { code: error.code, message: t(error.messageKey, error.params), params: error.params },
        problems: error.problems.map((p) => ({ ...p, message: t(`ingest.problems.${p.key}` as MessageKey, p.params) })),
        problemCount: error.problemCount,
      });
      return 2;
    }
    print(printable(t(error.messageKey, error.params)));
    for (const p of error.problems) print(`  ${printable(line(p))}`);
    if (error.problemCount > error.problems.length) print(`  ${printable(t("ingest.cli.more", { count: error.problemCount - error.problems.length }))}`);
    return 2;
  }
  if (isAppError(error)) {
    const message = t(error.messageKey, error.params);
    if (json) out({ error: { code: error.code, message, params: error.params } });
    else print(printable(message));
    return isBadInput(error) ? 2 : 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (json) out({ error: { code: "unexpected", message } });
  else print(printable(`lca-bot stopped on an unexpected error: ${message}`) + (config?.logLevel === "debug" || config?.logLevel === "trace" ? `\n${error instanceof Error ? error.stack : ""}` : " (LOG_LEVEL=debug shows where)"));
  return 1;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) return reportError(new UsageError(`Unknown command "${name}".`), undefined, answerFor(args, undefined));
  let config: Config | undefined;
  try {
    config = loadConfig(process.env);
    tuneV8(name, config.database);
    registerSecrets(secretsOf(config));
    return await command(args, config);
  } catch (error) {
    return reportError(error, config, answerFor(args, config));
  }
}
