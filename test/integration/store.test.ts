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

  it("refuses to record a pending LCA change until its table exists", async () => {
    const { id } = await csm();
    await expect(sqlStore(db.pool, reevaluateUseCases).recordPendingLcaChange({ entity: "contact", entityId: "ucd:1:partner:1", field: "email", value: "a@customer.example", author: { csmId: id, channel: "slack" } })).rejects.toThrow(/no table yet/);
  });
});
