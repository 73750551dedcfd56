import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, loadConfig, redactedDatabase } from "../../src/config.js";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("starts with no settings at all on the embedded database with the demo partner", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: "embedded", dataDir: "./data" });
    expect(config.partner.domains).toEqual(["partner.example"]);
    expect(config.demo).toBe(true);
    expect(config.alerts.stallThresholds.implement).toBe(45);
  });

  it("reports every bad setting at once, by name", () => {
    const found = problems({ PORT: "abc", DATABASE_URL: "mysql://x", TIME_ZONE: "Mars/Olympus", DEFAULT_LOCALE: "de", ADMINS: "not-an-email" });
    expect(found.map((p) => p.split(":")[0])).toEqual(["PORT", "DATABASE_URL", "ADMINS", "DEFAULT_LOCALE", "TIME_ZONE"]);
    expect(found[0]).toContain('got "abc"');
    expect(new ConfigError(found).message).toMatch(/^lca-bot cannot start: the configuration is invalid\.\n  - PORT/);
  });

  it("refuses admins outside the partner's domains: they would receive customer data", () => {
    expect(problems({ PARTNER_DOMAINS: "acme.example", ADMINS: "boss@acme.example, ops@emea.acme.example, friend@other.example, x@acme.example.evil.example" })).toEqual([
      "ADMINS: friend@other.example, x@acme.example.evil.example are not in PARTNER_DOMAINS (acme.example); admins must be the partner's own people",
    ]);
    expect(loadConfig({ PARTNER_DOMAINS: "acme.example", ADMINS: "boss@acme.example" }).partner.admins).toEqual(["boss@acme.example"]);
  });

  it("requires the partner on PostgreSQL and never loads demo data there", () => {
    expect(problems({ DATABASE_URL: "postgresql://postgres@127.0.0.1/x" }).map((p) => p.split(":")[0])).toEqual(["PARTNER_NAME", "PARTNER_DOMAINS"]);
    const config = loadConfig({ DATABASE_URL: "postgresql://u:secret@db/x", PARTNER_NAME: "Acme", PARTNER_DOMAINS: "Acme.example, acme.co.uk" });
    expect(config.partner.domains).toEqual(["acme.example", "acme.co.uk"]);
    expect(config.demo).toBe(false);
    expect(redactedDatabase(config.database)).toBe("postgresql://u:***@db/x");
  });

  it("parses stall thresholds per stage and refuses nonsense", () => {
    expect(loadConfig({ STALL_THRESHOLDS: "implement=20, optimize=none, adopt=120" }).alerts.stallThresholds).toMatchObject({ implement: 20, adopt: 120, optimize: null, use: 60 });
    expect(problems({ STALL_THRESHOLDS: "implement=soon" })[0]).toMatch(/^STALL_THRESHOLDS: "implement=soon" is not stage=days/);
    const perDomain = loadConfig({ STALL_THRESHOLDS: "Campus Network/implement=30, Zero Trust / use=none" }).alerts.stallThresholds;
    expect(perDomain.domains).toEqual({ "Campus Network": { implement: 30 }, "Zero Trust": { use: null } });
    expect(perDomain.implement).toBe(45);
  });

  it("reads an optional JSON file under the environment, which wins", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lca-config-"));
    const file = path.join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ PORT: 4000, PARTNER_NAME: "From File", TIME_ZONE: "Europe/Berlin" }));
    const config = loadConfig({ LCA_CONFIG: file, PORT: "5000" });
    expect(config.port).toBe(5000);
    expect(config.partner.name).toBe("From File");
    expect(config.partner.timeZone).toBe("Europe/Berlin");
    expect(problems({ LCA_CONFIG: path.join(dir, "missing.json") })[0]).toMatch(/^LCA_CONFIG: cannot read/);
  });

  it("never echoes a database URL, which may hold a password", () => {
    expect(problems({ DATABASE_URL: "mysql://user:hunter2@x" }).join("\n")).not.toContain("hunter2");
  });
});
