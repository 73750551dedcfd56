import { afterAll, describe, expect, it } from "vitest";
import { handleAction, handleMessage } from "../../src/actions/conversation.js";
import type { ConversationDeps } from "../../src/actions/context.js";
import { identify, type ChatIdentity } from "../../src/actions/identity.js";
import { createDispatcher } from "../../src/delivery/dispatcher.js";
import { createPlanner } from "../../src/delivery/plan.js";
import { readersOn } from "../../src/delivery/readers.js";
import { enqueueRedraws } from "../../src/delivery/refresh.js";
import type { ClaimedRow } from "../../src/delivery/store.js";
import { createLogger } from "../../src/log.js";
import type { Destination, OutgoingMessage, SendOutcome } from "../../src/protocol/port.js";
import { createTestDatabase, DB_KINDS, type DbKind, type TestDatabase } from "../support/db.js";
import { addAlert, deliveryConfig, enqueue, FAST_TUNING, RecordingPort, seedPortfolio, tagRenderer, type Portfolio } from "../support/delivery.js";

const log = createLogger("silent");
const config = deliveryConfig();

const databases = new Map<DbKind, Promise<TestDatabase>>();
afterAll(async () => {
  await Promise.all([...databases.values()].map(async (db) => (await db).close()));
});

async function setup(kind: DbKind): Promise<{ db: TestDatabase; portfolio: Portfolio; csm: (i: number) => string }> {
  if (!databases.has(kind)) databases.set(kind, createTestDatabase(kind));
  const db = await databases.get(kind)!;
  await db.pool.query(`TRUNCATE outbox_message, outbox_hold, alert, recommendation, use_case_deployment, deployment, customer, use_case, chat_identity, csm RESTART IDENTITY CASCADE`);
  const portfolio = await seedPortfolio(db.pool, { csms: 3, useCases: 3 });
  return { db, portfolio, csm: (i) => `csm:${portfolio.csmIds[i]}` };
}

const quiet = (db: TestDatabase, csmId: number, q: { from?: string; to?: string; weekends?: boolean; zone?: string | null }) =>
  db.pool.query(`UPDATE csm SET quiet_from = $2, quiet_to = $3, quiet_weekends = $4, time_zone = $5 WHERE id = $1`, [csmId, q.from ?? null, q.to ?? null, q.weekends ?? false, q.zone ?? null]);

/** Whether the row waits, pending (not failed), with its attempt given back, until exactly `until`. */
async function waitsUntil(db: TestDatabase, id: number, until: string): Promise<boolean> {
  const { rows } = await db.pool.query<{ ok: boolean }>(
    `SELECT status = 'pending' AND attempts = 0 AND next_attempt_at = to_timestamp($2::double precision / 1000)::timestamp AS ok FROM outbox_message WHERE id = $1`,
    [id, new Date(until).getTime()],
  );
  return rows[0]?.ok === true;
}

const dispatcherAt = (db: TestDatabase, at: string, ports: RecordingPort[]) =>
  createDispatcher({ pool: db.pool, prisma: db.prisma, config, ports, log, render: tagRenderer, tuning: FAST_TUNING, now: () => new Date(at) });

/** A Slack port with a Home: records whose page was published. */
class HomePort extends RecordingPort {
  readonly homes: number[] = [];
  constructor() {
    super("slack");
  }
  async publishHome(to: Extract<Destination, { kind: "csm" }>, _message: OutgoingMessage): Promise<SendOutcome> {
    this.homes.push(to.csmId);
    return { ok: true, externalId: `home-${to.csmId}`, conversationId: `home-${to.csmId}` };
  }
}

/** csm1 on Slack, as the seeded portfolio has them (the first CSM). */
const firstCsm: ChatIdentity = { channel: "slack", userId: "U000001", email: "csm1@partner.example", emailVerified: true };

/** A conversation at `at`, counting the dispatcher's wake-ups. */
function conversationAt(db: TestDatabase, at: string): { deps: ConversationDeps; wakes: () => number } {
  let wakes = 0;
  return { deps: { db, config, log, now: () => new Date(at), wakeDelivery: () => void wakes++ }, wakes: () => wakes };
}

/** Whether the row is due now, in the database's own clock, and no longer marked as waiting out quiet hours. */
async function dueNow(db: TestDatabase, id: number): Promise<boolean> {
  const { rows } = await db.pool.query<{ ok: boolean }>(`SELECT status = 'pending' AND next_attempt_at <= now() AND last_error IS NULL AS ok FROM outbox_message WHERE id = $1`, [id]);
  return rows[0]?.ok === true;
}

