import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { enqueueRedraws } from "../../src/delivery/refresh.js";
import { createDispatcher, type DispatcherTuning } from "../../src/delivery/dispatcher.js";
import { listOutbox, retryDead } from "../../src/delivery/outbox-cli.js";
import { claim } from "../../src/delivery/store.js";
import { createLogger } from "../../src/log.js";
import { metricsRouter, registry } from "../../src/metrics.js";
import { createTestDatabase, DB_KINDS, type DbKind, type TestDatabase } from "../support/db.js";
import { MAX_RETRY_AFTER_MS } from "../../src/delivery/dispatcher-failure.js";
import {
  addAlert,
  deliveryConfig,
  enqueue,
  markerNotice,
  outboxRows,
  RecordingPort,
  seedPortfolio,
  tagRenderer,
  type Portfolio,
  until,
  FAST_TUNING,
} from "../support/delivery.js";

const log = createLogger("silent");

/** The shared fast settings, with a backoff the retry tests count on. */
const FAST: Partial<DispatcherTuning> = { ...FAST_TUNING, backoff: { baseMs: 1_000, factor: 2, maxMs: 60_000 } };

interface Setup {
  db: TestDatabase;
  portfolio: Portfolio;
  slack: RecordingPort;
  webex: RecordingPort;
  dispatcher(tuning?: Partial<DispatcherTuning>, options?: { config?: Record<string, string>; render?: "real" }): ReturnType<typeof createDispatcher>;
}

/** One database per kind for the file (PGlite takes seconds to start), emptied before each test. */
const databases = new Map<DbKind, Promise<TestDatabase>>();
afterAll(async () => {
  await Promise.all([...databases.values()].map(async (db) => (await db).close()));
});

async function setup(kind: DbKind): Promise<Setup> {
  if (!databases.has(kind)) databases.set(kind, createTestDatabase(kind));
  const db = await databases.get(kind)!;
  await db.pool.query(`TRUNCATE outbox_message, outbox_hold, alert, recommendation, use_case_deployment, deployment, customer, use_case, csm RESTART IDENTITY CASCADE`);
  const portfolio = await seedPortfolio(db.pool, { csms: 4, useCases: 8, ruCsms: 1 });
  const slack = new RecordingPort("slack");
  const webex = new RecordingPort("webex");
  return {
    db,
    portfolio,
    slack,
    webex,
    dispatcher: (tuning = {}, options = {}) =>
      createDispatcher({
        pool: db.pool,
        prisma: db.prisma,
        config: deliveryConfig(options.config),
        ports: [slack, webex],
        log,
        ...(options.render === "real" ? {} : { render: tagRenderer }),
        tuning: { ...FAST, ...tuning },
      }),
  };
}

/** The database's clock, read the way timestamp columns are read. */
const dbNow = async (db: TestDatabase): Promise<number> => (await db.pool.query<{ t: Date }>(`SELECT now()::timestamp(3) AS t`)).rows[0]!.t.getTime();
const ms = (d: Date): number => d.getTime();
const texts = (port: RecordingPort, destination?: string) =>
  port.calls.filter((c) => !destination || (c.to?.kind === "room" ? c.to.address : `csm:${c.to?.kind === "csm" ? c.to.csmId : ""}`) === destination).map((c) => c.tag.text?.replace("delivery test ", ""));

