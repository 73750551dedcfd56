import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import { createPreviewChannel, PREVIEW_PATH } from "../../src/channels/preview/index.js";
import type { PreviewAnswer } from "../../src/channels/preview/present.js";
import { loadConfig } from "../../src/config.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { translator } from "../../src/i18n.js";
import { createLogger } from "../../src/log.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { deploymentNotOf, readUploadWorkbook } from "../support/changes-workbook.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

/** The preview's download of the upload workbook: GET /preview/api/changes.xlsx, behind the preview's tokens, for admins only. */
const sophie = "sophie.mueller@partner.example";
const anna = "anna.petrova@partner.example";
const sophieToken = "sophie-admin-token-changes-0123";
const annaToken = "anna-csm-token-changes-01234567";
let db: TestDatabase;
let http: HttpServer;
let at: string;

const download = (token: string, csm: string) => fetch(`${at}/api/changes.xlsx?csm=${encodeURIComponent(csm)}`, { headers: { authorization: `Bearer ${token}` } });
async function message(token: string, csm: string, text: string): Promise<PreviewAnswer> {
  const response = await fetch(`${at}/api/message`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ csm, text }) });
  expect(response.status).toBe(200);
  return (await response.json()) as PreviewAnswer;
}

beforeAll(async () => {
  db = await createTestDatabase("embedded");
  const config = loadConfig({ LOG_LEVEL: "silent", ADMINS: sophie, PREVIEW_TOKENS: `${anna}:${annaToken},${sophie}:${sophieToken}` });
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  const log = createLogger("silent");
  const deps: ConversationDeps = { db, config, log, now: () => new Date() };
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
  http.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log }).http.router);
  at = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}/preview`;
});

afterAll(async () => {
  await http?.close();
  await db?.close();
});

describe("preview: the changes workbook", () => {
  it("has nothing to download before any change", async () => {
    const response = await download(sophieToken, sophie);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain(translator("en")("chat.changes.none"));
  });

  it("answers an admin's `changes` with a link, and the admin's token downloads the workbook", async () => {
    const deploymentId = await deploymentNotOf(db, "james.lee@partner.example");
    await message(sophieToken, sophie, `assign ${deploymentId} to james.lee@partner.example`);
    const answer = await message(sophieToken, sophie, "changes");
    expect(answer.files).toEqual([{ name: expect.stringMatching(/^lca-changes-\d{4}-\d{2}-\d{2}\.xlsx$/) as never, text: expect.stringContaining("CSM: 1 pending") as never }]);
    const response = await download(sophieToken, sophie);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(response.headers.get("content-disposition")).toContain(answer.files[0]!.name);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(0);
    expect(new Set((await readUploadWorkbook(bytes)).deploymentIds)).toEqual(new Set([deploymentId]));
  });

  it("refuses a non-admin's token in their language, and a token naming another CSM", async () => {
    const refused = await download(annaToken, anna);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain(translator("ru")("chat.changes.notAdmin"));
    // Anna's token cannot borrow the admin's name either.
    expect((await download(annaToken, sophie)).status).toBe(403);
    // No token, no file.
    expect((await fetch(`${at}/api/changes.xlsx?csm=${encodeURIComponent(sophie)}`)).status).toBe(401);
  });
});
