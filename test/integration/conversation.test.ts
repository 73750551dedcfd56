import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleAction, handleMessage } from "../../src/actions/conversation.js";
import type { ConversationDeps } from "../../src/actions/context.js";
import type { Effect, Outcome } from "../../src/protocol/effects.js";
import type { ChatIdentity } from "../../src/actions/identity.js";
import { csmLocale } from "../../src/locale.js";
import { loadConfig } from "../../src/config.js";
import { loadDemo } from "../../src/demo/load.js";
import { createLogger } from "../../src/log.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

let db: TestDatabase;
let deps: ConversationDeps;
const config = loadConfig({ ADMINS: "james.lee@partner.example" });
const as = (email: string): ChatIdentity => ({ channel: "preview", userId: email, email, emailVerified: true });
const anna = as("anna.petrova@partner.example"); // Russian speaker in the demo data
const james = as("james.lee@partner.example"); // English, admin
const sophie = as("sophie.mueller@partner.example");

beforeAll(async () => {
  db = await createTestDatabase("embedded");
  await loadDemo(db, config, "2026-11-23");
  deps = { db, config, log: createLogger("silent"), now: () => new Date("2026-11-23T11:02:00Z") };
});
afterAll(async () => {
  await db.close();
});

const cards = (outcome: Outcome) => outcome.effects.filter((e): e is Extract<Effect, { type: "reply" }> => e.type === "reply").map((e) => e.card);
const first = (outcome: Outcome) => cards(outcome)[0]!;
const noticeKey = (outcome: Outcome) => {
  const card = first(outcome);
  if (card.card !== "notice") throw new Error(`expected a notice, got ${card.card}`);
  return "key" in card.view.text ? card.view.text.key : card.view.text.text;
};

async function openAlert(kind: string, notAssignedTo?: string) {
  const alerts = await db.prisma.alert.findMany({ where: { status: "open", kind: kind as never }, include: { useCaseDeployment: { include: { deployment: { include: { assignedCsm: true } } } } }, orderBy: { id: "asc" } });
  return alerts.find((a) => a.useCaseDeployment.deployment.assignedCsm?.email !== notAssignedTo)!;
}