describe.each(DB_KINDS)("outbox dispatcher on %s", (kind) => {
  it("sends each destination's rows in id order and holds row N+1 while row N waits for its retry", async () => {
    const s = await setup(kind);
    const a = `csm:${s.portfolio.csmIds[1]}`;
    const ids = await enqueue(s.db.pool, [
      { channel: "slack", destination: a, payload: markerNotice(1) },
      { channel: "slack", destination: "C-TEAM", payload: markerNotice("t1") },
      { channel: "slack", destination: a, payload: markerNotice(2) },
      { channel: "slack", destination: a, payload: markerNotice(3) },
      { channel: "slack", destination: "C-TEAM", payload: markerNotice("t2") },
    ]);
    let failed = false;
    s.slack.script = ({ tag }) => {
      if (!tag.text?.endsWith("m:2") || failed) return undefined;
      failed = true;
      return { ok: false, retryable: true, reason: "HTTP 500" };
    };
    const d = s.dispatcher();
    const before = await dbNow(s.db);
    const first = await d.drainOnce();
    const after = await dbNow(s.db);
    expect(texts(s.slack, a)).toEqual(["m:1"]);
    expect(texts(s.slack, "C-TEAM")).toEqual(["m:t1", "m:t2"]);
    expect(first).toMatchObject({ sent: 3, retry: 1 });
    const [, , two, three] = await outboxRows(s.db.pool);
    expect(two).toMatchObject({ id: ids[2], status: "failed", attempts: 1, last_error: "HTTP 500" });
    // Backoff after the first failure: base 1 s with equal jitter, so 0.5 to 1 s.
    expect(ms(two!.next_attempt_at)).toBeGreaterThanOrEqual(before + 500);
    expect(ms(two!.next_attempt_at)).toBeLessThanOrEqual(after + 1_000);
    expect(three).toMatchObject({ status: "pending", attempts: 0 });

    await s.db.pool.query(`UPDATE outbox_message SET next_attempt_at = now() WHERE id = $1`, [ids[2]]);
    await d.drainOnce();
    expect(texts(s.slack, a)).toEqual(["m:1", "m:2", "m:3"]);
    expect((await outboxRows(s.db.pool)).map((r) => r.status)).toEqual(["sent", "sent", "sent", "sent", "sent"]);
  });

  it("waits exactly the Retry-After of a 429 for that destination, without counting it as an attempt", async () => {
    const s = await setup(kind);
    const [id] = await enqueue(s.db.pool, [
      { channel: "webex", destination: "ROOM-1", payload: markerNotice(1) },
      { channel: "webex", destination: "ROOM-2", payload: markerNotice(2) },
    ]);
    s.webex.script = ({ tag }) => (tag.text?.endsWith("m:1") ? { ok: false, retryable: true, retryAfterMs: 7_000, reason: "429 Too Many Requests" } : undefined);
    const before = await dbNow(s.db);
    const counts = await s.dispatcher().drainOnce();
    const after = await dbNow(s.db);
    expect(counts).toMatchObject({ sent: 1, rate_limited: 1 });
    expect(texts(s.webex)).toEqual(["m:2"]); // the other room is not held up
    const [row] = await outboxRows(s.db.pool, "id = $1", [id]);
    expect(row).toMatchObject({ status: "failed", attempts: 0 });
    expect(row!.last_error).toContain("retry after 7000 ms");
    expect(ms(row!.next_attempt_at)).toBeGreaterThanOrEqual(before + 7_000);
    expect(ms(row!.next_attempt_at)).toBeLessThanOrEqual(after + 7_000);
    expect(await registry.getSingleMetricAsString("lca_chat_rate_limited_total")).toMatch(/channel="webex"[^\n]* [1-9]/);
  });

  it("holds a 429 for an hour at most, whatever its Retry-After says", async () => {
    const s = await setup(kind);
    const [id] = await enqueue(s.db.pool, [{ channel: "slack", destination: "C-1", payload: markerNotice(1) }]);
    s.slack.script = () => ({ ok: false, retryable: true, retryAfterMs: 30 * 86_400_000, reason: "429 Too Many Requests" });
    const before = await dbNow(s.db);
    await s.dispatcher().drainOnce();
    const after = await dbNow(s.db);
    const [row] = await outboxRows(s.db.pool, "id = $1", [id]);
    expect(row).toMatchObject({ status: "failed", attempts: 0 });
    expect(ms(row!.next_attempt_at)).toBeGreaterThanOrEqual(before + MAX_RETRY_AFTER_MS);
    expect(ms(row!.next_attempt_at)).toBeLessThanOrEqual(after + MAX_RETRY_AFTER_MS);
  });

  it("holds every row to a 429's destination until Retry-After, whatever the row's own due time, and only there", async () => {
    const s = await setup(kind);
    const [first] = await enqueue(s.db.pool, [
      { channel: "slack", destination: "C-LIMITED", payload: markerNotice(1) },
      { channel: "slack", destination: "C-OTHER", payload: markerNotice(2) },
    ]);
    s.slack.script = ({ tag }) => (tag.text?.endsWith("m:1") ? { ok: false, retryable: true, retryAfterMs: 7_000, reason: "429 Too Many Requests" } : undefined);
    const before = await dbNow(s.db);
    expect(await s.dispatcher().drainOnce()).toMatchObject({ sent: 1, rate_limited: 1 });
    const [hold] = (await s.db.pool.query<{ channel: string; destination: string; held_until: Date }>(`SELECT channel::text, destination, held_until FROM outbox_hold`)).rows;
    expect(hold).toMatchObject({ channel: "slack", destination: "C-LIMITED" });
    expect(ms(hold!.held_until)).toBeGreaterThanOrEqual(before + 7_000);
    // The row itself due now (as another 429's shorter wait would leave it): the hold still keeps the destination waiting.
    await s.db.pool.query(`UPDATE outbox_message SET next_attempt_at = now() WHERE id = $1`, [first]);
    await enqueue(s.db.pool, [
      { channel: "slack", destination: "C-OTHER", payload: markerNotice(3) },
      { channel: "webex", destination: "C-LIMITED", payload: markerNotice(4) },
    ]);
    await s.dispatcher().drainOnce();
    expect(texts(s.slack)).toEqual(["m:2", "m:3"]);
    expect(texts(s.webex)).toEqual(["m:4"]);
    // Once the hold has passed (and the chat takes it), the destination's row goes.
    s.slack.script = () => undefined;
    await s.db.pool.query(`UPDATE outbox_hold SET held_until = now() - interval '1 second'`);
    await s.dispatcher().drainOnce();
    expect(texts(s.slack)).toEqual(["m:2", "m:3", "m:1"]);
  });

  it("holds every destination of the chat when its 429 covers the whole bot (Webex)", async () => {
    const s = await setup(kind);
    await enqueue(s.db.pool, [
      { channel: "webex", destination: "ROOM-1", payload: markerNotice(1) },
      { channel: "webex", destination: "ROOM-2", payload: markerNotice(2) },
      { channel: "slack", destination: "ROOM-3", payload: markerNotice(3) },
    ]);
    s.webex.script = ({ tag }) => (tag.text?.endsWith("m:1") ? { ok: false, retryable: true, retryAfterMs: 5_000, retryAfterCovers: "chat", reason: "429 Too Many Requests" } : undefined);
    // One message in flight at a time: ROOM-1's 429 is answered before ROOM-2's turn.
    expect(await s.dispatcher({ prepareConcurrency: 1 }).drainOnce()).toMatchObject({ rate_limited: 1 });
    expect(texts(s.webex)).toEqual([]); // ROOM-1 met the 429, ROOM-2 waits with it
    expect(texts(s.slack)).toEqual(["m:3"]);
    expect((await s.db.pool.query(`SELECT channel::text, destination FROM outbox_hold`)).rows).toEqual([{ channel: "webex", destination: "*" }]);
  });

  it("does not send an alert resolved before its turn: it is superseded", async () => {
    const s = await setup(kind);
    const csm = `csm:${s.portfolio.csmIds[0]}`;
    const resolved = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    const openAlert = await addAlert(s.db.pool, s.portfolio.ucdIds[1]!, "stalled");
    await enqueue(s.db.pool, [
      { channel: "slack", destination: csm, alertId: resolved },
      { channel: "slack", destination: csm, alertId: openAlert },
    ]);
    await s.db.pool.query(`UPDATE alert SET status = 'resolved', resolved_at = now(), resolution = 'progressed' WHERE id = $1`, [resolved]);
    await s.dispatcher().drainOnce();
    expect(s.slack.calls.map((c) => c.tag.alertId)).toEqual([openAlert]);
    const rows = await outboxRows(s.db.pool);
    expect(rows.map((r) => r.status)).toEqual(["superseded", "sent"]);
    expect(rows[0]!.last_error).toBe("alert resolved before sending");
  });

  it("does not send an alert resolved while its card waited for the destination's pacing slot", async () => {
    const s = await setup(kind);
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    const [first, second] = await enqueue(s.db.pool, [
      { channel: "slack", destination: "C-PACED", payload: markerNotice(1) },
      { channel: "slack", destination: "C-PACED", alertId: alert },
    ]);
    const d = s.dispatcher({ minIntervalMs: { slack: 1_500, webex: 0 }, horizonMs: 2_000 });
    d.start();
    try {
      // The card is claimed (planned, rendered) and waits for its slot; the snapshot resolves the alert meanwhile.
      await until(async () => (await outboxRows(s.db.pool, "id = $1", [first])).at(0)?.status === "sent", 10_000, "the first message sent");
      await until(async () => (await outboxRows(s.db.pool, "id = $1", [second])).at(0)?.status === "sending", 10_000, "the card claimed, waiting for its slot");
      await s.db.pool.query(`UPDATE alert SET status = 'resolved', resolved_at = now(), resolution = 'progressed' WHERE id = $1`, [alert]);
      await until(async () => (await outboxRows(s.db.pool, "id = $1", [second])).at(0)?.status === "superseded", 10_000, "the card superseded");
    } finally {
      await d.stop(2_000);
    }
    expect(s.slack.calls.map((c) => c.tag.text?.replace("delivery test ", "") ?? `alert ${c.tag.alertId}`)).toEqual(["m:1"]);
    expect((await outboxRows(s.db.pool, "id = $1", [second]))[0]!.last_error).toBe("alert resolved before sending (last check)");
  });

  it("coalesces alerts about one use case to one destination into one card, in the place of the first", async () => {
    const s = await setup(kind);
    const csm = `csm:${s.portfolio.csmIds[0]}`;
    const [u, v] = s.portfolio.ucdIds;
    const stalled = await addAlert(s.db.pool, u!, "stalled");
    const other = await addAlert(s.db.pool, v!, "new_use_case");
    const bounced = await addAlert(s.db.pool, u!, "bounced_contact");
    // One ingest: one transaction, so one created_at.
    const ids = await enqueue(s.db.pool, [
      { channel: "slack", destination: csm, alertId: stalled },
      { channel: "slack", destination: csm, alertId: other },
      { channel: "slack", destination: csm, alertId: bounced },
      { channel: "webex", destination: csm, alertId: stalled },
    ]);
    await s.dispatcher().drainOnce();
    // Slack: the use case's most pressing alert (the bounce) first, then the other use case.
    expect(s.slack.calls.map((c) => c.tag.alertId)).toEqual([bounced, other]);
    // Webex is another destination: its own card.
    expect(s.webex.calls.map((c) => c.tag.alertId)).toEqual([stalled]);
    const rows = await outboxRows(s.db.pool);
    expect(rows.map((r) => r.status)).toEqual(["superseded", "sent", "sent", "sent"]);
    expect(rows[0]!.last_error).toBe(`coalesced into #${ids[2]}`);
  });

  it("coalesces rows written apart within the window, and not those further apart", async () => {
    const s = await setup(kind);
    const csm = `csm:${s.portfolio.csmIds[0]}`;
    const [u, v] = s.portfolio.ucdIds;
    const now = await dbNow(s.db);
    const a1 = await addAlert(s.db.pool, u!, "stalled");
    const a2 = await addAlert(s.db.pool, u!, "regression");
    const b1 = await addAlert(s.db.pool, v!, "stalled");
    const b2 = await addAlert(s.db.pool, v!, "regression");
    await enqueue(s.db.pool, [
      { channel: "slack", destination: csm, alertId: a1, createdAt: new Date(now - 3_500) },
      { channel: "slack", destination: csm, alertId: a2, createdAt: new Date(now - 3_000) }, // 0.5 s later: coalesced
      { channel: "slack", destination: csm, alertId: b1, createdAt: new Date(now - 9_000) },
      { channel: "slack", destination: csm, alertId: b2, createdAt: new Date(now - 4_000) }, // 5 s later: not
    ]);
    await s.dispatcher({ coalesceWindowMs: 2_000 }).drainOnce();
    expect(s.slack.calls.map((c) => c.tag.alertId)).toEqual([a2, b1, b2]);
  });

  it("renders in the reader's language and time zone, a reminder with its number", async () => {
    const s = await setup(kind);
    const [ru, en] = s.portfolio.csmIds;
    await s.db.pool.query(`UPDATE csm SET time_zone = 'Asia/Tokyo' WHERE id = $1`, [en]);
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    const other = await addAlert(s.db.pool, s.portfolio.ucdIds[1]!, "stalled");
    await enqueue(s.db.pool, [
      { channel: "slack", destination: `csm:${ru}`, alertId: alert },
      { channel: "slack", destination: `csm:${en}`, kind: "reminder", alertId: other, payload: { alertId: other, notice: 2 } },
      { channel: "slack", destination: "C-TEAM", alertId: alert },
    ]);
    await s.dispatcher({}, { config: { DEFAULT_LOCALE: "en", TIME_ZONE: "Europe/Berlin" } }).drainOnce();
    const tags = s.slack.calls.map((c) => ({ to: c.to, ...c.tag })).sort((x, y) => (x.to?.kind === "csm" ? x.to.csmId : 99) - (y.to?.kind === "csm" ? y.to.csmId : 99));
    expect(tags).toEqual([
      expect.objectContaining({ alertId: alert, reminder: 0, locale: "ru", timeZone: "Europe/Berlin", to: expect.objectContaining({ kind: "csm", csmId: ru, chatUserId: expect.stringMatching(/^U/) }) }),
      expect.objectContaining({ alertId: other, reminder: 2, locale: "en", timeZone: "Asia/Tokyo" }),
      expect.objectContaining({ alertId: alert, locale: "en", timeZone: "Europe/Berlin", to: { kind: "room", address: "C-TEAM" } }),
    ]);
  });

  it("renders the real card templates: Russian for a Russian CSM", async () => {
    const s = await setup(kind);
    const [ru] = s.portfolio.csmIds;
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await enqueue(s.db.pool, [{ channel: "webex", destination: `csm:${ru}`, alertId: alert }]);
    await s.dispatcher({}, { render: "real" }).drainOnce();
    const [call] = s.webex.calls;
    expect(call!.message.card.type).toBe("AdaptiveCard");
    expect(call!.message.fallbackText).toMatch(/[а-яё]/i);
  });

  it("marks a permanent failure dead with its reason and tells each admin once", async () => {
    const s = await setup(kind);
    await enqueue(s.db.pool, [
      { channel: "slack", destination: "C-GONE", payload: markerNotice(1) },
      { channel: "slack", destination: "C-GONE", payload: markerNotice(2) },
      { channel: "slack", destination: "C-GONE", payload: markerNotice(3) },
    ]);
    s.slack.script = ({ to }) => (to?.kind === "room" && to.address === "C-GONE" ? { ok: false, retryable: false, reason: "channel_not_found" } : undefined);
    const counts = await s.dispatcher().drainOnce();
    const rows = await outboxRows(s.db.pool, "destination = 'C-GONE'");
    expect(rows.map((r) => [r.status, r.last_error, r.attempts])).toEqual([
      ["dead", "channel_not_found", 1],
      ["dead", "channel_not_found", 1],
      ["dead", "channel_not_found", 1],
    ]);
    // One notice to the admin (on the first chat they are on), sent in the same drain.
    const notices = await outboxRows(s.db.pool, "kind = 'notice' AND payload ? 'deliveryFailed'");
    expect(notices.map((n) => [n.destination, n.status])).toEqual([[`csm:${s.portfolio.adminId}`, "sent"]]);
    expect(counts).toMatchObject({ dead: 3, sent: 1 });
    expect(s.slack.calls.map((c) => [c.tag.card, c.to])).toEqual([["notice", expect.objectContaining({ kind: "csm", csmId: s.portfolio.adminId })]]);
    expect(s.webex.calls).toEqual([]);

    // The same failure again, before the room ever worked: no new notice.
    await enqueue(s.db.pool, [{ channel: "slack", destination: "C-GONE", payload: markerNotice(4) }]);
    await s.dispatcher().drainOnce();
    expect(await outboxRows(s.db.pool, "kind = 'notice' AND payload ? 'deliveryFailed'")).toHaveLength(1);

    // The room works again, then breaks again: a new episode, a new notice.
    s.slack.script = () => undefined;
    await enqueue(s.db.pool, [{ channel: "slack", destination: "C-GONE", payload: markerNotice(5) }]);
    await s.dispatcher().drainOnce();
    s.slack.script = ({ to }) => (to?.kind === "room" ? { ok: false, retryable: false, reason: "channel_not_found" } : undefined);
    await enqueue(s.db.pool, [{ channel: "slack", destination: "C-GONE", payload: markerNotice(6) }]);
    await s.dispatcher().drainOnce();
    expect(await outboxRows(s.db.pool, "kind = 'notice' AND payload ? 'deliveryFailed'")).toHaveLength(2);
  });

  it("keeps retrying past maxAttempts while the message is younger than the retry window", async () => {
    const s = await setup(kind);
    const [id] = await enqueue(s.db.pool, [{ channel: "slack", destination: "C-DOWN", payload: markerNotice(7) }]);
    let down = true;
    s.slack.script = ({ to }) => (down && to?.kind === "room" ? { ok: false, retryable: true, reason: "HTTP 503" } : undefined);
    const d = s.dispatcher({ retryWindowMs: 3_600_000 });
    for (let i = 0; i < 6; i++) {
      await d.drainOnce();
      await s.db.pool.query(`UPDATE outbox_message SET next_attempt_at = now() WHERE id = $1 AND status = 'failed'`, [id]);
    }
    expect((await outboxRows(s.db.pool, "id = $1", [id]))[0]).toMatchObject({ status: "failed", attempts: 6 });
    down = false;
    await d.drainOnce();
    expect(texts(s.slack, "C-DOWN")).toEqual(["m:7"]);
  });

  it("gives up after maxAttempts (dead), lists it, and `outbox retry` requeues it", async () => {
    const s = await setup(kind);
    const [id] = await enqueue(s.db.pool, [{ channel: "slack", destination: "C-FLAKY", payload: markerNotice(1) }]);
    let down = true;
    s.slack.script = ({ to }) => (down && to?.kind === "room" ? { ok: false, retryable: true, reason: "HTTP 503" } : undefined);
    const d = s.dispatcher({ retryWindowMs: 0 });
    for (let i = 0; i < 3; i++) {
      await d.drainOnce();
      await s.db.pool.query(`UPDATE outbox_message SET next_attempt_at = now() WHERE id = $1 AND status = 'failed'`, [id]);
    }
    const [dead] = await outboxRows(s.db.pool, "id = $1", [id]);
    expect(dead).toMatchObject({ status: "dead", attempts: 3, last_error: "gave up after 3 attempts: HTTP 503" });

    const listing = await listOutbox(s.db.pool);
    expect(listing.counts.dead).toBe(1);
    expect(listing.oldest.dead.map((r) => r.id)).toEqual([id]);
    expect(listing.text).toContain(`#${id}`);
    expect(listing.text).toContain("gave up after 3 attempts");

    expect(await retryDead(s.db.pool, { ids: [id!, 999_999] })).toEqual({ requeued: [id], skipped: [999_999] });
    expect((await outboxRows(s.db.pool, "id = $1", [id]))[0]).toMatchObject({ status: "pending", attempts: 0 });
    down = false;
    await d.drainOnce();
    expect(texts(s.slack, "C-FLAKY")).toEqual(["m:1"]);
    expect((await listOutbox(s.db.pool)).counts).toEqual({ pending: 0, sending: 0, failed: 0, dead: 0 });
  });

  it("draws a digest when it is sent; a CSM with nothing open gets none", async () => {
    const s = await setup(kind);
    const [busy, idle] = s.portfolio.csmIds; // use cases are assigned round-robin: the first CSM has ucdIds[0]
    await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await s.db.pool.query(`UPDATE deployment SET assigned_csm_id = $1 WHERE assigned_csm_id = $2`, [busy, idle]);
    // Digests list what the CSM's subscriptions cover: both follow everything on their deployments.
    await s.db.pool.query(`INSERT INTO subscription (csm_id, kinds) SELECT unnest($1::int[]), enum_range(NULL::"AlertKind")`, [[busy, idle]]);
    const rows = await enqueue(s.db.pool, [
      { channel: "webex", destination: `csm:${busy}`, kind: "digest", payload: { csmId: busy, date: "2026-03-02" } },
      { channel: "webex", destination: `csm:${idle}`, kind: "digest", payload: { csmId: idle, date: "2026-03-02" } },
    ]);
    await s.dispatcher().drainOnce();
    expect(s.webex.calls.map((c) => [c.tag.card, c.to?.kind === "csm" ? c.to.csmId : null])).toEqual([["digest", busy]]);
    expect((await outboxRows(s.db.pool, "id = ANY($1)", [rows])).map((r) => [r.status, r.last_error])).toEqual([
      ["sent", null],
      ["superseded", "nothing to put in the digest any more"],
    ]);
  });

  it("fans a person's row written for every chat out to each chat it has, in order, and sends each once", async () => {
    const s = await setup(kind);
    const csm = `csm:${s.portfolio.csmIds[0]}`;
    await enqueue(s.db.pool, [
      { channel: null, destination: csm, payload: markerNotice(1) },
      { channel: null, destination: csm, payload: markerNotice(2) },
    ]);
    const counts = await s.dispatcher().drainOnce();
    expect(counts.sent).toBe(4);
    expect(texts(s.slack, csm)).toEqual(["m:1", "m:2"]);
    expect(texts(s.webex, csm)).toEqual(["m:1", "m:2"]);
    const { rows } = await s.db.pool.query<{ channel: string | null; status: string }>(`SELECT channel::text, status::text FROM outbox_message ORDER BY id`);
    expect(rows).toEqual([
      { channel: null, status: "superseded" },
      { channel: null, status: "superseded" },
      { channel: "slack", status: "sent" },
      { channel: "webex", status: "sent" },
      { channel: "slack", status: "sent" },
      { channel: "webex", status: "sent" },
    ]);
    // A second dispatcher finds nothing left to fan out or send.
    expect((await s.dispatcher().drainOnce()).sent).toBe(0);
  });

  it("never sends to a person outside the partner's domains, whatever wrote the row", async () => {
    const s = await setup(kind);
    const { rows: [outsider] } = await s.db.pool.query<{ id: number }>(
      `INSERT INTO csm (email, name) VALUES ('someone@partner.example.evil.example', 'Someone') RETURNING id`,
    );
    await s.db.pool.query(`INSERT INTO chat_identity (csm_id, chat, user_id) VALUES ($1, 'slack', 'UEVIL')`, [outsider!.id]);
    const { rows: [twoAts] } = await s.db.pool.query<{ id: number }>(`INSERT INTO csm (email, name) VALUES ('x@partner.example@other.example', 'X') RETURNING id`);
    const ids = await enqueue(s.db.pool, [
      { channel: "slack", destination: `csm:${outsider!.id}`, payload: markerNotice(1) },
      { channel: "webex", destination: `csm:${twoAts!.id}`, payload: markerNotice(2) },
      { channel: "slack", destination: "C-TEAM", payload: markerNotice(3) },
    ]);
    await s.dispatcher().drainOnce();
    expect(s.slack.calls.map((c) => c.to)).toEqual([{ kind: "room", address: "C-TEAM" }]);
    expect(s.webex.attempts).toBe(0);
    const rows = await outboxRows(s.db.pool);
    expect(rows.filter((r) => ids.slice(0, 2).includes(r.id)).map((r) => [r.status, r.last_error])).toEqual([
      ["dead", "not sent: someone@partner.example.evil.example is outside the partner's email domains (PARTNER_DOMAINS)"],
      ["dead", "not sent: x@partner.example@other.example is outside the partner's email domains (PARTNER_DOMAINS)"],
    ]);
  });

  it("marks preview rows sent without calling any chat", async () => {
    const s = await setup(kind);
    await enqueue(s.db.pool, [
      { channel: "preview", destination: `csm:${s.portfolio.csmIds[0]}`, payload: markerNotice(1) },
      { channel: "preview", destination: `csm:${s.portfolio.csmIds[0]}`, payload: markerNotice(2) },
    ]);
    const counts = await s.dispatcher().drainOnce();
    expect(counts.preview).toBe(2);
    expect(s.slack.attempts + s.webex.attempts).toBe(0);
    expect((await outboxRows(s.db.pool)).map((r) => r.status)).toEqual(["sent", "sent"]);
  });

  it("refreshes a sent card with the alert as it is now, and keeps the new message id on the original row", async () => {
    const s = await setup(kind);
    const csm = `csm:${s.portfolio.csmIds[0]}`;
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    const [original] = await enqueue(s.db.pool, [{ channel: "slack", destination: csm, alertId: alert }]);
    const d = s.dispatcher();
    await d.drainOnce();
    const [sent] = await outboxRows(s.db.pool, "id = $1", [original]);
    expect(sent).toMatchObject({ status: "sent", external_id: "slack-msg-1", conversation_id: `dm-${s.portfolio.csmIds[0]}` });

    await s.db.pool.query(`UPDATE alert SET status = 'resolved', resolved_at = now(), version = version + 1 WHERE id = $1`, [alert]);
    const refresh = (externalId: string) => ({ channel: "slack" as const, destination: csm, kind: "refresh", alertId: alert, payload: { alertId: alert, externalId, conversationId: sent!.conversation_id } });
    await enqueue(s.db.pool, [refresh("slack-msg-1")]);
    await d.drainOnce();
    expect(s.slack.calls[1]).toMatchObject({ op: "replace", replacedId: "slack-msg-1", externalId: "slack-msg-2", tag: { alertId: alert } });
    expect((await outboxRows(s.db.pool, "id = $1", [original]))[0]!.external_id).toBe("slack-msg-2");

    // A refresh enqueued with the id the card had before: the chain leads to the current message.
    await enqueue(s.db.pool, [refresh("slack-msg-1"), refresh("slack-msg-1")]);
    await d.drainOnce();
    expect(s.slack.calls.slice(2).map((c) => [c.op, c.replacedId])).toEqual([["replace", "slack-msg-2"]]); // the second was redundant
    expect((await outboxRows(s.db.pool, "id = $1", [original]))[0]!.external_id).toBe("slack-msg-3");
    expect((await outboxRows(s.db.pool, "kind = 'refresh'")).map((r) => r.status)).toEqual(["sent", "sent", "superseded"]);
  });

  it("redraws every card of an alert changed in one chat, the clicked one first and once, once per change", async () => {
    const s = await setup(kind);
    const csmId = s.portfolio.csmIds[0]!;
    const csm = `csm:${csmId}`;
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await enqueue(s.db.pool, [
      { channel: "slack", destination: csm, alertId: alert },
      { channel: "webex", destination: csm, alertId: alert },
    ]);
    const d = s.dispatcher();
    await d.drainOnce();
    const [webexCard] = await outboxRows(s.db.pool, "channel = 'webex' AND alert_id = $1", [alert]);
    await s.db.pool.query(`UPDATE alert SET last_action = 'assigned', version = version + 1 WHERE id = $1`, [alert]);
    // Assigned from the Webex card: it goes first (priority), the Slack copy follows; the
    // outbox's own refresh of that same Webex card is redundant and dropped.
    const clicked = { chat: "webex" as const, conversationId: webexCard!.conversation_id!, externalId: webexCard!.external_id!, alertId: alert, destination: csm, csmId };
    expect(await enqueueRedraws(s.db.pool, alert, clicked)).toBe(3);
    expect(await enqueueRedraws(s.db.pool, alert, clicked)).toBe(0);
    await d.drainOnce();
    expect(s.slack.calls.map((c) => c.op)).toEqual(["send", "replace"]);
    expect(s.webex.calls.map((c) => [c.op, c.replacedId ?? null])).toEqual([["send", null], ["replace", webexCard!.external_id]]);
    expect(s.webex.calls[1]!.at).toBeLessThanOrEqual(s.slack.calls[1]!.at);
    const refreshes = await outboxRows(s.db.pool, "kind = 'refresh'");
    expect(refreshes.map((r) => r.status).sort()).toEqual(["sent", "sent", "superseded"]);
  });

  it("redraws a clicked card the outbox never sent (an answer to a command) where it is shown", async () => {
    const s = await setup(kind);
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    const clicked = { chat: "slack" as const, conversationId: "C-TEAM", externalId: "1700000000.000100", alertId: alert, destination: "C-TEAM", csmId: null };
    expect(await enqueueRedraws(s.db.pool, alert, clicked)).toBe(1);
    // A card that shows another alert is not this alert's to redraw.
    expect(await enqueueRedraws(s.db.pool, alert, { ...clicked, alertId: alert + 1 })).toBe(0);
    await s.dispatcher().drainOnce();
    expect(s.slack.calls.map((c) => [c.op, c.conversationId, c.replacedId])).toEqual([["replace", "C-TEAM", "1700000000.000100"]]);
  });

  it("takes again the rows of an instance whose lease expired (a crash)", async () => {
    const s = await setup(kind);
    await enqueue(s.db.pool, [{ channel: "slack", destination: "C-1", payload: markerNotice(1) }]);
    // An instance claims and dies before sending.
    const taken = await claim(s.db.pool, { channels: ["slack"], limit: 10, leaseMs: 300, horizonMs: 0, coalesceWindowMs: 0, minIntervalMs: {} });
    expect(taken).toHaveLength(1);
    const d = s.dispatcher();
    await d.drainOnce();
    expect(s.slack.calls).toHaveLength(0); // still leased
    await new Promise((r) => setTimeout(r, 350));
    await d.drainOnce();
    expect(texts(s.slack)).toEqual(["m:1"]);
    expect((await outboxRows(s.db.pool))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("keeps its claim through a chat call longer than the lease: the heartbeat renews it, nobody else sends the row", async () => {
    const s = await setup(kind);
    const [id] = await enqueue(s.db.pool, [{ channel: "slack", destination: "C-SLOW", payload: markerNotice(1) }]);
    let release = () => undefined as void;
    const answered = new Promise<void>((resolve) => (release = resolve));
    s.slack.script = async () => {
      await answered;
      return undefined;
    };
    const holder = s.dispatcher({ leaseMs: 600, heartbeatMs: 100, sendTimeoutMs: 10_000 });
    const rival = s.dispatcher({ leaseMs: 600, heartbeatMs: 100, sendTimeoutMs: 10_000 });
    holder.start();
    await until(() => s.slack.attempts === 1, 10_000, "the slow call started");
    rival.start();
    await new Promise((r) => setTimeout(r, 2_000)); // more than three leases
    release();
    await until(async () => (await outboxRows(s.db.pool, "id = $1", [id]))[0]?.status === "sent", 10_000, "sent");
    await Promise.all([holder.stop(1_000), rival.stop(1_000)]);
    expect(s.slack.attempts).toBe(1);
    expect(texts(s.slack)).toEqual(["m:1"]);
  });

  it("stops gracefully: finishes the message in flight, gives back the rows it holds", async () => {
    const s = await setup(kind);
    await enqueue(s.db.pool, [
      { channel: "slack", destination: "C-1", payload: markerNotice(1) },
      { channel: "slack", destination: "C-2", payload: markerNotice(2) },
      { channel: "slack", destination: "C-3", payload: markerNotice(3) },
    ]);
    let open!: () => void;
    const latch = new Promise<void>((resolve) => (open = resolve));
    s.slack.script = async ({ n }) => {
      if (n === 0) await latch;
      return undefined;
    };
    const d = s.dispatcher();
    d.start();
    await until(() => s.slack.attempts === 1);
    const stopping = d.stop(5_000);
    setTimeout(open, 100);
    const report = await stopping;
    expect(report).toEqual({ released: 2, abandoned: 0, timedOut: false });
    const rows = await outboxRows(s.db.pool);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ["sent", 1],
      ["pending", 0],
      ["pending", 0],
    ]);
    expect(s.slack.calls).toHaveLength(1);
  });

  it("stops within the timeout even when a chat call hangs; that row's lease then expires", async () => {
    const s = await setup(kind);
    await enqueue(s.db.pool, [{ channel: "slack", destination: "C-1", payload: markerNotice(1) }]);
    s.slack.script = () => new Promise(() => undefined);
    const d = s.dispatcher({ sendTimeoutMs: 4_000 });
    d.start();
    await until(() => s.slack.attempts === 1);
    const started = performance.now();
    const report = await d.stop(300);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(report).toMatchObject({ abandoned: 1, timedOut: true });
    expect((await outboxRows(s.db.pool))[0]!.status).toBe("sending");
  });

  it("reports the outbox depth and the age of the oldest row as gauges", async () => {
    const s = await setup(kind);
    const now = await dbNow(s.db);
    await enqueue(s.db.pool, [
      { channel: "slack", destination: "C-1", payload: markerNotice(1), createdAt: new Date(now - 90_000) },
      { channel: "slack", destination: "C-1", payload: markerNotice(2) },
    ]);
    const app = express();
    app.use("/metrics", metricsRouter({ pool: s.db.pool, log }));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    const text = await res.text();
    server.close();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    for (const family of ["lca_alerts_opened_total", "lca_alerts_resolved_total", "lca_outbox_sends_total", "lca_outbox_retries_total", "lca_chat_rate_limited_total", "lca_card_action_duration_seconds", "lca_ingest_duration_seconds", "process_resident_memory_bytes"]) {
      expect(text).toContain(`# TYPE ${family} `);
    }
    expect(text).toMatch(/lca_outbox_depth\{status="pending"[^}]*\} 2/);
    const age = Number(/lca_outbox_oldest_age_seconds\{[^}]*\} ([\d.]+)/.exec(text)?.[1]);
    expect(age).toBeGreaterThanOrEqual(89);
    expect(age).toBeLessThan(200);
  });
});

