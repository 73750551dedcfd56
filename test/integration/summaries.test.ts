import { afterEach, describe, expect, it } from "vitest";
import { handleAction } from "../../src/actions/conversation.js";
import type { ConversationDeps } from "../../src/actions/context.js";
import type { ChatIdentity } from "../../src/actions/identity.js";
import { createDispatcher } from "../../src/delivery/dispatcher.js";
import { enqueueRedraws } from "../../src/delivery/refresh.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { ingestRows } from "../../src/ingest/ingest.js";
import { createLogger } from "../../src/log.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";
import { deliveryConfig, FAST_TUNING, RecordingPort, tagRenderer } from "../support/delivery.js";
import { ok, row } from "../support/rows.js";

const log = createLogger("silent");
const config = deliveryConfig();
const ANNA = "anna.petrova@partner.example";
const BORIS = "boris.ivanov@partner.example";
const options = (asOf: string, batchOver?: number) => ({
  asOf, source: "test", stallThresholds: config.alerts.stallThresholds, reminderDays: 7, partnerDomains: config.partner.domains, adminEmails: [],
  ...(batchOver !== undefined ? { batchOver } : {}),
});

/** One use case each on the baseline; the next day, `n` new use cases per CSM (each a new_use_case alert). */
async function refreshWithNew(db: TestDatabase, perCsm: Record<string, number>, batchOver?: number) {
  const base = Object.keys(perCsm).map((email, i) => row({ rowNumber: 2 + i, deploymentId: `DPLBASE${i}`, csmEmail: email }));
  await ingestRows(db.pool, ok(base), options("2026-11-19"));
  const fresh: SnapshotRow[] = Object.entries(perCsm).flatMap(([email, n], c) =>
    Array.from({ length: n }, (_, i) => row({ deploymentId: `DPLNEW${c}X${i}`, csmEmail: email, crPartyName: `Customer <@U${c}${i}> *${i}*` })),
  );
  return ingestRows(db.pool, ok([...base, ...fresh]), options("2026-11-20", batchOver));
}

async function outbox(db: TestDatabase) {
  const { rows } = await db.pool.query<{ id: number; kind: string; destination: string; channel: string | null; payload: { alertIds?: number[] } }>(
    `SELECT o.id::int, o.kind, o.destination, o.channel::text, o.payload FROM outbox_message o WHERE o.kind IN ('alert', 'summary') ORDER BY o.id`,
  );
  return rows;
}

const csmId = async (db: TestDatabase, email: string) => (await db.pool.query<{ id: number }>(`SELECT id FROM csm WHERE email = $1`, [email])).rows[0]!.id;