describe("commands, in English and Russian", () => {
  it.each([
    ["stalled", "застрявшие", "list"],
    ["new 30", "новые 30", "list"],
    ["contacts", "контакты", "list"],
    ["mine", "мои", "list"],
    ["help", "помощь", "help"],
    ["settings", "настройки", "notice"],
  ])("%s / %s answer with a %s card", async (english, russian, card) => {
    expect(first(await handleMessage(deps, james, english)).card).toBe(card);
    expect(first(await handleMessage(deps, anna, russian)).card).toBe(card);
  });

  it("answers in the CSM's language, else the language typed in", async () => {
    expect((await handleMessage(deps, anna, "stalled")).locale).toBe("ru");
    expect((await handleMessage(deps, james, "застрявшие")).locale).toBe("en");
    const nobodyChose = await db.prisma.csm.update({ where: { email: "sophie.mueller@partner.example" }, data: { locale: null } });
    expect((await handleMessage(deps, sophie, "новые")).locale).toBe("ru");
    await db.prisma.csm.update({ where: { id: nobodyChose.id }, data: { locale: "en" } });
  });

  it("finds a customer by CR Party ID and by part of its name, and a use case by id", async () => {
    const customer = await db.prisma.customer.findFirstOrThrow({ orderBy: { id: "asc" } });
    expect(first(await handleMessage(deps, james, `customer ${customer.crPartyId}`))).toMatchObject({ card: "customer.summary", view: { customer: { crPartyId: customer.crPartyId } } });
    expect(first(await handleMessage(deps, james, `клиент ${customer.name.slice(0, 8)}`)).card).toMatch(/customer.summary|notice/);
    const ucd = await db.prisma.useCaseDeployment.findFirstOrThrow({ where: { active: true } });
    expect(first(await handleMessage(deps, anna, `сценарий ${ucd.id}`))).toMatchObject({ card: "usecase.detail", view: { useCase: { id: ucd.id } } });
    expect(noticeKey(await handleMessage(deps, anna, "usecase 999999"))).toBe("chat.errors.useCaseNotFound");
  });

  it("finds a use case as its card names it: Deployment ID and use-case name, or the Deployment ID alone when it has one", async () => {
    const deployments = await db.prisma.deployment.findMany({ where: { active: true }, include: { useCases: { where: { active: true, excluded: false }, include: { useCase: true } } }, orderBy: { id: "asc" } });
    const several = deployments.find((d) => d.useCases.length > 1)!;
    const target = several.useCases[1]!;
    expect(first(await handleMessage(deps, james, `usecase ${several.deploymentId} ${target.useCase.name}`))).toMatchObject({ card: "usecase.detail", view: { useCase: { id: target.id } } });
    expect(first(await handleMessage(deps, anna, `покажи сценарий ${several.deploymentId.toLowerCase()} «${target.useCase.name.toUpperCase()}»`))).toMatchObject({ card: "usecase.detail", view: { useCase: { id: target.id } } });
    const choose = first(await handleMessage(deps, james, `usecase ${several.deploymentId}`));
    expect(choose).toMatchObject({ card: "notice", view: { text: { key: "chat.errors.useCaseChoose", params: { deploymentId: several.deploymentId } } } });
    expect(JSON.stringify(choose)).toContain(target.useCase.name);
    expect(noticeKey(await handleMessage(deps, james, `usecase ${several.deploymentId} Quantum Teleportation`))).toBe("chat.errors.useCaseNotOnDeployment");
    expect(noticeKey(await handleMessage(deps, james, "usecase NOPE123 Campus Network Automation"))).toBe("chat.errors.deploymentNotFound");
    const single = deployments.find((d) => d.useCases.length === 1);
    if (single) expect(first(await handleMessage(deps, james, `usecase ${single.deploymentId}`))).toMatchObject({ card: "usecase.detail", view: { useCase: { id: single.useCases[0]!.id } } });
  });

  it("answers sentences the way it answers commands", async () => {
    expect(first(await handleMessage(deps, james, "show me my stalled customers, please"))).toMatchObject({ card: "list", view: { kind: "stalled" } });
    expect(first(await handleMessage(deps, anna, "покажи мои застрявшие сценарии"))).toMatchObject({ card: "list", view: { kind: "stalled" } });
    expect(first(await handleMessage(deps, james, "what's new this year?"))).toMatchObject({ card: "list", view: { kind: "new" } });
    expect(first(await handleMessage(deps, anna, "новые за год"))).toMatchObject({ card: "list", view: { kind: "new" } });
    expect(first(await handleMessage(deps, anna, "мои настройки"))).toMatchObject({ card: "notice" });
  });

  it("says how many days it looked back, as the count of a plural", async () => {
    expect(first(await handleMessage(deps, james, "new today tag:NoSuchTag"))).toMatchObject({ card: "notice", view: { text: { key: "chat.empty.new", params: { count: 1 } } } });
    expect(first(await handleMessage(deps, anna, "новые за неделю тег:НетТакого"))).toMatchObject({ card: "notice", view: { text: { key: "chat.empty.new", params: { count: 7 } } } });
  });

  it("filters lists by tag and pages through them", async () => {
    const all = first(await handleMessage(deps, james, "new 365"));
    const tagged = first(await handleMessage(deps, james, "new 365 tag:Strategic"));
    if (all.card !== "list" || tagged.card !== "list") throw new Error("lists expected");
    expect(tagged.view.total).toBeLessThan(all.view.total);
    expect(tagged.view.total).toBeGreaterThan(0);
    const page2 = await handleAction(deps, james, { a: "list.page", v: 1, id: 2, q: "new 365" });
    expect(first(page2)).toMatchObject({ card: "list", view: { page: 2 } });
  });

  it("suggests what was meant for unknown input, never silence", async () => {
    const outcome = await handleMessage(deps, james, "staled");
    expect(outcome.effects.map((e) => (e.type === "reply" && e.card.card === "notice" && "key" in e.card.view.text ? e.card.view.text.key : ""))).toEqual(["commands.errors.unknown", "commands.errors.didYouMean"]);
  });

  it("changes language, digest and subscriptions, and audits each change", async () => {
    expect((await handleMessage(deps, james, "lang ru")).locale).toBe("ru");
    expect((await handleMessage(deps, james, "язык en")).locale).toBe("en");
    expect(noticeKey(await handleMessage(deps, james, "digest on 07:30"))).toBe("chat.done.digestOn");
    expect((await db.prisma.csm.findUniqueOrThrow({ where: { email: "james.lee@partner.example" } })).digestTime).toBe("07:30");
    expect(noticeKey(await handleMessage(deps, james, "subscribe stalled tag:Strategic digest"))).toBe("chat.done.subscribed");
    const subscriptions = await db.prisma.subscription.count({ where: { csm: { email: "james.lee@partner.example" } } });
    expect(noticeKey(await handleMessage(deps, james, "subscribe stalled tag:Strategic digest"))).toBe("chat.done.subscribed");
    expect(await db.prisma.subscription.count({ where: { csm: { email: "james.lee@partner.example" } } })).toBe(subscriptions);
    expect(noticeKey(await handleMessage(deps, james, "unsubscribe stalled"))).toBe("chat.done.unsubscribed");
    const audits = await db.prisma.auditEntry.findMany({ where: { csm: { email: "james.lee@partner.example" } }, orderBy: { id: "asc" } });
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(["lang", "digest", "subscribe", "unsubscribe"]));
  });
});