describe("several instances on one PostgreSQL", () => {
  it("two dispatchers never send a row twice, keep each destination in order and share its rate limit", async () => {
    const s = await setup("postgres");
    const second = await openDatabase({ kind: "postgres", url: s.db.url! });
    try {
      const destinations = Array.from({ length: 8 }, (_, i) => `C-${i}`);
      const rows = Array.from({ length: 25 }, (_, k) => destinations.map((d) => ({ channel: "slack" as const, destination: d, payload: markerNotice(`${d}-${k}`) }))).flat();
      await enqueue(s.db.pool, rows);
      const shared = new RecordingPort("slack", () => undefined, 2);
      const tuning = { ...FAST, minIntervalMs: { slack: 30, webex: 0 } };
      const make = (pool: typeof s.db.pool, prisma: typeof s.db.prisma) =>
        createDispatcher({ pool, prisma, config: deliveryConfig(), ports: [shared], log, render: tagRenderer, tuning });
      const one = make(s.db.pool, s.db.prisma);
      const two = make(second.pool, second.prisma);
      one.start();
      two.start();
      await until(async () => (await s.db.pool.query(`SELECT count(*)::int AS n FROM outbox_message WHERE status <> 'sent'`)).rows[0].n === 0, 30_000);
      await Promise.all([one.stop(2_000), two.stop(2_000)]);

      expect(shared.calls).toHaveLength(rows.length);
      expect(one.counts.sent).toBeGreaterThan(0);
      expect(two.counts.sent).toBeGreaterThan(0);
      for (const d of destinations) {
        const calls = shared.calls.filter((c) => c.to?.kind === "room" && c.to.address === d);
        expect(calls.map((c) => c.tag.text!.replace(/^.*m:/, ""))).toEqual(Array.from({ length: 25 }, (_, k) => `${d}-${k}`));
        const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30 - 2);
      }
    } finally {
      await second.close();
    }
  });
});
