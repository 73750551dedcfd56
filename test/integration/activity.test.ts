import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleAction, handleMessage } from "../../src/actions/conversation.js";
import type { ConversationDeps } from "../../src/actions/context.js";
import type { ChatIdentity } from "../../src/actions/identity.js";
import { NOTE_MAX_CHARACTERS } from "../../src/actions/handlers/notes.js";
import { summaryLines } from "../../src/cards/adaptive-card.js";
import { renderCard } from "../../src/cards/render.js";
import { renderBlockKit } from "../../src/channels/slack/render.js";
import { loadConfig } from "../../src/config.js";
import { loadDemo } from "../../src/demo/load.js";
import { createLogger } from "../../src/log.js";
import type { AnyCard, Outcome } from "../../src/protocol/effects.js";
import type { HistoryView } from "../../src/protocol/views.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";

/** Notes on alerts and the Activity built from the audit trail (issue 17), on both databases. */
const config = loadConfig({ ADMINS: "james.lee@partner.example" });
const as = (email: string): ChatIdentity => ({ channel: "preview", userId: email, email, emailVerified: true });
const anna = as("anna.petrova@partner.example"); // Russian, Europe/Moscow
const james = as("james.lee@partner.example"); // English, America/New_York
const HOSTILE = "<!channel> *urgent* _x_ <@U123> [click](javascript:alert(1)) <script>alert(1)</script> &amp; @all\u0007\u202Eevil";

const replies = (outcome: Outcome): AnyCard[] => outcome.effects.flatMap((e) => (e.type === "reply" ? [e.card] : []));
const first = (outcome: Outcome): AnyCard => replies(outcome)[0]!;
const text = (card: AnyCard, outcome: Outcome) => summaryLines(renderCard(card.card, card.view as never, { locale: outcome.locale, timeZone: outcome.timeZone }) as never).join("\n");
const hhmm = (iso: Date, timeZone: string) => new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(iso);