describe("card actions", () => {
  it("assigns a deployment to me, answers with a receipt and refreshes its alerts, audited before and after", async () => {
    const alert = await openAlert("stalled", "anna.petrova@partner.example");
    const deployment = alert.useCaseDeployment.deployment;
    const outcome = await handleAction(deps, anna, { a: "usecase.assign", v: 1, id: deployment.id, ev: deployment.version, al: alert.id });
    // Saved here, waiting for LCA: the receipt says so, and the change is recorded for the upload.
    expect(first(outcome)).toMatchObject({ card: "receipt", view: { outcome: { key: "assignedPending", params: { name: "Анна Петрова" } }, actorName: "Анна Петрова" } });
    expect(await db.prisma.pendingLcaChange.findFirstOrThrow({ where: { deploymentId: deployment.id, status: "pending" } })).toMatchObject({ field: "csm_email", valueChat: "anna.petrova@partner.example", chat: "preview", useCaseDeploymentId: null });
    expect(outcome.effects).toContainEqual({ type: "refreshAlert", alertId: alert.id });
    const after = await db.prisma.deployment.findUniqueOrThrow({ where: { id: deployment.id }, include: { assignedCsm: true } });
    expect(after.assignedCsm?.email).toBe("anna.petrova@partner.example");
    const audit = await db.prisma.auditEntry.findFirstOrThrow({ where: { action: "usecase.assign", entityId: deployment.deploymentId } });
    expect(audit).toMatchObject({ channel: "preview", before: { assignedCsmId: deployment.assignedCsmId }, after: { assignedCsmId: after.assignedCsmId } });
  });

  it("lets only admins assign to someone else", async () => {
    const alert = await openAlert("missing_contact", "oliver.brown@partner.example");
    const d = alert.useCaseDeployment.deployment;
    expect(noticeKey(await handleAction(deps, anna, { a: "usecase.assign", v: 1, id: d.id, ev: d.version, to: "oliver.brown@partner.example" }))).toBe("chat.errors.notAdminAssign");
    const byAdmin = await handleAction(deps, james, { a: "usecase.assign", v: 1, id: d.id, ev: d.version, to: "oliver.brown@partner.example" });
    expect(first(byAdmin)).toMatchObject({ card: "receipt", view: { outcome: { key: "assignedPending", params: { name: "Oliver Brown" } } } });
  });

  it("refuses, even for an admin, to assign a deployment to someone outside the partner's domains", async () => {
    const alert = await openAlert("missing_contact", "oliver.brown@partner.example");
    const d = await db.prisma.deployment.findUniqueOrThrow({ where: { id: alert.useCaseDeployment.deployment.id } });
    // Even a CSM row that exists (as an older version could have made one) is no way in.
    await db.prisma.csm.create({ data: { email: "oliver.brown@partner.example.attacker.example", name: "Not Oliver" } });
    for (const to of ["someone@other.example", "oliver.brown@partner.example.attacker.example", "OLIVER.BROWN@PARTNER-EXAMPLE.COM"]) {
      expect(noticeKey(await handleAction(deps, james, { a: "usecase.assign", v: 1, id: d.id, ev: d.version, to }))).toBe("chat.errors.assigneeOutsidePartner");
    }
    expect((await db.prisma.deployment.findUniqueOrThrow({ where: { id: d.id } })).assignedCsmId).toBe(d.assignedCsmId);
  });

  it("records a staying action and keeps the alert open; a closing action resolves it and it does not come back", async () => {
    const alert = await openAlert("stalled");
    const stay = await handleAction(deps, james, { a: "rec.act", v: 1, id: alert.id, ev: alert.version, act: "meeting_scheduled", comment: "Thursday" });
    expect(first(stay)).toMatchObject({ card: "receipt", view: { outcome: { key: "actionRecorded", params: { action: "meeting_scheduled" } }, comment: "Thursday" } });
    const mid = await db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id }, include: { recommendation: { include: { actions: true } } } });
    expect(mid).toMatchObject({ status: "open", lastAction: "meeting_scheduled", recommendation: { status: "open", actions: [{ action: "meeting_scheduled", comment: "Thursday", channel: "preview" }] } });
    await handleAction(deps, james, { a: "rec.act", v: 1, id: alert.id, ev: mid.version, act: "not_my_customer" });
    const closed = await db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id }, include: { recommendation: true } });
    expect(closed).toMatchObject({ status: "resolved", resolution: "closed_by_action", recommendation: { status: "closed" } });
    expect(noticeKey(await handleAction(deps, james, { a: "rec.act", v: 1, id: alert.id, ev: closed.version, act: "contacted_customer" }))).toBe("chat.errors.alertResolved");
  });

  it("lets one of two people acting on the same alert at once win; the other is told who did what", async () => {
    const alert = await openAlert("regression");
    const [a, b] = await Promise.all([
      handleAction(deps, anna, { a: "rec.act", v: 1, id: alert.id, ev: alert.version, act: "contacted_customer" }),
      handleAction(deps, james, { a: "rec.act", v: 1, id: alert.id, ev: alert.version, act: "data_issue_reported" }),
    ]);
    const outcomes = [first(a), first(b)].map((c) => (c.card === "receipt" ? c.view.outcome.key : c.card)).sort();
    expect(outcomes).toEqual(["actionRecorded", "alreadyDone"]);
    const loser = [a, b].find((o) => first(o).card === "receipt" && (first(o).view as { outcome: { key: string } }).outcome.key === "alreadyDone")!;
    const winner = await db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id }, include: { actedBy: true } });
    expect(first(loser)).toMatchObject({ view: { outcome: { params: { name: winner.actedBy!.name } } } });
    expect(loser.effects).toContainEqual({ type: "refreshAlert", alertId: alert.id });
    expect(await db.prisma.recommendationAction.count({ where: { recommendationId: winner.recommendationId! } })).toBe(1);
  });

  it("snoozes an alert", async () => {
    const alert = await openAlert("bounced_contact");
    const outcome = await handleAction(deps, sophie, { a: "alert.snooze", v: 1, id: alert.id, ev: alert.version, days: "7" });
    expect(first(outcome)).toMatchObject({ card: "receipt", view: { outcome: { key: "snoozed", params: { days: 7 } } } });
    expect((await db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } })).snoozedUntil?.toISOString()).toBe("2026-11-30T11:02:00.000Z");
  });

  describe("contact updates", () => {
    const update = async (who: ChatIdentity, fields: Record<string, unknown>, ucdId?: number) => {
      const id = ucdId ?? (await openAlert("missing_contact")).useCaseDeploymentId;
      const ucd = await db.prisma.useCaseDeployment.findUniqueOrThrow({ where: { id } });
      return handleAction(deps, who, { a: "contact.update", v: 1, id, ev: ucd.version, ...fields });
    };
    const fieldError = (outcome: Outcome) => outcome.effects.find((e): e is Extract<Effect, { type: "fieldErrors" }> => e.type === "fieldErrors")?.errors;

    it.each([
      ["not-an-email", undefined, "email", "chat.contact.invalidEmail"],
      ["x@partner.example", undefined, "email", "chat.contact.partnerDomain"],
      ["someone@customer.example", 0, "slot", "chat.contact.ciscoReadOnly"],
    ])("refuses %s (slot %s) next to the %s field, saying which rule", async (email, slot, field, key) => {
      const outcome = await update(anna, { email, ...(slot === undefined ? {} : { slot }) });
      expect(fieldError(outcome)).toEqual({ [field]: expect.objectContaining({ key }) });
      expect(outcome.locale).toBe("ru");
    });

    it("refuses an address LCA knows as bounced or unsubscribed", async () => {
      const barred = await db.prisma.contact.findFirstOrThrow({ where: { deliveryBarrier: { not: "none" } } });
      expect(fieldError(await update(james, { email: barred.email }))).toEqual({ email: expect.objectContaining({ key: "chat.contact.knownBarred" }) });
    });

    it("refuses a third partner contact", async () => {
      const ucd = await db.prisma.useCaseDeployment.findFirstOrThrow({ where: { active: true, contacts: { none: { source: "partner" } } } });
      await update(james, { email: "one@customer.example" }, ucd.id);
      await update(james, { email: "two@customer.example" }, ucd.id);
      expect(fieldError(await update(james, { email: "three@customer.example" }, ucd.id))).toEqual({ slot: expect.objectContaining({ key: "chat.contact.tooManyPartnerContacts" }) });
      expect(await db.prisma.contact.count({ where: { useCaseDeploymentId: ucd.id, source: "partner" } })).toBe(2);
    });

    it("adds a usable contact: the missing-contact alert waits for LCA at once, open and marked", async () => {
      const alert = await openAlert("missing_contact");
      const outcome = await update(james, { email: "New.Person@Customer.example", name: "New Person" }, alert.useCaseDeploymentId);
      expect(first(outcome)).toMatchObject({ card: "receipt", view: { outcome: { key: "contactSavedPending", params: { email: "new.person@customer.example" } } } });
      const changes = await db.prisma.pendingLcaChange.findMany({ where: { useCaseDeploymentId: alert.useCaseDeploymentId, status: "pending" }, orderBy: { id: "asc" } });
      // The first free slot of the demo's use case: one change per field, both of that slot.
      const slot = changes[0]?.field.match(/^partner_contact_([12])_email$/)?.[1];
      expect(changes.map((c) => [c.field, c.valueChat])).toEqual([[`partner_contact_${slot}_email`, "new.person@customer.example"], [`partner_contact_${slot}_name`, "New Person"]]);
      expect(outcome.effects).toContainEqual({ type: "refreshAlert", alertId: alert.id });
      // Not resolved: LCA has not seen the contact yet (issue 14); a snapshot that shows it resolves it.
      expect(await db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } })).toMatchObject({ status: "open", lcaWait: "waiting" });
      expect(await db.prisma.auditEntry.count({ where: { action: "contact.update" } })).toBeGreaterThan(0);
    });
  });

  it("answers a malformed envelope with an error and changes nothing", async () => {
    const before = await db.prisma.auditEntry.count();
    expect(noticeKey(await handleAction(deps, james, { a: "usecase.assign", v: 2, id: "x" }))).toBe("chat.errors.malformed");
    expect(noticeKey(await handleAction(deps, james, "garbage"))).toBe("chat.errors.malformed");
    expect(await db.prisma.auditEntry.count()).toBe(before);
  });
});

