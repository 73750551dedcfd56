import { afterAll, describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/delivery/dispatcher.js";
import { enqueueRedraws } from "../../src/delivery/refresh.js";
import { markThreaded } from "../../src/delivery/thread.js";
import { createLogger } from "../../src/log.js";
import { createTestDatabase, DB_KINDS, type DbKind, type TestDatabase } from "../support/db.js";
import { addAlert, deliveryConfig, FAST_TUNING, enqueue, outboxRows, RecordingPort, seedPortfolio, tagRenderer, type Portfolio } from "../support/delivery.js";

const log = createLogger("silent");


const databases = new Map<DbKind, Promise<TestDatabase>>();
afterAll(async () => {
  await Promise.all([...databases.values()].map(async (db) => (await db).close()));
});

async function setup(kind: DbKind, render: "tag" | "real" = "tag"): Promise<{ db: TestDatabase; portfolio: Portfolio; slack: RecordingPort; webex: RecordingPort; drain: () => Promise<unknown> }> {
  if (!databases.has(kind)) databases.set(kind, createTestDatabase(kind));
  const db = await databases.get(kind)!;
  await db.pool.query(`TRUNCATE outbox_message, outbox_hold, alert, recommendation, use_case_deployment, deployment, customer, use_case, csm RESTART IDENTITY CASCADE`);
  const portfolio = await seedPortfolio(db.pool, { csms: 2, useCases: 2, ruCsms: 1 });
  const slack = new RecordingPort("slack");
  const webex = new RecordingPort("webex");
  const dispatcher = createDispatcher({
    pool: db.pool,
    prisma: db.prisma,
    config: deliveryConfig(),
    ports: [slack, webex],
    log,
    ...(render === "tag" ? { render: tagRenderer } : {}),
    tuning: FAST_TUNING,
  });
  return { db, portfolio, slack, webex, drain: () => dispatcher.drainOnce() };
}

const reminder = (channel: "slack" | "webex", destination: string, alertId: number, n: number) => ({ channel, destination, kind: "reminder", alertId, payload: { alertId, notice: n } });

describe.each(DB_KINDS)("reminders in the card's thread (%s)", (kind) => {
  it("posts a reminder under the card it follows, then redraws that card", async () => {
    const s = await setup(kind);
    const csm = `csm:${s.portfolio.csmIds[1]}`;
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await enqueue(s.db.pool, [{ channel: "slack", destination: csm, alertId: alert }]);
    await s.drain();
    const card = s.slack.calls[0]!;
    expect(card).toMatchObject({ op: "send", tag: { card: "alert.stalled", alertId: alert } });
    expect(card.message.thread).toBeUndefined();

    const [reminderRow] = await enqueue(s.db.pool, [reminder("slack", csm, alert, 1)]);
    await s.drain();
    expect(s.slack.calls[1]).toMatchObject({ op: "send", tag: { card: "notice" }, message: { thread: { conversationId: card.conversationId, parentId: card.externalId } } });
    await s.drain();
    expect(s.slack.calls[2]).toMatchObject({ op: "replace", replacedId: card.externalId, tag: { card: "alert.stalled", alertId: alert } });
    expect(s.slack.calls).toHaveLength(3);
    const { rows } = await s.db.pool.query<{ thread_of: number }>(`SELECT (payload ->> 'threadOf')::int AS thread_of FROM outbox_message WHERE id = $1`, [reminderRow]);
    expect(rows[0]!.thread_of).toBeGreaterThan(0);

    // The reply is no card: a later change redraws the card once, never the reply.
    await s.db.pool.query(`UPDATE alert SET version = version + 1 WHERE id = $1`, [alert]);
    expect(await enqueueRedraws(s.db.pool, alert)).toBe(1);
  });

  it("sends the reminder as the card when none was sent to that destination on that chat", async () => {
    const s = await setup(kind);
    const csm = `csm:${s.portfolio.csmIds[1]}`;
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await enqueue(s.db.pool, [{ channel: "webex", destination: csm, alertId: alert }]);
    await s.drain();
    await enqueue(s.db.pool, [reminder("slack", csm, alert, 2)]);
    await s.drain();
    expect(s.slack.calls).toHaveLength(1);
    expect(s.slack.calls[0]).toMatchObject({ op: "send", tag: { card: "alert.stalled", reminder: 2 } });
    expect(s.slack.calls[0]!.message.thread).toBeUndefined();
  });

  it("tells Webex that a card with replies heads a thread, so its redraw keeps it", async () => {
    const s = await setup(kind);
    const room = "ROOM-TEAM";
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await enqueue(s.db.pool, [{ channel: "webex", destination: room, alertId: alert }]);
    await s.drain();
    const card = s.webex.calls[0]!;
    await enqueue(s.db.pool, [reminder("webex", room, alert, 1)]);
    await s.drain();
    await s.drain();
    const [, reply, redraw] = s.webex.calls;
    expect(reply).toMatchObject({ op: "send", message: { thread: { conversationId: room, parentId: card.externalId } } });
    expect(redraw).toMatchObject({ op: "replace", replacedId: card.externalId, message: { thread: { conversationId: room, parentId: card.externalId } } });
    expect((await outboxRows(s.db.pool, "kind = 'refresh'")).map((r) => r.status)).toEqual(["sent"]);
  });

  it("keeps the thread of a card whose click was answered under it: the click's redraw and every later one tell the port", async () => {
    const s = await setup(kind);
    const [clickedAlert, refusedAlert, plainAlert] = [await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled"), await addAlert(s.db.pool, s.portfolio.ucdIds[1]!, "stalled"), await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "regression")];
    // A room each, so no two are coalesced into one card.
    const roomOf = (alertId: number) => `ROOM-${alertId}`;
    const room = roomOf(clickedAlert);
    await enqueue(s.db.pool, [clickedAlert, refusedAlert, plainAlert].map((alertId) => ({ channel: "webex" as const, destination: roomOf(alertId), alertId })));
    await s.drain();
    const cardOf = (alertId: number) => s.webex.calls.find((c) => c.op === "send" && c.tag.alertId === alertId)!;
    const clicked = cardOf(clickedAlert);
    const redrawOf = (alertId: number) => s.webex.calls.filter((c) => c.op === "replace" && c.tag.alertId === alertId).at(-1)!;
    // A click answered in the card's thread (the receipt): its own redraw keeps the card, in the thread.
    await s.db.pool.query(`UPDATE alert SET version = version + 1`);
    await enqueueRedraws(s.db.pool, clickedAlert, { chat: "webex", conversationId: clicked.conversationId!, externalId: clicked.externalId, alertId: clickedAlert, destination: room, csmId: null, threaded: true });
    // A refused form answered under its card: nothing redraws it now, the card is only marked.
    await markThreaded(s.db.pool, { chat: "webex", alertId: refusedAlert, externalId: cardOf(refusedAlert).externalId });
    await s.drain();
    expect(redrawOf(clickedAlert)).toMatchObject({ replacedId: clicked.externalId, message: { thread: { conversationId: room, parentId: clicked.externalId } } });
    // A later change made elsewhere: the clicked and the refused cards keep their threads; a card nobody answered under is reposted.
    await s.db.pool.query(`UPDATE alert SET version = version + 1`);
    for (const alertId of [clickedAlert, refusedAlert, plainAlert]) await enqueueRedraws(s.db.pool, alertId);
    await s.drain();
    expect(redrawOf(clickedAlert).message.thread).toBeDefined();
    expect(redrawOf(refusedAlert)).toMatchObject({ replacedId: cardOf(refusedAlert).externalId, message: { thread: { conversationId: roomOf(refusedAlert), parentId: cardOf(refusedAlert).externalId } } });
    expect(redrawOf(plainAlert).message.thread).toBeUndefined();
  });

  it("tells a change made in another chat under the alert's card in the preview, once per inbox, and none for the preview's own", async () => {
    const s = await setup(kind);
    const csmId = s.portfolio.csmIds[1]!;
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    const { rows: cards } = await s.db.pool.query<{ id: number }>(
      `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, status, dedupe_key)
       SELECT 'preview', $1, $2, $3, k, json_build_object('alertId', $3::int, 'notice', n), 'sent', 'preview-card:' || n FROM (VALUES ('alert', 0), ('reminder', 1)) AS v(k, n)
       RETURNING id`,
      [`csm:${csmId}`, csmId, alert],
    );
    const change = { chat: "slack", actorName: "James", outcome: { key: "snoozed" as const, params: { days: 7 as const } } };
    await enqueueRedraws(s.db.pool, alert, undefined, change);
    await enqueueRedraws(s.db.pool, alert, undefined, change); // the same change again: written once
    await enqueueRedraws(s.db.pool, alert, undefined, { ...change, chat: "preview" });
    const { rows } = await s.db.pool.query<{ thread_of: number; change: unknown; channel: string }>(`SELECT (payload ->> 'threadOf')::int AS thread_of, payload -> 'change' AS change, channel::text FROM outbox_message WHERE kind = 'notice'`);
    expect(rows).toEqual([{ thread_of: Number(cards[0]!.id), change, channel: "preview" }]);
  });

  it.each([
    // Days in stage as they are when sent (counted from the stage's start), against the threshold.
    ["ru", 0, [/Напоминание 3/, /: \d+ (день|дня|дней) на этапе «Внедрение», порог 45 дней\./]],
    ["en", 1, [/Reminder 3/, /: \d+ days? in Implement, threshold 45 days\./]],
  ] as const)("words the reminder in %s: customer, use case, days in stage against the threshold, its number", async (_locale, who, expected) => {
    const s = await setup(kind, "real");
    const csm = `csm:${s.portfolio.csmIds[who]}`;
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await enqueue(s.db.pool, [{ channel: "slack", destination: csm, alertId: alert }]);
    await s.drain();
    await enqueue(s.db.pool, [reminder("slack", csm, alert, 3)]);
    await s.drain();
    const text = JSON.stringify(s.slack.calls[1]!.message.card);
    const { rows } = await s.db.pool.query<{ customer: string; use_case: string }>(
      `SELECT c.name AS customer, uc.name AS use_case FROM use_case_deployment ucd JOIN deployment d ON d.id = ucd.deployment_id JOIN customer c ON c.id = d.customer_id JOIN use_case uc ON uc.id = ucd.use_case_id WHERE ucd.id = $1`,
      [s.portfolio.ucdIds[0]],
    );
    for (const pattern of expected) expect(text).toMatch(pattern);
    expect(text).toContain(`${rows[0]!.customer} · ${rows[0]!.use_case}: `);
  });

  it("tells a change made in one chat under the alert's cards in the others, one notice per change, after the redraw", async () => {
    const s = await setup(kind);
    const csm = `csm:${s.portfolio.csmIds[1]}`;
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await enqueue(s.db.pool, [
      { channel: "slack", destination: csm, alertId: alert },
      { channel: "webex", destination: csm, alertId: alert },
    ]);
    await s.drain();
    const slackCard = s.slack.calls[0]!;
    const assigned = { chat: "webex", actorName: "Anna", outcome: { key: "assigned" as const, params: { name: "Anna" } } };
    const snoozed = { chat: "webex", actorName: "Anna", outcome: { key: "snoozed" as const, params: { days: 7 as const } } };
    // Two changes before the dispatcher gets to them: one redraw, both told.
    expect(await enqueueRedraws(s.db.pool, alert, undefined, assigned)).toBe(2);
    await s.db.pool.query(`UPDATE alert SET version = version + 1 WHERE id = $1`, [alert]);
    expect(await enqueueRedraws(s.db.pool, alert, undefined, snoozed)).toBe(2);
    await s.drain();
    await s.drain();
    expect(s.slack.calls.slice(1).map((c) => [c.op, c.tag.card])).toEqual([["replace", "alert.stalled"], ["send", "notice"], ["send", "notice"]]);
    // Under the card as it is after its redraw (this recording port gives the new state a new id).
    const redrawn = s.slack.calls[1]!;
    expect(redrawn.replacedId).toBe(slackCard.externalId);
    for (const notice of s.slack.calls.slice(2)) expect(notice.message.thread).toEqual({ conversationId: slackCard.conversationId, parentId: redrawn.externalId });
    // The chat the change was made in shows it on its own card: no notice there.
    expect(s.webex.calls.slice(1).map((c) => c.op)).toEqual(["replace"]);
    const { rows } = await s.db.pool.query<{ key: string }>(`SELECT payload -> 'view' -> 'text' -> 'params' -> 'what' ->> 'key' AS key FROM outbox_message WHERE kind = 'notice' ORDER BY id`);
    expect(rows.map((r) => r.key)).toEqual(["cards.receipt.assigned", "cards.receipt.snoozed"]);
  });

  it.each([
    ["en", 1, /Changed in Webex.*: Deployment assigned to Анна Петрова, by Анна Петрова in Webex/],
    ["ru", 0, /Изменено в Webex.*: Развёртывание назначено: Анна Петрова \(Анна Петрова, Webex\)/],
  ] as const)("words the change notice in %s", async (_locale, who, pattern) => {
    const s = await setup(kind, "real");
    const csm = `csm:${s.portfolio.csmIds[who]}`;
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await enqueue(s.db.pool, [{ channel: "slack", destination: csm, alertId: alert }]);
    await s.drain();
    await enqueueRedraws(s.db.pool, alert, undefined, { chat: "webex", actorName: "Анна Петрова", outcome: { key: "assigned", params: { name: "Анна Петрова" } } });
    await s.drain();
    await s.drain();
    expect(JSON.stringify(s.slack.calls[2]!.message.card)).toMatch(pattern);
  });
});
