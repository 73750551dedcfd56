import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, loadConfig, redactedDatabase, secretsOf } from "../../src/config.js";

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

  it("reads BATCH_OVER as a whole number of at least 1, default 5", () => {
    expect(loadConfig({}).alerts.batchOver).toBe(5);
    expect(loadConfig({ BATCH_OVER: "12" }).alerts.batchOver).toBe(12);
    for (const bad of ["0", "-3", "2.5", "many"]) expect(problems({ BATCH_OVER: bad }).map((p) => p.split(":")[0])).toEqual(["BATCH_OVER"]);
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

  it("masks a database password wherever the URL carries it: userinfo with an unencoded @, ?password=, ?sslpassword=", () => {
    const base = { PARTNER_NAME: "Acme", PARTNER_DOMAINS: "acme.example" };
    const cases = [
      { url: "postgres://u:p@ss@db.example/x", secret: "p@ss", shown: "postgres://u:***@db.example/x" },
      { url: "postgresql://u@db.example/x?password=Qu3ryPass", secret: "Qu3ryPass", shown: "postgresql://u@db.example/x?password=***" },
      { url: "postgresql://u@db.example/x?sslmode=verify-full&sslpassword=K3yPass!", secret: "K3yPass!", shown: "postgresql://u@db.example/x?sslmode=verify-full&sslpassword=***" },
      { url: "postgresql://u:a/b#c@db.example/x", secret: "a/b#c", shown: "postgresql://***" },
    ];
    for (const { url, secret, shown } of cases) {
      const config = loadConfig({ ...base, DATABASE_URL: url });
      expect(redactedDatabase(config.database), url).toBe(shown);
      expect(secretsOf(config), url).toContain(secret);
    }
  });

  it("never echoes a config file's broken JSON, which may quote a token", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lca-config-"));
    const file = path.join(dir, "config.json");
    writeFileSync(file, '{"SLACK_BOT_TOKEN": xoxb-super-secret-value}');
    const found = problems({ LCA_CONFIG: file }).join("\n");
    expect(found).toContain("not valid JSON");
    expect(found).not.toContain("xoxb-super");
  });

  it("never echoes LCA_FEED credentials in a config error", () => {
    const found = problems({ LCA_FEED: "ftp://feeduser:FtpPass123@feed.example/x?sig=S1GNATURE" }).join("\n");
    expect(found).toMatch(/^LCA_FEED: must be a folder path or an https:\/\/ URL/);
    expect(found).not.toContain("FtpPass123");
    expect(found).not.toContain("S1GNATURE");
    expect(secretsOf(loadConfig({ LCA_FEED: "https://feed.example/lca.xlsx?X-Amz-Signature=abcdef123456" }))).toContain("abcdef123456");
  });

  describe("PREVIEW_TOKENS", () => {
    const pg = { DATABASE_URL: "postgresql://postgres@127.0.0.1/x", PARTNER_NAME: "Acme", PARTNER_DOMAINS: "acme.example", PREVIEW: "1" };
    const annaToken = "anna-token-0123456789";
    const jamesToken = "james-token-0123456789";

    it("binds each token to one CSM of the partner's domains", () => {
      const config = loadConfig({ ...pg, PREVIEW_TOKENS: `Anna@Acme.example:${annaToken}, james@acme.example:${jamesToken}` });
      expect(config.preview).toEqual({ enabled: true, token: undefined, tokens: [{ email: "anna@acme.example", token: annaToken }, { email: "james@acme.example", token: jamesToken }] });
      expect(secretsOf(config)).toEqual(expect.arrayContaining([annaToken, jamesToken]));
    });

    it("is enough on PostgreSQL without PREVIEW_TOKEN, and one of the two is required", () => {
      expect(problems(pg)[0]).toMatch(/^PREVIEW_TOKENS: required with PREVIEW=1 on PostgreSQL/);
      expect(problems({ ...pg, PREVIEW_TOKEN: "shared-token-1234" })).toEqual([]);
      expect(problems({ ...pg, PREVIEW_TOKENS: `anna@acme.example:${annaToken}` })).toEqual([]);
    });

    it("refuses hostile entries, each by position, never echoing a token", () => {
      const found = problems({
        ...pg,
        PREVIEW_TOKEN: jamesToken,
        PREVIEW_TOKENS: [
          `eve@elsewhere.example:${"e".repeat(20)}`, // outside PARTNER_DOMAINS
          "anna@acme.example:short-tok", // < 16 characters
          `not-an-email:${"x".repeat(20)}`,
          `anna@acme.example`, // no token
          `anna@acme.example:${annaToken}`,
          `bob@acme.example:${annaToken}`, // the same token twice
          `james@acme.example:${jamesToken}`, // equals PREVIEW_TOKEN
          `mallory@acme.example.evil.example:${"m".repeat(20)}`, // a look-alike domain
        ].join(","),
      });
      const text = found.join("\n");
      for (const token of ["short-tok", annaToken, jamesToken, "e".repeat(20), "x".repeat(20), "m".repeat(20)]) expect(text).not.toContain(token);
      expect(found).toEqual([
        expect.stringMatching(/^PREVIEW_TOKENS: entry 2 \(anna@acme\.example\): the token must be at least 16 characters/),
        expect.stringMatching(/^PREVIEW_TOKENS: entry 3 is not email:token/),
        expect.stringMatching(/^PREVIEW_TOKENS: entry 4 is not email:token/), // without a colon it may be a token itself: not shown
        expect.stringMatching(/^PREVIEW_TOKENS: entry 6 \(bob@acme\.example\): the same token is given twice/),
      ]);
      // Domains and the clash with PREVIEW_TOKEN are checked once the rest parses.
      const second = problems({ ...pg, PREVIEW_TOKEN: jamesToken, PREVIEW_TOKENS: `eve@elsewhere.example:${"e".repeat(20)},james@acme.example:${jamesToken},mallory@acme.example.evil.example:${"m".repeat(20)}` });
      expect(second).toEqual([
        expect.stringMatching(/^PREVIEW_TOKENS: entry 1 \(eve@elsewhere\.example\) is not in PARTNER_DOMAINS/),
        expect.stringMatching(/^PREVIEW_TOKENS: entry 3 \(mallory@acme\.example\.evil\.example\) is not in PARTNER_DOMAINS/),
        expect.stringMatching(/^PREVIEW_TOKENS: a token equals PREVIEW_TOKEN/),
      ]);
      expect(second.join("\n")).not.toContain(jamesToken);
    });
  });
});