describe.each(DB_KINDS)("summaries instead of floods (%s)", (kind) => {
  let db: TestDatabase;
  afterEach(async () => db?.close());

  it("sends exactly BATCH_OVER new alerts as cards and one more as one summary, per destination", async () => {
    db = await createTestDatabase(kind);
    await refreshWithNew(db, { [ANNA]: 6, [BORIS]: 5 });
    const anna = `csm:${await csmId(db, ANNA)}`;
    const boris = `csm:${await csmId(db, BORIS)}`;
    const rows = await outbox(db);
    const of = (destination: string) => rows.filter((r) => r.destination === destination).map((r) => r.kind);
    expect(of(anna)).toEqual(["summary"]);
    expect(of(boris)).toEqual(["alert", "alert", "alert", "alert", "alert"]);
    const summary = rows.find((r) => r.kind === "summary")!;
    expect(summary.channel).toBeNull(); // a person's row: fanned out per chat by the dispatcher
    const { rows: alerts } = await db.pool.query<{ id: number }>(
      `SELECT a.id FROM alert a JOIN use_case_deployment x ON x.id = a.use_case_deployment_id JOIN deployment d ON d.id = x.deployment_id
       WHERE d.assigned_csm_id = $1 AND a.kind = 'new_use_case' ORDER BY a.id`,
      [await csmId(db, ANNA)],
    );
    expect(summary.payload.alertIds).toEqual(alerts.map((a) => a.id));
  });

  it("follows BATCH_OVER from the settings", async () => {
    db = await createTestDatabase(kind);
    await refreshWithNew(db, { [ANNA]: 2 }, 1);
    expect((await outbox(db)).map((r) => r.kind)).toEqual(["summary"]);
  });

  it("posts the summary as one message per chat, redraws it when an item is handled, and sends an item's card on request", async () => {
    db = await createTestDatabase(kind);
    await refreshWithNew(db, { [ANNA]: 7 });
    const slack = new RecordingPort("slack");
    const webex = new RecordingPort("webex");
    const now = () => new Date("2026-11-20T10:00:00Z");
    const dispatcher = createDispatcher({ pool: db.pool, prisma: db.prisma, config, ports: [slack, webex], log, render: tagRenderer, tuning: FAST_TUNING, now });
    await dispatcher.drainOnce();
    for (const port of [slack, webex]) {
      expect(port.calls.map((c) => [c.op, c.tag.card])).toEqual([["send", "summary"]]);
      expect(port.calls[0]!.tag.alertIds).toHaveLength(7);
    }
    const posted = slack.calls[0]!;
    const [itemId, showId] = posted.tag.alertIds!;

    // Anna snoozes the first item from the Slack summary.
    const redraws: Promise<unknown>[] = [];
    const deps: ConversationDeps = { db, config, log, now, redraw: (alertId, clicked, change) => void redraws.push(enqueueRedraws(db.pool, alertId, clicked, change)) };
    const anna: ChatIdentity = { channel: "slack", userId: "UANNA", email: ANNA, emailVerified: true };
    const { rows: [alert] } = await db.pool.query<{ version: number }>(`SELECT version FROM alert WHERE id = $1`, [itemId]);
    const clicked = { conversationId: posted.conversationId!, externalId: posted.externalId, alertId: itemId!, shared: false };
    const snoozed = await handleAction(deps, anna, { a: "alert.snooze", v: 1, id: itemId, ev: alert!.version, days: 7 }, { prefix: "/lca " }, clicked);
    expect(snoozed.effects).toContainEqual({ type: "refreshAlert", alertId: itemId });
    await Promise.all(redraws);
    await dispatcher.drainOnce();
    // Both chats' summaries are redrawn in place, as summaries: never turned into the one alert's card.
    expect(slack.calls.slice(1).map((c) => [c.op, c.tag.card, c.replacedId])).toEqual([["replace", "summary", posted.externalId]]);
    expect(webex.calls.slice(1).map((c) => [c.op, c.tag.card, c.replacedId])).toEqual([["replace", "summary", webex.calls[0]!.externalId]]);

    // "Show card": that alert's own card, sent once to where the summary is, a card like any other.
    const show = { a: "alert.show", v: 1, id: showId };
    const answer = await handleAction(deps, anna, show, { prefix: "/lca " }, { ...clicked, alertId: showId! });
    expect(answer.effects).toEqual([]);
    await handleAction(deps, anna, show, { prefix: "/lca " }, { ...clicked, alertId: showId! });
    await dispatcher.drainOnce();
    const shown = slack.calls.slice(2);
    expect(shown.map((c) => [c.op, c.tag.card, c.tag.alertId, c.to])).toEqual([["send", "alert.new_use_case", showId, expect.objectContaining({ kind: "csm", csmId: await csmId(db, ANNA) })]]);
    expect(webex.calls).toHaveLength(2);
    // The shown card is a redraw target now, next to the summary.
    await db.pool.query(`UPDATE alert SET version = version + 1 WHERE id = $1`, [showId]);
    expect(await enqueueRedraws(db.pool, showId!)).toBe(3);
  });

  it("sends a later reminder about a summarized alert as its card (it never had one there)", async () => {
    db = await createTestDatabase(kind);
    await refreshWithNew(db, { [ANNA]: 6 });
    const slack = new RecordingPort("slack");
    const dispatcher = createDispatcher({ pool: db.pool, prisma: db.prisma, config, ports: [slack], log, render: tagRenderer, tuning: FAST_TUNING });
    await dispatcher.drainOnce();
    const [first] = slack.calls[0]!.tag.alertIds!;
    const anna = await csmId(db, ANNA);
    await db.pool.query(
      `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key) VALUES ('slack', $1, $2, $3, 'reminder', $4, 'test:reminder')`,
      [`csm:${anna}`, anna, first, JSON.stringify({ alertId: first, notice: 1 })],
    );
    await dispatcher.drainOnce();
    expect(slack.calls.slice(1).map((c) => [c.op, c.tag.card, c.tag.alertId, c.tag.reminder, c.message.thread ?? null])).toEqual([["send", "alert.new_use_case", first, 1, null]]);
  });

  it("does not send a summary whose alerts were all resolved before it went out", async () => {
    db = await createTestDatabase(kind);
    await refreshWithNew(db, { [ANNA]: 6 });
    await db.pool.query(`UPDATE alert SET status = 'resolved', resolved_at = now() WHERE kind = 'new_use_case'`);
    const slack = new RecordingPort("slack");
    const dispatcher = createDispatcher({ pool: db.pool, prisma: db.prisma, config, ports: [slack], log, render: tagRenderer, tuning: FAST_TUNING });
    await dispatcher.drainOnce();
    expect(slack.calls).toEqual([]);
  });
});
