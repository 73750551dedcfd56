import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { reevaluateUseCases } from "../../src/alerts/engine.js";
import { sqlStore } from "../../src/db/store.js";
import { loadDemo } from "../../src/demo/load.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";

/** What the handler tests cannot show with the in-memory Store: the SQL one's units of work on both databases. */
describe.each(DB_KINDS)("the SQL store on %s", (kind) => {
  let db: TestDatabase;
  const config = loadConfig({ ADMINS: "james.lee@partner.example" });
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await loadDemo(db, config, "2026-11-23");
  });
  afterAll(async () => {
    await db.close();
  });
  const csm = () => db.prisma.csm.findUniqueOrThrow({ where: { email: "james.lee@partner.example" } });

  it("keeps a unit of work whole, and a nested one joins it", async () => {
    const store = sqlStore(db.pool, reevaluateUseCases);
    const { id } = await csm();
    await store.transaction(async (tx) => {
      await tx.setLanguage(id, "ru");
      await tx.transaction((inner) => inner.setDigest(id, { digestEnabled: false, digestTime: "06:00" }));
    });
    expect(await csm()).toMatchObject({ locale: "ru", digestEnabled: false, digestTime: "06:00" });
  });

  it("rolls back everything a unit of work did when it throws", async () => {
    const store = sqlStore(db.pool, reevaluateUseCases);
    const { id } = await csm();
    const audits = await db.prisma.auditEntry.count();
    const subscriptions = await db.prisma.subscription.count({ where: { csmId: id } });
    await expect(store.transaction(async (tx) => {
      await tx.setLanguage(id, "en");
      await tx.subscribe({ csmId: id, kinds: ["stalled"], filters: { tags: [], architectures: [], customers: [] }, mode: "digest" });
      await tx.audit({ author: { csmId: id, channel: "preview" }, action: "lang", entity: "csm", entityId: id, before: null, after: { locale: "en" } });
      throw new Error("halfway");
    })).rejects.toThrow("halfway");
    expect((await csm()).locale).toBe("ru");
    expect(await db.prisma.subscription.count({ where: { csmId: id } })).toBe(subscriptions);
    expect(await db.prisma.auditEntry.count()).toBe(audits);
  });

  it("reads back the enum arrays and JSON it wrote, and deletes a subscription left with no kinds", async () => {
    const store = sqlStore(db.pool, reevaluateUseCases);
    const { id } = await csm();
    await store.subscribe({ csmId: id, kinds: ["stalled", "regression"], filters: { tags: ["A"], architectures: [], customers: [] }, mode: "immediate" });
    // The demo gave James subscriptions of his own: the new one is the last.
    const before = await store.subscriptionsOf(id);
    const sub = before.at(-1);
    expect(sub).toMatchObject({ kinds: ["stalled", "regression"], filters: { tags: ["A"], architectures: [], customers: [] }, mode: "immediate" });
    await store.setSubscriptionKinds(sub!.id, ["regression"]);
    expect((await store.settingsOf(id)).subscriptions.at(-1)).toEqual({ ...sub, kinds: ["regression"] });
    await store.setSubscriptionKinds(sub!.id, []);
    expect(await store.subscriptionsOf(id)).toEqual(before.slice(0, -1));
  });

  it("audits a null before as JSON null and a refusal with nothing before", async () => {
    const store = sqlStore(db.pool, reevaluateUseCases);
    const { id } = await csm();
    await store.audit({ author: { csmId: id, channel: "slack" }, action: "contact.update", entity: "contact", entityId: "1:partner:1", before: null, after: { slot: 1 } });
    await store.auditRefusal({ csmId: null, channel: "preview", action: "preview.refused", entity: "csm", entityId: "x@partner.example", detail: { reason: "other" } });
    const rows = await db.pool.query(`SELECT csm_id, channel, action, entity_id, before, before IS NULL AS no_before, after FROM audit_entry ORDER BY id DESC LIMIT 2`);
    expect(rows.rows).toEqual([
      { csm_id: null, channel: "preview", action: "preview.refused", entity_id: "x@partner.example", before: null, no_before: true, after: { refused: true, reason: "other" } },
      { csm_id: id, channel: "slack", action: "contact.update", entity_id: "1:partner:1", before: null, no_before: false, after: { slot: 1 } },
    ]);
  });

  it("records a pending LCA change with LCA's value before, and a newer chat change supersedes it keeping that value", async () => {
    const store = sqlStore(db.pool, reevaluateUseCases);
    const { id } = await csm();
    const { rows: [d] } = await db.pool.query<{ id: number; lca_csm_email: string | null }>(`SELECT id, lca_csm_email FROM deployment WHERE lca_csm_email IS NOT NULL ORDER BY id LIMIT 1`);
    const author = { csmId: id, channel: "slack" as const };
    const change = (valueChat: string) => store.transaction((tx) => tx.recordPendingLcaChange({ subject: { deploymentRowId: d!.id }, field: "csm_email", valueChat, author, at: new Date() }));
    expect(await change("first@partner.example")).toEqual({ recorded: true });
    expect(await change("second@partner.example")).toEqual({ recorded: true });
    const rows = async () => (await db.pool.query(`SELECT field, value_before, value_chat, status::text, csm_id, chat::text FROM pending_lca_change WHERE deployment_id = $1 ORDER BY id`, [d!.id])).rows;
    expect(await rows()).toEqual([
      { field: "csm_email", value_before: d!.lca_csm_email, value_chat: "first@partner.example", status: "superseded", csm_id: id, chat: "slack" },
      { field: "csm_email", value_before: d!.lca_csm_email, value_chat: "second@partner.example", status: "pending", csm_id: id, chat: "slack" },
    ]);
    // Back to LCA's own value: nothing for LCA to learn, and the open change is superseded.
    expect(await change(d!.lca_csm_email!.toUpperCase())).toEqual({ recorded: false });
    expect((await rows()).map((r) => r.status)).toEqual(["superseded", "superseded"]);
  });

  it("keeps one open change per field even when two units of work race", async () => {
    const { rows: [d] } = await db.pool.query<{ id: number }>(`SELECT id FROM deployment ORDER BY id DESC LIMIT 1`);
    const { id } = await csm();
    await expect(db.pool.query(
      `INSERT INTO pending_lca_change (deployment_id, field, value_chat, csm_id, chat) VALUES ($1, 'csm_email', 'a@partner.example', $2, 'slack'), ($1, 'csm_email', 'b@partner.example', $2, 'slack')`,
      [d!.id, id],
    )).rejects.toThrow(/pending_lca_change_open_key/);
  });
});
