import { readFileSync } from "node:fs";
import { isIPv4 } from "node:net";
import { z } from "zod";
import { inPartnerDomains } from "./domain/contacts.js";
import { isValidTimeZone } from "./domain/dates.js";
import { DEFAULT_STALL_THRESHOLDS, STAGES, type Stage, type StallThresholds } from "./domain/stages.js";
import { maskUrl, maskUrlsIn, urlSecrets } from "./redact.js";

import { LOCALES, type Locale } from "./locale.js";
import type { SendChat } from "./protocol/chats.js";

export { LOCALES, type Locale };

const csv = (text: string | undefined): string[] =>
  (text ?? "").split(",").map((part) => part.trim()).filter(Boolean);

const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/i;
const EMAIL = z.email();

const port = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time like 06:00");

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", ""], { error: "must be 1 or 0" })
  .transform((v) => v === "1" || v === "true" || v === "yes");

/** The environment as the service reads it: every setting is a string, names are the contract. */
const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z
    .string()
    .trim()
    .refine((v) => !/^[\d.]+$/.test(v) || isIPv4(v), { message: "must be an IP address of this machine (e.g. 0.0.0.0 or 127.0.0.1) or its host name" })
    .refine((v) => /^[\w.:%\-\[\]]+$/.test(v), { message: "must be an IP address of this machine (e.g. 0.0.0.0 or 127.0.0.1) or its host name" })
    .default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a PostgreSQL URL (postgresql://user@host:5432/db); leave it unset for the embedded database")
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  PARTNER_NAME: z.string().trim().min(1, "must not be empty").optional(),
  PARTNER_DOMAINS: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? undefined : csv(v).map((d) => d.toLowerCase())))
    .refine((v) => v === undefined || (v.length > 0 && v.every((d) => DOMAIN.test(d))), {
      message: "must be a comma-separated list of email domains, e.g. partner.example,partner.co.uk",
    }),
  ADMINS: z
    .string()
    .optional()
    .transform((v) => csv(v).map((e) => e.toLowerCase()))
    .refine((list) => list.every((e) => EMAIL.safeParse(e).success), {
      message: "must be a comma-separated list of email addresses",
    }),
  TEAM_LEADS: z
    .string()
    .optional()
    .transform((v) => csv(v).map((e) => e.toLowerCase()))
    .refine((list) => list.every((e) => EMAIL.safeParse(e).success), {
      message: "must be a comma-separated list of email addresses",
    }),
  DEFAULT_LOCALE: z.enum(LOCALES, { error: "must be en or ru" }).default("en"),
  TIME_ZONE: z
    .string()
    .default("UTC")
    .refine(isValidTimeZone, { message: "must be an IANA time zone such as Europe/Berlin" }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  STALL_THRESHOLDS: z
    .string()
    .optional()
    .transform((v, ctx) => parseThresholds(v, ctx)),
  REMINDER_DAYS: z.coerce.number().int().min(1, "must be at least 1 day").default(7),
  // Escalation to the team leads (else the admins): an untouched alert after its reminders, an unclaimed team-space alert.
  ESCALATE_AFTER_DAYS: z.coerce.number().int().min(1, "must be at least 1 day").max(365, "must be at most 365 days").default(14),
  ESCALATE_UNCLAIMED_DAYS: z.coerce.number().int().min(1, "must be at least 1 day").max(365, "must be at most 365 days").default(3),
  // More new alerts than this to one destination in one refresh arrive as one summary card.
  BATCH_OVER: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").default(5),
  // Working days (Mon-Fri in TIME_ZONE) a chat change may wait for LCA before it is stale.
  WRITEBACK_GRACE_DAYS: z.coerce.number().int().min(1, "must be at least 1 working day").max(60, "must be at most 60 working days").default(2),
  REFRESH_TIME: hhmm.default("06:00"),
  LCA_FEED: z
    .string()
    .optional()
    .refine((v) => v === undefined || !/^[a-z]+:\/\//i.test(v) || /^https?:\/\//i.test(v), {
      message: "must be a folder path or an https:// URL",
    }),
  LCA_FEED_MAX_BYTES: z.coerce.number({ error: "must be a number of bytes" }).int("must be a whole number of bytes").min(1024, "must be at least 1024 bytes").default(200 * 1024 * 1024),
  LCA_FEED_TIMEOUT_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int("must be a whole number of milliseconds").min(100, "must be at least 100 ms").default(60_000),
  DEMO: bool.default(true),
  WEBEX_BOT_TOKEN: z.string().min(20, "looks too short for a Webex bot token").optional(),
  WEBEX_WEBHOOK_URL: z.url({ error: "must be the public https:// URL Webex posts to, ending in /webex/webhook" }).optional(),
  WEBEX_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  WEBEX_API_URL: z.url({ error: "must be a URL such as https://webexapis.com/v1" }).default("https://webexapis.com/v1"),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, "must be a bot token (xoxb-…)").optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, "looks too short for a Slack signing secret").optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, "must be an app-level token (xapp-…) for Socket Mode").optional(),
  SLACK_API_URL: z.url({ error: "must be a URL such as https://slack.com/api/" }).default("https://slack.com/api/"),
  TEAM_SPACES: z
    .string()
    .optional()
    .transform((v, ctx) => parseTeamSpaces(v, ctx)),
  PREVIEW: bool.optional(),
  PREVIEW_TOKEN: z.string().min(12, "must be at least 12 characters").optional(),
  PREVIEW_TOKENS: z
    .string()
    .optional()
    .transform((v, ctx) => parsePreviewTokens(v, ctx)),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  LCA_PORTAL_URL: z.url({ error: "must be the https:// address of the LCA Customer Success portal" }).default("https://lifecycleadvantage.cisco.com/customer-success/use-cases"),
});