describe("authorisation", () => {
  it("refuses strangers and people outside the partner's domains politely, showing no customer data", async () => {
    for (const identity of [as("eve@competitor.example"), as("ghost@partner.example"), { channel: "webex" as const, userId: "Y2lz", email: "anna.petrova@partner.example", emailVerified: false }]) {
      for (const outcome of [await handleMessage(deps, identity, "stalled"), await handleAction(deps, identity, { a: "rec.act", v: 1, id: 1, ev: 0, act: "contacted_customer" })]) {
        expect(outcome.effects).toHaveLength(1);
        expect(noticeKey(outcome)).toMatch(/^chat\.refusal\.(stranger|outsideDomain)$/);
      }
    }
  });

  it("remembers the language a chat platform reports, for alerts sent outside any conversation", async () => {
    const maria = await db.prisma.csm.update({ where: { email: "maria.garcia@partner.example" }, data: { locale: null } });
    const slackMaria = { channel: "slack" as const, userId: "U0MARIA", email: maria.email, emailVerified: true, platformLocale: "ru-RU" };
    expect((await handleAction(deps, slackMaria, "not an envelope")).locale).toBe("ru");
    // The platform's language outranks the language a command happens to be typed in.
    expect((await handleMessage(deps, slackMaria, "help")).locale).toBe("ru");
    const stored = await db.prisma.csm.findUniqueOrThrow({ where: { id: maria.id }, include: { identities: true } });
    expect(stored.locale).toBeNull();
    expect(stored.identities).toEqual([expect.objectContaining({ chat: "slack", userId: "U0MARIA", locale: "ru", verified: true })]);
    const slack = stored.identities[0]!;
    expect(csmLocale(stored, slack.locale, "en")).toBe("ru");
    expect(csmLocale({ ...stored, locale: "en" }, slack.locale, "ru")).toBe("en");
    // A later click without a reported language (users.info failed) keeps the one known.
    expect((await handleAction(deps, { ...slackMaria, email: null, emailVerified: false, platformLocale: null }, "not an envelope")).locale).toBe("ru");
    // The language is per chat: Webex reports none, so there she reads the partner's default.
    const webexMaria = { channel: "webex" as const, userId: "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9tYXJpYQ", email: maria.email, emailVerified: true };
    expect((await handleAction(deps, webexMaria, "not an envelope")).locale).toBe(config.partner.defaultLocale);
    // Once the platform reports another language, it replaces the one stored.
    await handleAction(deps, { ...slackMaria, platformLocale: "en-GB" }, "not an envelope");
    expect((await db.prisma.chatIdentity.findUniqueOrThrow({ where: { id: slack.id } })).locale).toBe("en");
  });

  it("links a chat identity by a verified email in the partner's domain, then knows it by id", async () => {
    const webex = { channel: "webex" as const, userId: "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9vbGl2ZXI", email: "Oliver.Brown@partner.example", emailVerified: true };
    expect(first(await handleMessage(deps, webex, "mine")).card).toMatch(/list|notice/);
    const oliver = await db.prisma.csm.findUniqueOrThrow({ where: { email: "oliver.brown@partner.example" }, include: { identities: true } });
    expect(oliver.identities).toEqual([expect.objectContaining({ chat: "webex", userId: webex.userId, verified: true })]);
    expect(first(await handleMessage(deps, { ...webex, email: null, emailVerified: false }, "mine")).card).toMatch(/list|notice/);
  });

  it("moves a chat account to the CSM its verified email names, away from a CSM no longer active", async () => {
    const userId = "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9sZWZ0";
    const left = await db.prisma.csm.create({ data: { email: "left.company@partner.example", name: "Left", active: false, identities: { create: { chat: "webex", userId, verified: true } } } });
    const linkedToLeft = { channel: "webex" as const, userId, email: null, emailVerified: false };
    expect(noticeKey(await handleMessage(deps, linkedToLeft, "mine"))).toBe("chat.refusal.stranger");
    const sophieOnWebex = { ...linkedToLeft, email: "sophie.mueller@partner.example", emailVerified: true };
    expect(first(await handleMessage(deps, sophieOnWebex, "mine")).card).toMatch(/list|notice/);
    const rows = await db.prisma.chatIdentity.findMany({ where: { chat: "webex", userId }, include: { csm: true } });
    expect(rows.map((r) => r.csm.email)).toEqual(["sophie.mueller@partner.example"]);
    expect(await db.prisma.chatIdentity.count({ where: { csmId: left.id } })).toBe(0);
  });
});
