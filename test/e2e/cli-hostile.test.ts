import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { freePort, runCli } from "../support/cli.js";
import { writeXlsxBomb } from "../support/xlsx-bomb.js";

/**
 * `lca-bot ingest`, `refresh` and `start` run as an operator would (the built CLI), fed
 * hostile files and settings: every failure is one readable line per problem (or one JSON
 * object with --json), in the asked language, with exit code 2, and never a stack trace.
 */
const HOSTILE = fileURLToPath(new URL("../fixtures/ingest/hostile", import.meta.url));
const STACK = /\n\s+at /;
const ESC = "\u001b";

let db: TestDatabase;
let env: Record<string, string>;
const dir = mkdtempSync(path.join(tmpdir(), "lca-cli-hostile-"));

beforeAll(async () => {
  db = await createTestDatabase("postgres");
  env = { DATABASE_URL: db.url!, PARTNER_NAME: "Acme Networks", PARTNER_DOMAINS: "partner.example", LOG_LEVEL: "warn" };
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const hostile = (name: string) => path.join(HOSTILE, name);

function expectClean(result: { stdout: string; stderr: string }): void {
  expect(result.stdout + result.stderr).not.toMatch(STACK);
  expect(result.stdout + result.stderr).not.toContain(ESC); // no escape sequence reaches the terminal
}

describe("lca-bot ingest with hostile files", () => {
  it("names each bad cell on its own line, control characters shown as escapes, exit code 2", async () => {
    const result = await runCli(["ingest", hostile("control-characters.csv"), "--as-of", "2026-11-20"], env);
    expect(result.code).toBe(2);
    expectClean(result);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toBe("The snapshot control-characters.csv was refused: 5 problems. Nothing was changed.");
    expect(lines[1]).toBe("  row 2, CR Party Name: The value holds the control character \\x1b at position 11 (“Northwind \\x1b[31mRED\\x1b[0m\\x1b]0;pwned\\x07”); remove it.");
    expect(lines).toContain("  row 3, Deployment ID: The value holds the control character \\x00 at position 11 (“DPL101X431\\x00”); remove it.");
    expect(lines).toHaveLength(6);
    expect(await db.prisma.snapshot.count()).toBe(0);
  });

  it("answers in Russian with --locale ru, and with DEFAULT_LOCALE=ru", async () => {
    for (const [args, extra] of [[["--locale", "ru"], {}], [[], { DEFAULT_LOCALE: "ru" }]] as const) {
      const result = await runCli(["ingest", hostile("long-cells.csv"), ...args], { ...env, ...extra });
      expect(result.code).toBe(2);
      expectClean(result);
      expect(result.stderr).toContain("Выгрузка long-cells.csv отклонена: 4 ошибки. Ничего не изменено.");
      expect(result.stderr).toContain("  строка 2, Deployment ID: Значение длиной 65 символов; в этом столбце допускается не больше 64");
    }
  });

  it("--json refuses with one JSON object on stdout: the problems with row, column, key and message", async () => {
    const result = await runCli(["ingest", hostile("shapes.json"), "--json", "--locale", "ru"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("");
    expectClean(result);
    const answer = JSON.parse(result.stdout);
    expect(answer).toMatchObject({ applied: false, error: { code: "ingest.refused", params: { file: "shapes.json", count: 4 } }, problemCount: 4 });
    expect(answer.problems.map((p: { row: number; column: string; key: string }) => `${p.row} ${p.column} ${p.key}`)).toEqual([
      "1 CR Party Name invalidValue",
      "1 Adoption Partner malformedText",
      "2 Use Case invalidValue",
      "3 Install Site tooDeep",
    ]);
    expect(answer.problems[3].message).toBe("Значение вложено на 40 уровней; в ячейке должно быть одно значение (текст, число, дата или да/нет).");
  });

  it("refuses a Windows-1251 CSV naming --encoding, and reads it with --encoding windows-1251", async () => {
    const refused = await runCli(["ingest", hostile("cp1251.csv")], env);
    expect(refused.code).toBe(2);
    expectClean(refused);
    expect(refused.stderr.trim()).toMatch(/^The snapshot cp1251\.csv is not UTF-8: the first bad byte is at offset \d+ \(line 2\)\. If it was saved as Windows-1251 or Latin-1, run again with --encoding cp1251 or --encoding latin1\.$/);
    const applied = await runCli(["ingest", hostile("cp1251.csv"), "--encoding", "windows-1251", "--as-of", "2026-11-20", "--json"], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ source: "cp1251.csv", rowsRead: 1 });
    expect((await db.pool.query(`SELECT name FROM customer`)).rows).toEqual([{ name: "Северный Логистик" }]);
    await db.pool.query(`TRUNCATE snapshot, customer RESTART IDENTITY CASCADE`);
  });

  it("refuses an xlsx bomb quickly, in a process allowed 256 MB of heap", async () => {
    for (const lie of [false, true]) {
      const file = path.join(dir, lie ? "lying-bomb.xlsx" : "bomb.xlsx");
      await writeXlsxBomb(file, { unpackedBytes: 2 * 1024 ** 3 - 1024 ** 2, lie });
      const started = performance.now();
      const result = await runCli(["ingest", file], { ...env, NODE_OPTIONS: "--max-old-space-size=256" });
      const ms = performance.now() - started;
      expect(result.code, result.stderr).toBe(2);
      expectClean(result);
      expect(result.stderr.trim()).toMatch(new RegExp(`^The snapshot ${path.basename(file).replace(".", "\\.")} is too large to read: xl/sharedStrings\\.xml unpacks to more than \\d+ MB \\(.+\\)\\. Nothing was changed\\.$`));
      expect(ms).toBeLessThan(15_000); // mostly the process start and the database connection
    }
  });

  it("usage mistakes and a missing file: one line (or JSON), exit code 2", async () => {
    const unknown = await runCli(["ingest", "--bogus", hostile("bom.csv")], env);
    expect(unknown.code).toBe(2);
    expectClean(unknown);
    expect(unknown.stderr.split("\n")[0]).toContain("Unknown option '--bogus'");

    const unknownJson = await runCli(["ingest", "--bogus", "--json", hostile("bom.csv")], env);
    expect(unknownJson.code).toBe(2);
    expect(JSON.parse(unknownJson.stdout)).toMatchObject({ applied: false, error: { code: "usage" } });

    const encoding = await runCli(["ingest", hostile("bom.csv"), "--encoding", "ebcdic", "--json"], env);
    expect(encoding.code).toBe(2);
    expect(JSON.parse(encoding.stdout).error.message).toContain("--encoding must be one of utf8, cp1251, latin1");

    const missing = await runCli(["ingest", path.join(dir, "nope.csv")], env);
    expect(missing.code).toBe(2);
    expectClean(missing);
    expect(missing.stderr.trim()).toBe("Cannot read the snapshot nope.csv: file not found");

    const missingJson = await runCli(["ingest", path.join(dir, "nope.csv"), "--json"], env);
    expect(missingJson.code).toBe(2);
    expect(JSON.parse(missingJson.stdout)).toEqual({ applied: false, error: { code: "ingest.unreadable", message: "Cannot read the snapshot nope.csv: file not found", params: { file: "nope.csv", reason: "file not found" } } });
  });

  it("refresh --json without a feed, or with a feed folder that is gone: JSON, exit code 2", async () => {
    const none = await runCli(["refresh", "--json"], env);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout)).toMatchObject({ applied: false, error: { code: "ingest.noFeed" } });
    const gone = await runCli(["refresh", "--json", "--locale", "ru"], { ...env, LCA_FEED: path.join(dir, "gone") });
    expect(gone.code).toBe(2);
    expect(JSON.parse(gone.stdout)).toMatchObject({ applied: false, error: { code: "ingest.feedUnreadable", message: expect.stringContaining("Не удаётся прочитать источник выгрузок LCA") } });
    expectClean(gone);
  });
});

describe("lca-bot start with a port taken or a HOST that is not this machine's", () => {
  it("says so in one line, exit code 2", async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      const taken = await runCli(["start"], { ...env, PORT: String(port), HOST: "127.0.0.1" });
      expect(taken.code).toBe(2);
      expectClean(taken);
      expect(taken.stderr.trim()).toBe(`Cannot start: port ${port} on 127.0.0.1 is already in use by another program. Stop it, or set PORT to a free port.`);
    } finally {
      blocker.close();
    }
    const malformed = await runCli(["start"], { ...env, HOST: "999.1.1.1" });
    expect(malformed.code).toBe(2);
    expectClean(malformed);
    expect(malformed.stderr).toContain('HOST: must be an IP address of this machine (e.g. 0.0.0.0 or 127.0.0.1) or its host name (got "999.1.1.1")');

    for (const host of ["no-such-host.invalid", "192.0.2.1"]) {
      const foreign = await runCli(["start"], { ...env, HOST: host, PORT: String(await freePort()) });
      expect(foreign.code, foreign.stderr).toBe(2);
      expectClean(foreign);
      expect(foreign.stderr.trim()).toMatch(new RegExp(`^Cannot start: HOST=${host.replaceAll(".", "\\.")} is not an address of this machine \\((ENOTFOUND|EAI_AGAIN|EADDRNOTAVAIL)\\)\\.`));
      expect(foreign.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