export interface TeamSpaceSetting {
  channel: SendChat;
  address: string;
  name: string;
}

/** "webex:<roomId>=Team name, slack:C0123=Team" → team spaces that receive unassigned alerts. */
function parseTeamSpaces(text: string | undefined, ctx: z.RefinementCtx): TeamSpaceSetting[] {
  const spaces: TeamSpaceSetting[] = [];
  for (const item of csv(text)) {
    const m = /^(webex|slack):([^=\s]+)(?:=(.+))?$/.exec(item);
    if (!m) {
      ctx.addIssue({ code: "custom", message: `"${item}" is not webex:<roomId>[=name] or slack:<channelId>[=name]` });
      continue;
    }
    spaces.push({ channel: m[1] as SendChat, address: m[2]!, name: m[3]?.trim() || m[2]! });
  }
  return spaces;
}

/** A preview token bound to one CSM: it opens that CSM's inbox and acts as them, nobody else. */
export interface PreviewTokenSetting {
  email: string;
  token: string;
}

export const PREVIEW_TOKEN_MIN_LENGTH = 16;

/**
 * "anna@partner.example:<token>, james@partner.example:<token>". Problems name the entry by
 * its position and email, never by its token. Domains are checked against PARTNER_DOMAINS
 * once those are known (loadConfig).
 */
function parsePreviewTokens(text: string | undefined, ctx: z.RefinementCtx): PreviewTokenSetting[] {
  const out: PreviewTokenSetting[] = [];
  const seen = new Set<string>();
  csv(text).forEach((item, i) => {
    const colon = item.indexOf(":");
    const email = (colon >= 0 ? item.slice(0, colon) : "").trim().toLowerCase();
    const token = colon >= 0 ? item.slice(colon + 1).trim() : "";
    const entry = `entry ${i + 1}${email && EMAIL.safeParse(email).success ? ` (${email})` : ""}`;
    if (colon < 0 || !EMAIL.safeParse(email).success) {
      ctx.addIssue({ code: "custom", message: `${entry} is not email:token (e.g. anna@partner.example:$(openssl rand -hex 24))` });
      return;
    }
    if (token.length < PREVIEW_TOKEN_MIN_LENGTH) {
      ctx.addIssue({ code: "custom", message: `${entry}: the token must be at least ${PREVIEW_TOKEN_MIN_LENGTH} characters` });
      return;
    }
    if (seen.has(token)) {
      ctx.addIssue({ code: "custom", message: `${entry}: the same token is given twice; each CSM needs a token of their own` });
      return;
    }
    seen.add(token);
    out.push({ email, token });
  });
  return out;
}

