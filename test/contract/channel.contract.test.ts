import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locale } from "../../src/config.js";
import { translator } from "../../src/i18n.js";
import type { Card, ChatDriver, ChatName, Until } from "./drivers/driver.js";
import { expectNoSecrets } from "../support/log-capture.js";
import { eventually, PARTNER, PEOPLE, SECRETS, startHarness, TEAM_CHANNEL, type Harness, type Person } from "./drivers/harness.js";
import { previewDriver } from "./drivers/preview.js";
import { enqueue, markerNotice } from "../support/delivery.js";
import { slackDriver } from "./drivers/slack.js";
import { webexDriver } from "./drivers/webex.js";

/**
 * The channel contract: what every chat must do, written once and run against each through
 * its real adapter (Bolt, webex-node-bot-framework, the preview's HTTP API) in a running
 * service, with fake chat APIs on 127.0.0.1. A chat that breaks one breaks the suite.
 *
 * One service per chat under test (beforeAll), each with every chat on: a click in one must
 * redraw the alert's cards in the others. Redraws may be asynchronous (the outbox's refresh
 * rows), so every "redrawn" is awaited by polling, never by sleeping.
 */

const DRIVERS: [ChatName, (h: Harness) => ChatDriver][] = [
  ["slack", slackDriver],
  ["webex", webexDriver],
  ["preview", previewDriver],
];

const en = translator("en");
const REDRAW_MS = 10_000;
/** "<label>: <message>", or the label and the message in consecutive lines (a card's title and text). */
const namesField = (answer: string, label: string, message: string) => answer.includes(`${label}: ${message}`) || answer.includes(`${label}\n${message}`);
/** An answer that says one of these. */
const saying = (...texts: string[]): Until => (answer) => texts.some((text) => answer.includes(text));

/** Every button on the card carries the versions it was drawn from: the new ones, once redrawn. */
function showsVersions(card: Card, deploymentVersion: number, alertVersion: number): boolean {
  const versions = Object.values(card.submits).map((data) => ({ a: data.a, ev: data.ev }));
  return versions.length > 0 && versions.every(({ a, ev }) => (a === "usecase.assign" ? ev === deploymentVersion : a === "rec.act" || a === "alert.snooze" ? ev === alertVersion : true));
}

