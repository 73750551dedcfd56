import { afterAll, describe, expect, it } from "vitest";
import { enqueueAdminNotices } from "../../src/delivery/admin-notices.js";
import { createDispatcher } from "../../src/delivery/dispatcher.js";
import { createLogger } from "../../src/log.js";
import { createTestDatabase, DB_KINDS, type DbKind, type TestDatabase } from "../support/db.js";
import { deliveryConfig, enqueue, markerNotice, RecordingPort, seedPortfolio, tagRenderer } from "../support/delivery.js";

/** How a CSM's chat identities (chat_identity rows) decide where and in what language the outbox delivers. */

const databases = new Map<DbKind, Promise<TestDatabase>>();
afterAll(async () => {
  await Promise.all([...databases.values()].map(async (db) => (await db).close()));
});

async function fresh(kind: DbKind) {
  if (!databases.has(kind)) databases.set(kind, createTestDatabase(kind));
  const db = await databases.get(kind)!;
  await db.pool.query(`TRUNCATE outbox_message, outbox_hold, alert, recommendation, use_case_deployment, deployment, customer, use_case, csm RESTART IDENTITY CASCADE`);
  return { db, portfolio: await seedPortfolio(db.pool, { csms: 2, useCases: 2 }) };
}

const identity = (db: TestDatabase, csmId: number, chat: string, set: string) =>
  db.pool.query(`UPDATE chat_identity SET ${set} WHERE csm_id = $1 AND chat = $2::"ChatChannel"`, [csmId, chat]);

describe.each(DB_KINDS)("chat identities in delivery on %s", (kind) => {
  it("sends to each chat's account, in the CSM's own language, else the one that chat reported, else the partner's", async () => {
    const { db, portfolio } = await fresh(kind);
    const [reported, chose] = portfolio.csmIds as [number, number];
    // Slack reported Russian for both; Webex reports no language; one of them chose English.
    await identity(db, reported, "slack", `locale = 'ru'`);
    await identity(db, chose, "slack", `locale = 'ru'`);
    await db.pool.query(`UPDATE csm SET locale = 'en' WHERE id = $1`, [chose]);
    await db.pool.query(`DELETE FROM chat_identity WHERE csm_id = $1 AND chat = 'webex'`, [chose]);
    await enqueue(
      db.pool,
      [reported, chose].flatMap((id) => (["slack", "webex"] as const).map((channel) => ({ channel, destination: `csm:${id}`, payload: markerNotice(`${channel}-${id}`) }))),
    );
    const slack = new RecordingPort("slack");
    const webex = new RecordingPort("webex");
    const dispatcher = createDispatcher({
      pool: db.pool,
      prisma: db.prisma,
      config: deliveryConfig({ DEFAULT_LOCALE: "en" }),
      ports: [slack, webex],
      log: createLogger("silent"),
      render: tagRenderer,
      tuning: { coalesceWindowMs: 0, minIntervalMs: { slack: 0, webex: 0 }, replaceIntervalMs: { slack: 0, webex: 0 }, pollMs: 20 },
    });
    await dispatcher.drainOnce();
    const seen = (port: RecordingPort) =>
      port.calls.map((c) => ({ csmId: c.to?.kind === "csm" ? c.to.csmId : null, chatUserId: c.to?.kind === "csm" ? c.to.chatUserId : null, locale: c.tag.locale })).sort((a, b) => a.csmId! - b.csmId!);
    expect(seen(slack)).toEqual([
      { csmId: reported, chatUserId: "U000001", locale: "ru" },
      { csmId: chose, chatUserId: "U000002", locale: "en" },
    ]);
    expect(seen(webex)).toEqual([
      { csmId: reported, chatUserId: "P000001", locale: "en" },
      { csmId: chose, chatUserId: null, locale: "en" },
    ]);
  });

  it("tells an admin on the first chat they have an account on, else on the first chat", async () => {
    const { db, portfolio } = await fresh(kind);
    const options = { adminEmails: ["Admin@partner.example"], channels: ["slack", "webex"] as const };
    const noticeChannels = async () =>
      (await db.pool.query<{ channel: string }>(`SELECT channel::text AS channel FROM outbox_message WHERE kind = 'notice' ORDER BY id`)).rows.map((r) => r.channel);
    const fail = (n: number) => enqueueAdminNotices(db.pool, { channel: "slack", destination: `C-GONE-${n}`, reason: "channel_not_found", outboxId: n }, options);

    expect(await fail(1)).toBe(1);
    await db.pool.query(`DELETE FROM chat_identity WHERE csm_id = $1 AND chat = 'slack'`, [portfolio.adminId]);
    expect(await fail(2)).toBe(1);
    await db.pool.query(`DELETE FROM chat_identity WHERE csm_id = $1`, [portfolio.adminId]);
    expect(await fail(3)).toBe(1);
    expect(await noticeChannels()).toEqual(["slack", "webex", "slack"]);
  });
});