/** "implement=40, optimize=none, Campus Network/implement=30": per stage, optionally per solution domain. */
function parseThresholds(text: string | undefined, ctx: z.RefinementCtx): StallThresholds {
  const thresholds: StallThresholds = { ...DEFAULT_STALL_THRESHOLDS };
  for (const pair of csv(text)) {
    const m = /^(?:(.+?)\s*\/\s*)?([a-z]+)\s*=\s*(\d+|none)$/i.exec(pair);
    const stage = m?.[2]?.toLowerCase();
    if (!m || !stage || !(STAGES as readonly string[]).includes(stage)) {
      ctx.addIssue({ code: "custom", message: `"${pair}" is not stage=days or Solution Domain/stage=days (e.g. implement=45, optimize=none, Campus Network/implement=30)` });
      continue;
    }
    const days = m[3]!.toLowerCase() === "none" ? null : Number(m[3]);
    if (m[1]) {
      thresholds.domains = { ...thresholds.domains, [m[1]]: { ...thresholds.domains?.[m[1]], [stage]: days } };
    } else {
      thresholds[stage as Stage] = days;
    }
  }
  return thresholds;
}

export type Env = Record<string, string | undefined>;

export type DatabaseConfig = { kind: "embedded"; dataDir: string } | { kind: "postgres"; url: string };

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  partner: {
    name: string;
    domains: string[];
    admins: string[];
    /** Team leads (TEAM_LEADS): get the `team` report and escalations, and may assign others, like admins; each must be in PARTNER_DOMAINS. */
    teamLeads: string[];
    defaultLocale: Locale;
    timeZone: string;
  };
  /** batchOver: more new alerts than this to one destination in one refresh become one summary card. */
  alerts: { stallThresholds: StallThresholds; reminderDays: number; batchOver: number };
  /**
   * Escalation (src/alerts/escalation.ts): days before an untouched alert (step 1) or an
   * unclaimed team-space alert (step 2) goes to the team leads, or to the admins without any.
   */
  escalation: { afterDays: number; unclaimedDays: number };
  /** Chat changes waiting for LCA: working days before one is stale. */
  writeback: { graceDays: number };
  /** The feed and, for an HTTPS one, the download's size limit and timeout. */
  refresh: { time: string; feed: string | undefined; feedMaxBytes: number; feedTimeoutMs: number };
  /** Load the demo data set into an empty embedded database at start. */
  demo: boolean;
  /** "Open in LCA" links point here, with ?deploymentId=…. */
  lcaPortalUrl: string;
  /** Off (undefined) without WEBEX_BOT_TOKEN. */
  webex: { botToken: string; webhookUrl: string; webhookSecret: string; apiUrl: string } | undefined;
  /** Off (undefined) without SLACK_BOT_TOKEN. */
  slack: { botToken: string; signingSecret: string | undefined; appToken: string | undefined; apiUrl: string } | undefined;
  teamSpaces: TeamSpaceSetting[];
  /**
   * The preview inbox: on by default on the embedded database; on PostgreSQL only with
   * PREVIEW=1, and then behind PREVIEW_TOKENS (each token acts as one CSM) or the older
   * single PREVIEW_TOKEN (anyone holding it picks any CSM).
   */
  preview: { enabled: boolean; token: string | undefined; tokens?: readonly PreviewTokenSetting[] };
  delivery: { maxAttempts: number; shutdownTimeoutMs: number };
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
}