describe.each(DRIVERS)("the %s chat keeps the channel contract", (name, drive) => {
  let h: Harness;
  let chat: ChatDriver;
  let others: ChatDriver[];
  let csmIds: Record<Person, number>;

  beforeAll(async () => {
    h = await startHarness();
    chat = drive(h);
    others = DRIVERS.filter(([other]) => other !== name).map(([, make]) => make(h));
    const csms = await h.service.db.prisma.csm.findMany();
    csmIds = Object.fromEntries(Object.entries(PEOPLE).map(([key, p]) => [key, csms.find((c) => c.email === p.email)?.id ?? -1])) as Record<Person, number>;
  });
  afterAll(async () => {
    await h?.stop();
    // Whatever the chat did above, its lines (at debug) carry no configured secret.
    if (h) expectNoSecrets(h.log, SECRETS);
  });

  const prisma = () => h.service.db.prisma;
  const localeOf = async (person: Person) => ((await prisma().csm.findUniqueOrThrow({ where: { id: csmIds[person] } })).locale ?? h.config.partner.defaultLocale) as Locale;
  /** Alerts the outbox holds for a CSM in this chat (the preview's rows are "sent" when written: its page reads them). */
  const alertsFor = async (person: Person, kinds?: string[]) =>
    (
      await prisma().outboxMessage.findMany({
        where: { kind: "alert", channel: name, csmId: csmIds[person], status: { in: ["pending", "sending", "sent", "failed"] }, ...(kinds ? { alert: { kind: { in: kinds as never } } } : {}) },
        orderBy: { id: "asc" },
      })
    ).map((row) => row.alertId!);
  /** The alert the outbox sent to the team spaces: a deployment nobody is assigned to. */
  const teamAlert = async () => (await prisma().outboxMessage.findFirstOrThrow({ where: { kind: "alert", destination: TEAM_CHANNEL } })).alertId!;
  const deploymentOf = async (alertId: number) => (await prisma().alert.findUniqueOrThrow({ where: { id: alertId }, include: { useCaseDeployment: { include: { deployment: { include: { customer: true } }, useCase: true } } } })).useCaseDeployment;
  const assignAudits = (deploymentId: string) => prisma().auditEntry.count({ where: { action: "usecase.assign", entityId: deploymentId } });

  it("delivers an alert to the CSM it concerns, naming the customer and the use case", async () => {
    const [alertId] = await alertsFor("james");
    expect(alertId, "the demo routes alerts to James").toBeDefined();
    const card = await chat.delivered(alertId!, { person: "james" });
    const { deployment, useCase } = await deploymentOf(alertId!);
    expect(card.text).toContain(deployment.customer.name);
    expect(card.text).toContain(useCase.name);
    expect(card.submits["usecase.assign"]).toMatchObject({ a: "usecase.assign", id: deployment.id, ev: deployment.version, al: alertId });
  });

  describe("a click", () => {
    // Dmitry has no alerts of his own: the one he takes is the first in his preview inbox too (it lists 25).
    const CLICKER = PEOPLE.dmitry;
    let alertId: number;
    let clicked: Card;
    let first: Awaited<ReturnType<ChatDriver["click"]>>;

    it("is verified, acted on once, and the alert's cards are redrawn in every chat", async () => {
      alertId = await teamAlert();
      clicked = await chat.delivered(alertId, "team");
      const elsewhere = await Promise.all(others.map((other) => other.delivered(alertId, "team")));
      const before = await deploymentOf(alertId);
      for (const card of [clicked, ...elsewhere]) expect(card.text, `${card.chat} before`).not.toContain(CLICKER.name);

      // Not from the chat: refused before anything happens.
      expect([401, 403]).toContain(await chat.forgeClick("dmitry", clicked, "usecase.assign"));
      expect(await assignAudits(before.deployment.deploymentId)).toBe(0);

      const receipt = translator(await localeOf("dmitry"))("cards.receipt.assignedPending", { name: CLICKER.name });
      first = await chat.click("dmitry", clicked, "usecase.assign", saying(receipt));
      expect(first.answer).toContain(receipt);
      const after = await prisma().deployment.findUniqueOrThrow({ where: { id: before.deployment.id } });
      expect(after).toMatchObject({ assignedCsmId: csmIds.dmitry, version: before.deployment.version + 1 });
      const alertNow = await prisma().alert.findUniqueOrThrow({ where: { id: alertId } });
      expect(await assignAudits(before.deployment.deploymentId)).toBe(1);

      // The clicked chat first, then the others: each shows the new state, with the new version on its buttons.
      for (const driver of [chat, ...others]) {
        const redrawn = await eventually(
          `the card of alert ${alertId} redrawn in ${driver.name}`,
          async () => {
            const card = await driver.current(alertId, "team");
            return card && card.text.includes(CLICKER.name) && showsVersions(card, after.version, alertNow.version) ? card : undefined;
          },
          REDRAW_MS,
        );
        expect(redrawn.text, driver.name).toContain(before.deployment.customer.name);
      }
    });

    it("replayed acts once, and a click on the card as it was says who acted", async () => {
      const { deployment } = await deploymentOf(alertId);
      await first.replay();
      // The stale card's click goes the same way as the replay, after it: once it is answered, the replay was handled.
      const done = translator(await localeOf("dmitry"))("cards.receipt.alreadyDone", { name: CLICKER.name });
      const stale = await chat.click("dmitry", clicked, "usecase.assign", saying(done));
      expect(stale.answer).toContain(done);
      if (first.handled) expect(first.handled(), "times the replayed delivery was taken").toBe(1);
      expect(await assignAudits(deployment.deploymentId)).toBe(1);
      expect(await prisma().deployment.findUniqueOrThrow({ where: { id: deployment.id } })).toMatchObject({ version: deployment.version, assignedCsmId: csmIds.dmitry });
    });
  });

  it("shows a stranger nothing: a refusal, no customer data, no action taken", async () => {
    const refusal = (locale: Locale) => translator(locale)("chat.refusal.outsideDomain", { partner: PARTNER, domains: "partner.example" });
    const answer = await chat.say("stranger", "stalled", saying(refusal("en"), refusal("ru")));
    expect([refusal("en"), refusal("ru")].some((text) => answer.includes(text)), answer).toBe(true);
    const customers = await prisma().customer.findMany({ select: { name: true, crPartyId: true } });
    for (const c of customers) {
      expect(answer).not.toContain(c.name);
      expect(answer).not.toContain(c.crPartyId);
    }
    // A stranger's click on a card they were shown by someone changes nothing either.
    const [alertId] = await alertsFor("sophie");
    const card = await chat.delivered(alertId!, { person: "sophie" });
    const { deployment } = await deploymentOf(alertId!);
    const click = await chat.click("stranger", card, "usecase.assign", saying(refusal("en"), refusal("ru")));
    expect([refusal("en"), refusal("ru")].some((text) => click.answer.includes(text)), click.answer).toBe(true);
    expect(await assignAudits(deployment.deploymentId)).toBe(0);
    expect(await prisma().csm.count({ where: { email: PEOPLE.stranger.email } })).toBe(0);
  });

  it("names the field a form refuses (a partner address, an invalid one) and saves nothing; a saved name with markup reads back as text", async () => {
    const contactAlert = async (person: Person) => ({ owner: person, alertId: (await alertsFor(person, ["missing_contact", "bounced_contact"]))[0] });
    const { owner, alertId } = [await contactAlert("sophie"), await contactAlert("james")].find((c) => c.alertId !== undefined) ?? { owner: "james" as Person, alertId: undefined };
    expect(alertId, "the demo has a contact alert for Sophie or James").toBeDefined();
    const card = await chat.delivered(alertId!, { person: owner });
    const t = translator(await localeOf(owner));
    const label = t("cards.label.email");

    const ownDomain = t("chat.contact.partnerDomain", { domain: "partner.example" });
    const partner = await chat.submitForm(owner, card, "contact.update", { email: "colleague@partner.example", name: "A Colleague" }, (a) => namesField(a, label, ownDomain));
    expect(namesField(partner, label, ownDomain), partner).toBe(true);
    const notEmail = t("chat.contact.invalidEmail");
    const invalid = await chat.submitForm(owner, card, "contact.update", { email: "not-an-address", name: "A Colleague" }, (a) => namesField(a, label, notEmail));
    expect(namesField(invalid, label, notEmail), invalid).toBe(true);
    expect(await prisma().contact.count({ where: { email: { in: ["colleague@partner.example", "not-an-address"] } } })).toBe(0);

    // A customer address is taken, with a name full of markup: it is shown back as the text typed.
    const hostile = "<b>x</b> @here";
    const email = `ivan.${name}@customer.example`;
    // Saved in lca-bot and waiting for LCA: the receipt says so (a new address is a pending LCA change).
    const contactSaved = t("cards.receipt.contactSavedPending", { email });
    const saved = await chat.submitForm(owner, card, "contact.update", { email, name: hostile }, saying(contactSaved));
    expect(saved).toContain(contactSaved);
    const { deployment, useCase } = await deploymentOf(alertId!);
    const detail = await chat.say(owner, `usecase ${deployment.deploymentId} ${useCase.name}`, saying(email));
    expect(detail).toContain(`${email} (${hostile})`);
    expect(detail).not.toContain("«@mention");
  });

  it("adds a note from the alert card (a form), refuses one too long next to the field, and history shows it as text", async () => {
    const alertId = (await alertsFor("james"))[0];
    expect(alertId, "the demo has an alert for James").toBeDefined();
    const card = await chat.delivered(alertId!, { person: "james" });
    const t = translator(await localeOf("james"));
    const before = await prisma().alert.findUniqueOrThrow({ where: { id: alertId! } });

    const tooLong = t("chat.errors.noteTooLong", { max: 1000, length: 1001 });
    const refused = await chat.submitForm("james", card, "alert.note", { note: "x".repeat(1001) }, (a) => namesField(a, t("cards.label.note"), tooLong));
    expect(namesField(refused, t("cards.label.note"), tooLong), refused).toBe(true);

    const note = `<b>x</b> @here ${name} note`;
    const added = await chat.submitForm("james", card, "alert.note", { note }, saying(t("cards.receipt.noteAdded")));
    expect(added).toContain(t("cards.receipt.noteAdded"));
    // Nothing about the alert changed: a note is history, not a step.
    const after = await prisma().alert.findUniqueOrThrow({ where: { id: alertId! } });
    expect({ version: after.version, lastAction: after.lastAction, actedById: after.actedById }).toEqual({ version: before.version, lastAction: before.lastAction, actedById: before.actedById });
    expect(await prisma().auditEntry.count({ where: { action: "alert.note", entityId: String(alertId), channel: name } })).toBe(1);

    const { deployment } = await deploymentOf(alertId!);
    const history = await chat.say("james", `history ${deployment.deploymentId}`, saying(note));
    expect(history).toContain(note);
    expect(history).toContain(t("cards.activity.action.alert_note"));
    expect(history).not.toContain("«@mention");
  });

  it("shows markup and mentions from data as text", async () => {
    // A value the bot repeats back: a customer nobody has.
    const notFound = translator(await localeOf("james"))("chat.errors.customerNotFound", { query: "<b>x</b> @here" });
    const answer = await chat.say("james", "customer <b>x</b> @here", saying(notFound));
    expect(answer).toContain(notFound);
    expect(answer).not.toContain("«@mention");
  });

  it("honours a 429 from the chat API: nothing goes there (Webex: anywhere) before Retry-After, then the redraw does, nothing lost", async (ctx) => {
    if ("skip" in chat.rateLimit) return ctx.skip(chat.rateLimit.skip);
    const limit = chat.rateLimit;
    const alerts = await alertsFor("james");
    const alertId = alerts.at(-1)!;
    const card = await chat.delivered(alertId, { person: "james" });
    // Nothing else in flight, so the next redraw of this chat is James's card.
    await eventually("the outbox idle", async () => (await prisma().outboxMessage.count({ where: { status: { in: ["pending", "sending", "failed"] } } })) === 0, REDRAW_MS);
    const james = { person: "james" } as const;
    const mark = limit.sends(james).length;
    const markAll = limit.sends().length;
    limit.limitNextSend(2, james);
    // Sophie takes the deployment over in another chat: James's card here must be redrawn through the limit.
    const preview = others.find((o) => o.name === "preview")!;
    const taken = await preview.click("sophie", card, "usecase.assign");
    expect(taken.answer).toContain(translator(await localeOf("sophie"))("cards.receipt.assignedPending", { name: PEOPLE.sophie.name }));
    // While the redraw waits, a message in the other lane is written to James (a digest, a
    // notice: the CI failure was one of these going out 1.6 s into the wait). It waits too.
    await eventually(`the redraw to James refused`, async () => limit.sends(james).length > mark, REDRAW_MS);
    await enqueue(h.service.db.pool, [{ channel: name as "slack" | "webex", destination: `csm:${csmIds.james}`, payload: markerNotice("during-429") }]);
    await eventually(
      `James's card in ${name} redrawn after the 429`,
      async () => (await chat.current(alertId, { person: "james" }))?.text.includes("Sophie Müller"),
      REDRAW_MS,
    );
    const sends = limit.sends(james).slice(mark);
    const refused = sends[0];
    expect(refused?.status, JSON.stringify(sends)).toBe(429);
    // What the 429 asks: no message at all where it holds (a digest or a thread notice in
    // another lane included) until Retry-After has passed. 10 ms: the clocks' rounding.
    const watched = limit.covers === "chat" ? limit.sends().slice(markAll) : sends;
    const early = watched.filter((s) => s.at > refused!.at && s.at < refused!.at + 2_000 - 10);
    expect(early, JSON.stringify(watched.map((s) => ({ ...s, after: s.at - refused!.at })))).toEqual([]);
    expect(sends.slice(1).some((s) => s.status === 200), JSON.stringify(sends)).toBe(true);
    await eventually("the notice written during the wait sent", async () => (await prisma().outboxMessage.count({ where: { dedupeKey: { startsWith: "test:" }, status: "sent", destination: `csm:${csmIds.james}`, channel: name } })) === 1, REDRAW_MS);
  });

  describe("the language, in the documented order", () => {
    /**
     * A click's receipt is in the CSM's language (a typed command from someone whose language
     * nobody named is answered in the language it was typed in: conversation.ts).
     */
    const receiptIn = async (person: Person, locale: Locale) => {
      // An open alert on one of their own deployments: "assign to me" only says it is theirs already.
      const own = await prisma().alert.findMany({ where: { id: { in: await alertsFor(person) }, status: "open", useCaseDeployment: { deployment: { assignedCsmId: csmIds[person] } } }, orderBy: { id: "asc" } });
      const alertId = own[0]?.id;
      expect(alertId, `the demo routes an alert on their own deployment to ${person}`).toBeDefined();
      const said = (l: Locale) => [translator(l)("cards.receipt.alreadyDone", { name: PEOPLE[person].name }), translator(l)("cards.receipt.assigned", { name: PEOPLE[person].name }), translator(l)("cards.receipt.assignedPending", { name: PEOPLE[person].name })];
      const { answer } = await chat.click(person, await chat.delivered(alertId!, { person }), "usecase.assign", saying(...said("en"), ...said("ru")));
      expect(said(locale).some((text) => answer.includes(text)), answer).toBe(true);
      expect(said(locale === "en" ? "ru" : "en").some((text) => answer.includes(text)), answer).toBe(false);
    };
    /** Fixture, not behaviour: the demo gives every CSM a language; these never chose one. */
    const forgetLanguage = (person: Person) => h.service.db.pool.query("UPDATE csm SET locale = NULL WHERE id = $1", [csmIds[person]]);

    it("is the CSM's own choice (lang) first, over the chat's locale and the partner's", async () => {
      // Sophie's Slack says ru-RU and the partner's DEFAULT_LOCALE is ru: her own choice wins.
      expect(await chat.say("sophie", "lang en", saying(en("chat.done.lang")))).toContain(en("chat.done.lang"));
      await receiptIn("sophie", "en");
    });

    it("else the chat platform's locale for the user", async (ctx) => {
      if (chat.platformLocale !== true) return ctx.skip(chat.platformLocale.skip);
      await forgetLanguage("james");
      // James's Slack says en-US; the partner's default is ru.
      await receiptIn("james", "en");
    });

    it("else the partner's DEFAULT_LOCALE", async () => {
      await forgetLanguage("oliver");
      // Oliver's Slack says es-ES, which the bot does not speak; Webex and the preview say nothing.
      await receiptIn("oliver", "ru");
    });
  });
});