// 23:00 in Berlin on Wednesday 1 December 2027; the window 19:00-08:00 ends at 07:00Z on the 2nd.
const BERLIN_23H = "2027-12-01T22:00:00Z";
const BERLIN_MORNING = "2027-12-02T07:00:00Z";

describe.each(DB_KINDS)("quiet hours (%s)", (kind) => {
  it("holds new posts until the window ends in each CSM's own zone, across the night the clocks go back", async () => {
    const s = await setup(kind);
    const [ny, berlin, tokyo] = s.portfolio.csmIds as [number, number, number];
    await quiet(s.db, ny, { from: "19:00", to: "08:00", zone: "America/New_York" });
    await quiet(s.db, berlin, { from: "19:00", to: "08:00", zone: "Europe/Berlin" });
    await quiet(s.db, tokyo, { from: "19:00", to: "08:00", zone: "Asia/Tokyo" });
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    const [toNy, toBerlin, toTokyo] = await enqueue(s.db.pool, [
      { channel: "slack", destination: s.csm(0), alertId: alert },
      { channel: "slack", destination: s.csm(1), kind: "notice" },
      { channel: "slack", destination: s.csm(2), alertId: alert },
    ]);
    const slack = new RecordingPort("slack");
    // Saturday 6 November 2027, 23:00 EDT = 03:00Z on the 7th; New York's clocks go back at 02:00 that night.
    await dispatcherAt(s.db, "2027-11-07T03:00:00Z", [slack]).drainOnce();
    // 08:00 EST on the 7th is 13:00Z (not 12:00Z); Berlin (04:00 CET) opens at 07:00Z; Tokyo is at noon: sent.
    expect(await waitsUntil(s.db, toNy!, "2027-11-07T13:00:00Z")).toBe(true);
    expect(await waitsUntil(s.db, toBerlin!, "2027-11-07T07:00:00Z")).toBe(true);
    expect(slack.calls.map((c) => c.to)).toEqual([expect.objectContaining({ csmId: tokyo })]);
    expect((await s.db.pool.query(`SELECT status::text FROM outbox_message WHERE id = $1`, [toTokyo])).rows[0]).toEqual({ status: "sent" });
  });

  it("lets a delivered card be redrawn during quiet hours (an edit notifies nobody), while a new post waits", async () => {
    const s = await setup(kind);
    const csmId = s.portfolio.csmIds[0]!;
    await quiet(s.db, csmId, { from: "19:00", to: "08:00", zone: "Europe/Berlin" });
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    await enqueue(s.db.pool, [{ channel: "slack", destination: s.csm(0), alertId: alert }]);
    const slack = new RecordingPort("slack");
    await dispatcherAt(s.db, "2027-12-01T12:00:00Z", [slack]).drainOnce();
    expect(slack.calls).toHaveLength(1);
    await s.db.pool.query(`UPDATE alert SET version = version + 1 WHERE id = $1`, [alert]);
    await enqueueRedraws(s.db.pool, alert);
    const [later] = await enqueue(s.db.pool, [{ channel: "slack", destination: s.csm(0), alertId: await addAlert(s.db.pool, s.portfolio.ucdIds[1]!, "stalled") }]);
    // 22:00 in Berlin.
    await dispatcherAt(s.db, "2027-12-01T21:00:00Z", [slack]).drainOnce();
    expect(slack.calls.map((c) => c.op)).toEqual(["send", "replace"]);
    expect(await waitsUntil(s.db, later!, "2027-12-02T07:00:00Z")).toBe(true);
  });

  it("holds whole weekends until Monday, then the night, across the spring-forward weekend (Europe/Berlin)", async () => {
    const s = await setup(kind);
    const csmId = s.portfolio.csmIds[0]!;
    await quiet(s.db, csmId, { from: "19:00", to: "08:00", weekends: true, zone: "Europe/Berlin" });
    const [digest] = await enqueue(s.db.pool, [{ channel: "webex", destination: s.csm(0), kind: "notice" }]);
    const webex = new RecordingPort("webex");
    // Saturday 27 March 2027, 13:00 CET; the clocks go forward on Sunday the 28th. Monday 08:00 CEST = 06:00Z.
    await dispatcherAt(s.db, "2027-03-27T12:00:00Z", [webex]).drainOnce();
    expect(webex.calls).toEqual([]);
    expect(await waitsUntil(s.db, digest!, "2027-03-29T06:00:00Z")).toBe(true);
  });

  it("plans a deferral, not a failure, across America/New_York's change on 1 November 2026", async () => {
    const s = await setup(kind);
    const csmId = s.portfolio.csmIds[0]!;
    await quiet(s.db, csmId, { from: "19:00", to: "08:00", zone: "America/New_York" });
    const plan = createPlanner({ pool: s.db.pool, prisma: s.db.prisma, config, render: tagRenderer, now: () => new Date("2026-11-01T03:00:00Z") });
    const row = (kind: string): ClaimedRow => ({
      id: 1, channel: "slack", destination: s.csm(0), csmId, alertId: null, kind, payload: {}, attempts: 1, createdAt: new Date(), priority: 0, token: "", previous: { status: "pending", nextAttemptAt: "now" }, waitMs: 0, alert: null, siblings: [], takenOverAfterMs: null,
    });
    expect(await plan(row("summary"))).toEqual({ kind: "defer", until: new Date("2026-11-01T13:00:00Z"), reason: expect.stringContaining("America/New_York") });
    expect(await plan(row("digest"))).toMatchObject({ kind: "defer" });
    // A redraw and the Home page go on.
    expect((await plan(row("refresh"))).kind).not.toBe("defer");
    expect((await plan(row("home"))).kind).not.toBe("defer");
  });

  it("sends a card asked for with Show card at 23:00 at once, first, past an alert waiting out the night", async () => {
    const s = await setup(kind);
    const csmId = s.portfolio.csmIds[0]!;
    await quiet(s.db, csmId, { from: "19:00", to: "08:00", zone: "Europe/Berlin" });
    const [held] = await enqueue(s.db.pool, [{ channel: "slack", destination: s.csm(0), alertId: await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled") }]);
    const slack = new RecordingPort("slack");
    await dispatcherAt(s.db, BERLIN_23H, [slack]).drainOnce();
    expect(slack.calls).toEqual([]);
    expect(await waitsUntil(s.db, held!, BERLIN_MORNING)).toBe(true);

    const asked = await addAlert(s.db.pool, s.portfolio.ucdIds[1]!, "stalled");
    const { deps, wakes } = conversationAt(s.db, BERLIN_23H);
    expect((await handleAction(deps, firstCsm, { a: "alert.show", v: 1, id: asked })).effects).toEqual([]);
    expect(wakes()).toBe(1);
    expect((await s.db.pool.query(`SELECT priority FROM outbox_message WHERE alert_id = $1`, [asked])).rows).toEqual([{ priority: 1 }]);
    await dispatcherAt(s.db, BERLIN_23H, [slack]).drainOnce();
    expect(slack.calls.map((c) => [c.op, c.tag.card, c.tag.alertId, c.to])).toEqual([["send", "alert.stalled", asked, expect.objectContaining({ kind: "csm", csmId })]]);
    expect(await waitsUntil(s.db, held!, BERLIN_MORNING)).toBe(true);
  });

  it("publishes a Home row behind a held alert at once, and defers a new post behind it to no earlier than it", async () => {
    const s = await setup(kind);
    const csmId = s.portfolio.csmIds[0]!;
    await quiet(s.db, csmId, { from: "19:00", to: "08:00", zone: "Europe/Berlin" });
    const [held] = await enqueue(s.db.pool, [{ channel: "slack", destination: s.csm(0), alertId: await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled") }]);
    const slack = new HomePort();
    await dispatcherAt(s.db, BERLIN_23H, [slack]).drainOnce();
    expect(await waitsUntil(s.db, held!, BERLIN_MORNING)).toBe(true);

    const [home] = await enqueue(s.db.pool, [{ channel: "slack", destination: s.csm(0), kind: "home", payload: { csmId } }]);
    await dispatcherAt(s.db, BERLIN_23H, [slack]).drainOnce();
    expect(slack.homes).toEqual([csmId]);
    expect((await s.db.pool.query(`SELECT status::text FROM outbox_message WHERE id = $1`, [home])).rows[0]).toEqual({ status: "sent" });
    expect(slack.calls).toEqual([]);

    // The person's zone changed meanwhile (Tokyo's 08:00 is at 23:00Z): a new post still waits for the one before it.
    await quiet(s.db, csmId, { from: "19:00", to: "08:00", zone: "Asia/Tokyo" });
    const [next] = await enqueue(s.db.pool, [{ channel: "slack", destination: s.csm(0), kind: "notice" }]);
    await dispatcherAt(s.db, BERLIN_23H, [slack]).drainOnce();
    expect(await waitsUntil(s.db, next!, BERLIN_MORNING)).toBe(true);
    expect(await waitsUntil(s.db, held!, BERLIN_MORNING)).toBe(true);
  });

  it("releases the rows waiting out the night when the person turns quiet hours off, and no one else's", async () => {
    const s = await setup(kind);
    const [first, second] = s.portfolio.csmIds as [number, number];
    await quiet(s.db, first, { from: "19:00", to: "08:00", zone: "Europe/Berlin" });
    await quiet(s.db, second, { from: "19:00", to: "08:00", zone: "Europe/Berlin" });
    const alert = await addAlert(s.db.pool, s.portfolio.ucdIds[0]!, "stalled");
    const [card, note, other] = await enqueue(s.db.pool, [
      { channel: "slack", destination: s.csm(0), alertId: alert },
      { channel: "slack", destination: s.csm(0), kind: "notice" },
      { channel: "slack", destination: s.csm(1), kind: "notice" },
    ]);
    const slack = new RecordingPort("slack");
    await dispatcherAt(s.db, BERLIN_23H, [slack]).drainOnce();
    for (const id of [card, note, other]) expect(await waitsUntil(s.db, id!, BERLIN_MORNING)).toBe(true);

    const { deps, wakes } = conversationAt(s.db, BERLIN_23H);
    expect((await handleMessage(deps, firstCsm, "quiet off")).effects).toMatchObject([{ card: { view: { text: { key: "chat.done.quietOff" } } } }]);
    expect(wakes()).toBe(1);
    expect([await dueNow(s.db, card!), await dueNow(s.db, note!)]).toEqual([true, true]);
    expect(await waitsUntil(s.db, other!, BERLIN_MORNING)).toBe(true);
    await dispatcherAt(s.db, BERLIN_23H, [slack]).drainOnce();
    expect(slack.calls.map((c) => [c.tag.card, c.to])).toEqual([
      ["alert.stalled", expect.objectContaining({ csmId: first })],
      ["notice", expect.objectContaining({ csmId: first })],
    ]);
  });

  it("re-plans the released rows against new hours: still quiet, they wait for the new end", async () => {
    const s = await setup(kind);
    const csmId = s.portfolio.csmIds[0]!;
    await quiet(s.db, csmId, { from: "19:00", to: "08:00", zone: "Europe/Berlin" });
    const [note] = await enqueue(s.db.pool, [{ channel: "slack", destination: s.csm(0), kind: "notice" }]);
    const slack = new RecordingPort("slack");
    await dispatcherAt(s.db, BERLIN_23H, [slack]).drainOnce();
    const { deps } = conversationAt(s.db, BERLIN_23H);
    await handleMessage(deps, firstCsm, "quiet 22:00-09:00");
    expect(await dueNow(s.db, note!)).toBe(true);
    await dispatcherAt(s.db, BERLIN_23H, [slack]).drainOnce();
    expect(slack.calls).toEqual([]);
    expect(await waitsUntil(s.db, note!, "2027-12-02T08:00:00Z")).toBe(true);
  });

  it("uses the zone Slack reports for a CSM who never set one", async () => {
    const s = await setup(kind);
    const csmId = s.portfolio.csmIds[0]!;
    await s.db.pool.query(`UPDATE csm SET time_zone = NULL WHERE id = $1`, [csmId]);
    const who = await identify(s.db.prisma, config, { channel: "slack", userId: "U000001", email: "csm1@partner.example", emailVerified: true, platformTimeZone: "America/Los_Angeles" });
    expect(who).toMatchObject({ ok: true, actor: { timeZone: "America/Los_Angeles" } });
    // The same person on Webex reads in that zone too; their own zone, once set, wins.
    expect((await readersOn(s.db.pool, "webex", [csmId], config.partner)).get(csmId)?.timeZone).toBe("America/Los_Angeles");
    await s.db.pool.query(`UPDATE csm SET time_zone = 'Europe/Berlin' WHERE id = $1`, [csmId]);
    expect((await readersOn(s.db.pool, "slack", [csmId], config.partner)).get(csmId)?.timeZone).toBe("Europe/Berlin");
  });
});
