import { readFileSync } from "node:fs";
import { z } from "zod";
import { isValidTimeZone } from "./domain/dates.js";
import { DEFAULT_STALL_THRESHOLDS, STAGES, type Stage, type StallThresholds } from "./domain/stages.js";

export const LOCALES = ["en", "ru"] as const;
export type Locale = (typeof LOCALES)[number];

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
  HOST: z.string().default("0.0.0.0"),
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
  REFRESH_TIME: hhmm.default("06:00"),
  LCA_FEED: z
    .string()
    .optional()
    .refine((v) => v === undefined || !/^[a-z]+:\/\//i.test(v) || /^https?:\/\//i.test(v), {
      message: "must be a folder path or an https:// URL",
    }),
  DEMO: bool.default(true),
  LCA_PORTAL_URL: z.url({ error: "must be the https:// address of the LCA Customer Success portal" }).default("https://lifecycleadvantage.cisco.com/customer-success/use-cases"),
});

function parseThresholds(text: string | undefined, ctx: z.RefinementCtx): StallThresholds {
  const thresholds = { ...DEFAULT_STALL_THRESHOLDS };
  for (const pair of csv(text)) {
    const [name = "", value = ""] = pair.split("=").map((s) => s.trim().toLowerCase());
    if (!(STAGES as readonly string[]).includes(name) || !/^(\d+|none)$/.test(value)) {
      ctx.addIssue({ code: "custom", message: `"${pair}" is not stage=days (e.g. implement=45, optimize=none)` });
      continue;
    }
    thresholds[name as Stage] = value === "none" ? null : Number(value);
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
    defaultLocale: Locale;
    timeZone: string;
  };
  alerts: { stallThresholds: StallThresholds; reminderDays: number };
  refresh: { time: string; feed: string | undefined };
  /** Load the demo data set into an empty embedded database at start. */
  demo: boolean;
  /** "Open in LCA" links point here, with ?deploymentId=…. */
  lcaPortalUrl: string;
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
    return { merged: env, problems: [`LCA_CONFIG: cannot read ${file} as a JSON object of settings (${(error as Error).message})`] };
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
      problems.push(`${name}: ${issue.message}${got !== undefined && !secret ? ` (got "${got}")` : ""}`);
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
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port: e.PORT,
    host: e.HOST,
    database,
    partner: {
      name: e.PARTNER_NAME ?? DEMO_PARTNER.name,
      domains: e.PARTNER_DOMAINS ?? DEMO_PARTNER.domains,
      admins: e.ADMINS,
      defaultLocale: e.DEFAULT_LOCALE,
      timeZone: e.TIME_ZONE,
    },
    alerts: { stallThresholds: e.STALL_THRESHOLDS, reminderDays: e.REMINDER_DAYS },
    refresh: { time: e.REFRESH_TIME, feed: e.LCA_FEED },
    demo: e.DEMO && database.kind === "embedded",
    lcaPortalUrl: e.LCA_PORTAL_URL,
    logLevel: e.LOG_LEVEL,
  };
}

/** For logs and `settings`: the configuration with credentials masked. */
export function redactedDatabase(db: DatabaseConfig): string {
  if (db.kind === "embedded") return `embedded (${db.dataDir})`;
  return db.url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, (_m, user: string) => `//${user}:***@`);
}