/** The demo partner, used only on the embedded database so `npm start` works with no settings. */
const DEMO_PARTNER = { name: "Partner Example Ltd", domains: ["partner.example"] };

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `lca-bot cannot start: the configuration is invalid.\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
        "Set these as environment variables (or in the JSON file named by LCA_CONFIG); see README.md.",
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Reads LCA_CONFIG (a JSON object of the same names) under the environment, which wins. */
function withConfigFile(env: Env): { merged: Env; problems: string[] } {
  const file = env.LCA_CONFIG;
  if (!file) return { merged: env, problems: [] };
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    const fileValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).parse(parsed);
    const asStrings = Object.fromEntries(Object.entries(fileValues).map(([k, v]) => [k, String(v)]));
    return { merged: { ...asStrings, ...env }, problems: [] };
  } catch (error) {
    // JSON.parse quotes the text around a syntax error, which may be a token: say where, not what.
    const reason = error instanceof SyntaxError ? "not valid JSON" : maskUrlsIn((error as Error).message);
    return { merged: env, problems: [`LCA_CONFIG: cannot read ${file} as a JSON object of settings (${reason})`] };
  }
}

/** Parses every setting at once; throws one ConfigError naming each bad setting. */
export function loadConfig(env: Env = process.env): Config {
  const { merged, problems } = withConfigFile(env);
  // Empty strings mean "unset": shells and .env files produce them for blank settings.
  const cleaned = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join(".") || "environment";
      const got = typeof issue.path[0] === "string" ? cleaned[issue.path[0]] : undefined;
      const secret = /TOKEN|SECRET|PASSWORD|DATABASE_URL/.test(name);
      problems.push(`${name}: ${issue.message}${got !== undefined && !secret ? ` (got "${maskUrlsIn(got)}")` : ""}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  const database: DatabaseConfig = e.DATABASE_URL ? { kind: "postgres", url: e.DATABASE_URL } : { kind: "embedded", dataDir: e.DATA_DIR };
  if (database.kind === "postgres") {
    // A production database must say whose data it holds: the contact rules depend on the domains.
    if (!e.PARTNER_NAME) problems.push("PARTNER_NAME: required with DATABASE_URL (the partner's name, e.g. \"Acme Networks\")");
    if (!e.PARTNER_DOMAINS) problems.push("PARTNER_DOMAINS: required with DATABASE_URL (the partner's email domains, comma-separated)");
  }
  if (e.WEBEX_BOT_TOKEN) {
    if (!e.WEBEX_WEBHOOK_URL) problems.push("WEBEX_WEBHOOK_URL: required with WEBEX_BOT_TOKEN (the public URL of /webex/webhook)");
    if (!e.WEBEX_WEBHOOK_SECRET) problems.push("WEBEX_WEBHOOK_SECRET: required with WEBEX_BOT_TOKEN (signs Webex's webhook calls)");
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    problems.push("SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (or SLACK_APP_TOKEN for Socket Mode)");
  }
  const previewEnabled = e.PREVIEW ?? database.kind === "embedded";
  const domains = e.PARTNER_DOMAINS ?? DEMO_PARTNER.domains;
  const outsideAdmins = e.ADMINS.filter((email) => !inPartnerDomains(email, domains));
  if (outsideAdmins.length > 0) {
    // Admins get delivery notices and escalations with customer data: only the partner's own people.
    problems.push(`ADMINS: ${outsideAdmins.join(", ")} ${outsideAdmins.length === 1 ? "is" : "are"} not in PARTNER_DOMAINS (${domains.join(", ")}); admins must be the partner's own people`);
  }
  const outsideLeads = e.TEAM_LEADS.filter((email) => !inPartnerDomains(email, domains));
  if (outsideLeads.length > 0) {
    // Team leads get the team report and escalations with customer data, and may assign others: only the partner's own people.
    problems.push(`TEAM_LEADS: ${outsideLeads.join(", ")} ${outsideLeads.length === 1 ? "is" : "are"} not in PARTNER_DOMAINS (${domains.join(", ")}); team leads must be the partner's own people`);
  }
  if (previewEnabled && database.kind === "postgres" && !e.PREVIEW_TOKEN && e.PREVIEW_TOKENS.length === 0) {
    problems.push("PREVIEW_TOKENS: required with PREVIEW=1 on PostgreSQL (the preview shows customer data): email:token pairs, one per CSM (or the older single PREVIEW_TOKEN)");
  }
  e.PREVIEW_TOKENS.forEach(({ email }, i) => {
    if (!inPartnerDomains(email, domains)) problems.push(`PREVIEW_TOKENS: entry ${i + 1} (${email}) is not in PARTNER_DOMAINS (${domains.join(", ")})`);
  });
  if (e.PREVIEW_TOKEN && e.PREVIEW_TOKENS.some((t) => t.token === e.PREVIEW_TOKEN)) {
    problems.push("PREVIEW_TOKENS: a token equals PREVIEW_TOKEN; a token bound to a CSM must differ from the shared one");
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port: e.PORT,
    host: e.HOST,
    database,
    partner: {
      name: e.PARTNER_NAME ?? DEMO_PARTNER.name,
      domains,
      admins: e.ADMINS,
      teamLeads: e.TEAM_LEADS,
      defaultLocale: e.DEFAULT_LOCALE,
      timeZone: e.TIME_ZONE,
    },
    alerts: { stallThresholds: e.STALL_THRESHOLDS, reminderDays: e.REMINDER_DAYS, batchOver: e.BATCH_OVER },
    escalation: { afterDays: e.ESCALATE_AFTER_DAYS, unclaimedDays: e.ESCALATE_UNCLAIMED_DAYS },
    writeback: { graceDays: e.WRITEBACK_GRACE_DAYS },
    refresh: { time: e.REFRESH_TIME, feed: e.LCA_FEED, feedMaxBytes: e.LCA_FEED_MAX_BYTES, feedTimeoutMs: e.LCA_FEED_TIMEOUT_MS },
    demo: e.DEMO && database.kind === "embedded",
    lcaPortalUrl: e.LCA_PORTAL_URL,
    webex: e.WEBEX_BOT_TOKEN ? { botToken: e.WEBEX_BOT_TOKEN, webhookUrl: e.WEBEX_WEBHOOK_URL!, webhookSecret: e.WEBEX_WEBHOOK_SECRET!, apiUrl: e.WEBEX_API_URL.replace(/\/$/, "") } : undefined,
    slack: e.SLACK_BOT_TOKEN ? { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, appToken: e.SLACK_APP_TOKEN, apiUrl: e.SLACK_API_URL.endsWith("/") ? e.SLACK_API_URL : `${e.SLACK_API_URL}/` } : undefined,
    teamSpaces: e.TEAM_SPACES,
    preview: { enabled: previewEnabled, token: e.PREVIEW_TOKEN, tokens: e.PREVIEW_TOKENS },
    delivery: { maxAttempts: e.OUTBOX_MAX_ATTEMPTS, shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS },
    logLevel: e.LOG_LEVEL,
  };
}

/** For logs and `settings`: the configuration with credentials masked. */
export function redactedDatabase(db: DatabaseConfig): string {
  if (db.kind === "embedded") return `embedded (${db.dataDir})`;
  return maskUrl(db.url);
}

/** Every secret value of the configuration, for the logger to keep out of every line (registerSecrets). */
export function secretsOf(config: Config): string[] {
  return [
    config.webex?.botToken,
    config.webex?.webhookSecret,
    config.slack?.botToken,
    config.slack?.signingSecret,
    config.slack?.appToken,
    config.preview.token,
    ...(config.preview.tokens ?? []).map((t) => t.token),
    ...(config.database.kind === "postgres" ? urlSecrets(config.database.url) : []),
    ...(config.refresh.feed && /^[a-z]+:\/\//i.test(config.refresh.feed) ? urlSecrets(config.refresh.feed) : []),
  ].filter((s): s is string => Boolean(s));
}

/** The LCA portal page of a deployment: where every card's "Open in LCA" link goes. */
export function lcaUrl(config: Pick<Config, "lcaPortalUrl">): (deploymentId: string) => string {
  return (deploymentId) => `${config.lcaPortalUrl}?deploymentId=${encodeURIComponent(deploymentId)}`;
}