describe.each(DB_KINDS)("notes and activity on %s", (kind) => {
  let db: TestDatabase;
  let deps: ConversationDeps;
  let alert: { id: number; version: number; ucdId: number; deploymentId: string; customer: string; crPartyId: string };

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await loadDemo(db, config, "2026-11-23");
    deps = { db, config, log: createLogger("silent"), now: () => new Date("2026-11-23T11:02:00Z") };
    const row = await db.prisma.alert.findFirstOrThrow({
      where: { status: "open", kind: "stalled", useCaseDeployment: { excluded: false, deployment: { assignedCsm: { email: anna.email! } } } },
      include: { useCaseDeployment: { include: { deployment: { include: { customer: true } } } } },
      orderBy: { id: "asc" },
    });
    const d = row.useCaseDeployment.deployment;
    alert = { id: row.id, version: row.version, ucdId: row.useCaseDeploymentId, deploymentId: d.deploymentId, customer: d.customer.name, crPartyId: d.customer.crPartyId };
  });
  afterAll(async () => {
    await db?.close();
  });

  it("a note is recorded as alert.note without changing the alert, with a receipt in the writer's language", async () => {
    const before = await db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } });
    // James takes a step first; Anna's note comes after it.
    const step = await handleAction(deps, james, { a: "rec.act", v: 1, id: alert.id, ev: alert.version, act: "contacted_customer", comment: "Called their IT lead" });
    expect(first(step)).toMatchObject({ card: "receipt", view: { outcome: { key: "actionRecorded" } } });
    const acted = await db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } });

    const noted = await handleAction(deps, anna, { a: "alert.note", v: 1, id: alert.id, note: "  Жду ответа от сетевой команды\r\nв пятницу  " });
    expect(noted.locale).toBe("ru");
    expect(first(noted)).toMatchObject({ card: "receipt", view: { outcome: { key: "noteAdded" }, comment: "Жду ответа от сетевой команды\nв пятницу" } });
    expect(text(first(noted), noted)).toContain("Заметка добавлена");
    // Nothing redrawn: the alert did not change.
    expect(noted.effects.some((e) => e.type === "refreshAlert")).toBe(false);
    const after = await db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } });
    expect(after).toEqual(acted);
    expect(after.version).toBe(before.version + 1);
    const audit = await db.prisma.auditEntry.findFirstOrThrow({ where: { action: "alert.note" }, orderBy: { id: "desc" }, include: { csm: true } });
    expect(audit).toMatchObject({ entity: "alert", entityId: String(alert.id), channel: "preview", after: { note: "Жду ответа от сетевой команды\nв пятницу" } });
    expect(audit.csm?.email).toBe(anna.email);
  });

  it("refuses an empty note and one over the limit, next to the field, and records nothing", async () => {
    const count = () => db.prisma.auditEntry.count({ where: { action: "alert.note" } });
    const n = await count();
    const empty = await handleAction(deps, james, { a: "alert.note", v: 1, id: alert.id, note: " \u0007 " });
    expect(empty.effects[0]).toEqual({ type: "fieldErrors", errors: { note: { key: "chat.errors.noteEmpty" } } });
    const long = await handleAction(deps, james, { a: "alert.note", v: 1, id: alert.id, note: "я".repeat(NOTE_MAX_CHARACTERS + 1) });
    expect(long.effects[0]).toEqual({ type: "fieldErrors", errors: { note: { key: "chat.errors.noteTooLong", params: { max: NOTE_MAX_CHARACTERS, length: NOTE_MAX_CHARACTERS + 1 } } } });
    expect(text(replies(long)[0]!, long)).toContain(`at most ${NOTE_MAX_CHARACTERS} characters; this one has ${NOTE_MAX_CHARACTERS + 1}`);
    // Exactly the limit is fine (in characters, not UTF-16 units: an emoji counts once).
    const emoji = "🙂".repeat(NOTE_MAX_CHARACTERS);
    expect(first(await handleAction(deps, james, { a: "alert.note", v: 1, id: alert.id, note: emoji }))).toMatchObject({ card: "receipt" });
    expect(await count()).toBe(n + 1);
    await db.pool.query(`DELETE FROM audit_entry WHERE action = 'alert.note' AND after->>'note' = $1`, [emoji]);
    const unknown = await handleAction(deps, james, { a: "alert.note", v: 1, id: 99_999_999, note: "x" });
    expect(first(unknown)).toMatchObject({ card: "notice", view: { text: { key: "chat.errors.notFound" } } });
  });

  it("history lists the deployment's activity newest first, in the reader's language and zone", async () => {
    const en = await handleMessage(deps, james, `history ${alert.deploymentId}`);
    const card = first(en);
    expect(card.card).toBe("history");
    const view = card.view as HistoryView;
    expect(view).toMatchObject({ deploymentId: alert.deploymentId, customer: { name: alert.customer } });
    expect(view.activity.entries.map((e) => [e.action, e.by])).toEqual([["alert.note", "Анна Петрова"], ["rec.act", "James Lee"]]);
    expect(view.activity.entries[1]).toMatchObject({ detail: "contacted_customer", comment: "Called their IT lead", chat: "preview" });
    const at = new Date(view.activity.entries[0]!.at);
    const english = text(card, en);
    expect(english).toContain(`History of ${alert.deploymentId}`);
    expect(english).toMatch(new RegExp(`${hhmm(at, "America/New_York")} · Анна Петрова · Note · in Preview`));
    expect(english).toContain("James Lee · Step: Contacted the customer · in Preview");
    expect(english.indexOf("Note")).toBeLessThan(english.indexOf("Step:"));

    const ru = await handleMessage(deps, anna, `история ${alert.deploymentId.toLowerCase()}`);
    expect(ru.locale).toBe("ru");
    const russian = text(first(ru), ru);
    expect(russian).toContain(`История ${alert.deploymentId}`);
    expect(russian).toMatch(new RegExp(`${hhmm(at, "Europe/Moscow")} · Анна Петрова · Заметка · в Preview`));
    expect(russian).toContain("«Жду ответа от сетевой команды");
    expect(russian).toContain("Шаг: Связались с заказчиком");
  });

  it("history of a customer covers its deployments; the use-case card shows the same Activity; unknown subjects and strangers are refused", async () => {
    const byName = first(await handleMessage(deps, james, `history ${alert.crPartyId}`));
    expect(byName).toMatchObject({ card: "history", view: { deploymentId: null, customer: { crPartyId: alert.crPartyId } } });
    expect((byName.view as HistoryView).activity.entries[0]).toMatchObject({ action: "alert.note" });

    const detail = first(await handleMessage(deps, james, `usecase ${alert.ucdId}`));
    expect(detail.card).toBe("usecase.detail");
    const activity = (detail.view as { activity?: HistoryView["activity"] }).activity!;
    expect(activity.entries.map((e) => e.action)).toEqual(["alert.note", "rec.act"]);

    expect(first(await handleMessage(deps, james, "history ZZZ999NOPE"))).toMatchObject({ card: "notice", view: { text: { key: "chat.errors.historyNotFound" } } });
    const stranger = await handleMessage(deps, as("mallory@elsewhere.example"), `history ${alert.deploymentId}`);
    expect(JSON.stringify(stranger)).not.toContain(alert.customer);
    expect(first(stranger)).toMatchObject({ card: "notice", view: { text: { key: "chat.refusal.outsideDomain" } } });
  });

  it("a hostile note is stored without control characters and shown as text everywhere", async () => {
    const outcome = await handleAction(deps, james, { a: "alert.note", v: 1, id: alert.id, note: HOSTILE });
    expect(first(outcome)).toMatchObject({ card: "receipt" });
    const stored = await db.prisma.auditEntry.findFirstOrThrow({ where: { action: "alert.note" }, orderBy: { id: "desc" } });
    expect((stored.after as { note: string }).note).toBe("<!channel> *urgent* _x_ <@U123> [click](javascript:alert(1)) <script>alert(1)</script> &amp; @allevil");
    const history = first(await handleMessage(deps, james, `history ${alert.deploymentId}`));
    const ctx = { locale: "en" as const, timeZone: "UTC" };
    const slack = JSON.stringify(renderBlockKit(history, ctx).blocks);
    for (const raw of ["<!channel>", "<@U123>", "<script>", "](javascript:"]) expect(slack).not.toContain(raw);
    expect(slack).toContain("&lt;!channel");
    const adaptive = JSON.stringify(renderCard("history", history.view as HistoryView, ctx));
    expect(adaptive).not.toContain("](javascript:");
    expect(adaptive).not.toContain("\\u202e");
    const receipt = JSON.stringify(renderBlockKit(first(outcome), ctx).blocks);
    expect(receipt).not.toContain("<!channel>");
  });

  it("shows the latest entries and counts the older ones", async () => {
    for (let i = 0; i < 25; i++) await handleAction(deps, james, { a: "alert.note", v: 1, id: alert.id, note: `note ${i}` });
    const total = await db.prisma.auditEntry.count({ where: { entity: "alert", entityId: String(alert.id), action: { in: ["alert.note", "rec.act"] } } });
    const history = first(await handleMessage(deps, james, `history ${alert.deploymentId}`)).view as HistoryView;
    expect(history.activity.entries).toHaveLength(20);
    expect(history.activity.entries[0]).toMatchObject({ comment: "note 24" });
    expect(history.activity.older).toBe(total - 20);
    const detail = first(await handleMessage(deps, james, `usecase ${alert.ucdId}`)).view as { activity: HistoryView["activity"] };
    expect(detail.activity.entries).toHaveLength(10);
    expect(detail.activity.older).toBe(total - 10);
    const lines = text({ card: "history", view: history }, { locale: "ru", timeZone: "Europe/Moscow", effects: [] });
    expect(lines).toContain(`…и ещё ${total - 20}`);
  });
});
