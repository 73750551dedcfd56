import { describe, expect, it } from "vitest";
import { maskUrl, maskUrlsIn, scrubSecrets, urlSecrets } from "../../src/redact.js";

/** Hostile connection strings and feed URLs: the secret in each must never come out. */
const HOSTILE: { url: string; secret: string; shows?: string }[] = [
  { url: "postgresql://lca:S3cretPw@db.example:5432/lca", secret: "S3cretPw", shows: "postgresql://lca:***@db.example:5432/lca" },
  { url: "postgres://u:p@ss@host/db", secret: "p@ss", shows: "postgres://u:***@host/db" },
  { url: "postgres://u:p@ss@w0rd@host:5432/db", secret: "ss@w0rd", shows: "postgres://u:***@host:5432/db" },
  { url: "postgres://u@host/db?password=QueryPass1", secret: "QueryPass1", shows: "postgres://u@host/db?password=***" },
  { url: "postgres://u@host/db?sslmode=require&sslpassword=KeyPass22", secret: "KeyPass22", shows: "postgres://u@host/db?sslmode=require&sslpassword=***" },
  { url: "postgres://u@host/db?PASSWORD=UpperPass3", secret: "UpperPass3" },
  { url: "postgres://u@host/db?pass%77ord=EncodedKey4", secret: "EncodedKey4" },
  { url: "postgres://u:p/ss#x?y@host/db", secret: "p/ss#x?y", shows: "postgres://***" },
  { url: "postgres://u:pw%40enc@host/db", secret: "pw%40enc" },
  { url: "https://feeduser:FeedPass5@feed.example/export.xlsx", secret: "FeedPass5", shows: "https://feeduser:***@feed.example/export.xlsx" },
  {
    url: "https://bucket.s3.amazonaws.com/lca.xlsx?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261201&X-Amz-Signature=abcdef0123456789",
    secret: "abcdef0123456789",
    shows: "https://bucket.s3.amazonaws.com/lca.xlsx?X-Amz-Algorithm=***&X-Amz-Credential=***&X-Amz-Signature=***",
  },
  { url: "https://blob.example/lca.csv?sv=2024&sig=AzureSig%2B%3D", secret: "AzureSig%2B%3D" },
  { url: "https://feed.example/x?token=tok_live_123456", secret: "tok_live_123456" },
  { url: "https://feed.example/x?access_token=at-999999", secret: "at-999999" },
  { url: "https://feed.example/x?key=k-777777&email=ops@partner.example", secret: "k-777777", shows: "https://feed.example/x?key=***&email=***" },
  { url: "https://feed.example/x#access_token=frag-8888", secret: "frag-8888", shows: "https://feed.example/x#***" },
  { url: "https://u:pw-in-user@feed.example/x?e=a@b", secret: "pw-in-user", shows: "https://u:***@feed.example/x?e=***" },
];

describe("maskUrl", () => {
  for (const { url, secret, shows } of HOSTILE) {
    it(`hides the secret of ${url}`, () => {
      const masked = maskUrl(url);
      expect(masked).not.toContain(secret);
      expect(masked).not.toContain(decodeURIComponent(secret.replace(/%(?![0-9a-f]{2})/gi, "%25")));
      if (shows) expect(masked).toBe(shows);
    });
  }

  it("leaves URLs without credentials and plain paths as they are", () => {
    expect(maskUrl("https://webexapis.com/v1")).toBe("https://webexapis.com/v1");
    expect(maskUrl("postgresql://postgres@127.0.0.1:5432/lca")).toBe("postgresql://postgres@127.0.0.1:5432/lca");
    expect(maskUrl("/srv/lca/exports")).toBe("/srv/lca/exports");
    expect(maskUrl("")).toBe("");
  });

  it("masks every URL inside free text", () => {
    const text = 'connect to postgres://u:TopSecret9@db/x failed; fetch "https://f.example/a?sig=SIG123456" refused';
    const masked = maskUrlsIn(text);
    expect(masked).not.toContain("TopSecret9");
    expect(masked).not.toContain("SIG123456");
    expect(masked).toContain("postgres://u:***@db/x");
  });
});

describe("urlSecrets and scrubSecrets", () => {
  it("finds the password of a connection string in userinfo and query, raw and decoded", () => {
    expect(urlSecrets("postgres://u:p%40ss@h/db?sslmode=require&sslpassword=kp")).toEqual(["p%40ss", "p@ss", "kp"]);
    expect(urlSecrets("postgres://u@h/db")).toEqual([]);
    expect(urlSecrets(undefined)).toEqual([]);
  });

  it("replaces each secret, as is and JSON-escaped, and ignores values too short to be secrets", () => {
    const secret = 'quote"back\\slash-secret';
    const line = JSON.stringify({ msg: `token ${secret} here`, other: "abc" });
    const scrubbed = scrubSecrets(line, [secret, "abc"]);
    expect(scrubbed).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(scrubbed).toContain("[redacted]");
    expect(scrubbed).toContain('"abc"');
  });
});

describe("the logger", () => {
  it("masks URLs and replaces registered secrets in every line, whatever field carries them", async () => {
    const { Writable } = await import("node:stream");
    const { createLogger, registerSecrets } = await import("../../src/log.js");
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
    registerSecrets(["registered-secret-value-42"]);
    const log = createLogger("debug", sink, { secrets: ["per-logger-secret-77"] });
    log.error({ err: new Error("could not connect to postgres://lca:DbPass9999@db.example/lca") }, "database down");
    log.info({ feed: "https://feed.example/lca.xlsx?X-Amz-Signature=feedsig123456", note: "registered-secret-value-42" }, "refresh");
    log.warn("token per-logger-secret-77 in a message");
    log.info({ config: { preview: { token: "preview-token-abc", tokens: [{ email: "a@b.example", token: "bound-token-abc" }] } } }, "config");
    log.info({ slack: { botToken: "xoxb-logged-bot-token", signingSecret: "logged-signing-secret", appToken: "xapp-logged" } }, "settings");
    const all = lines.join("");
    expect(lines).toHaveLength(5);
    for (const secret of ["DbPass9999", "feedsig123456", "registered-secret-value-42", "per-logger-secret-77", "preview-token-abc", "bound-token-abc", "xoxb-logged-bot-token", "logged-signing-secret", "xapp-logged"]) {
      expect(all, secret).not.toContain(secret);
    }
    expect(all).toContain("postgres://lca:***@db.example/lca");
  });
});


describe("URLs inside JSON log lines", () => {
  it("masks a quoted URL and leaves the line valid JSON", () => {
    const line = JSON.stringify({ msg: 'fetch failed for "https://feed.example/x.csv?sig=abc"\tthen' });
    const masked = maskUrlsIn(line);
    expect(masked).not.toContain("abc");
    expect(JSON.parse(masked)).toEqual({ msg: 'fetch failed for "https://feed.example/x.csv?sig=***"\tthen' });
  });
});
