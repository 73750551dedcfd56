import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daysBetween, fromDate, todayIn } from "../../src/domain/dates.js";
import { ALERT_KINDS, type AlertKind } from "../../src/domain/recommendations.js";
import { stallThreshold, type Stage } from "../../src/domain/stages.js";
import { loadDemo } from "../../src/demo/load.js";
import { inTransaction } from "../../src/db/sql.js";
import { enqueueHomes } from "../../src/delivery/home.js";
import { translator } from "../../src/i18n.js";
import { projectPath } from "../../src/paths.js";
import { eventBody, FAKE_TEAM, interactionBody, postSigned } from "../support/fake-slack.js";
import { startSlackHarness, type SlackHarness } from "../support/slack-harness.js";
import { captureLog, expectNoSecrets } from "../support/log-capture.js";
import { blockText, buttons, mrkdwnAsSeen } from "../support/slack-blocks.js";

/** The Slack App Home through the real Bolt receiver: app_home_opened → the pipeline → views.publish; clicks on Home act and republish it through the outbox. */

const SECRET = "e2e-home-signing-secret";
const BOT_TOKEN = "xoxb-e2e-home";
const captured = captureLog();
const en = translator("en");
const ru = translator("ru");

let seq = 0;

const csm = (email: string) => h.db.prisma.csm.findUniqueOrThrow({ where: { email } });

/** The person opens the app's Home tab: Slack's signed event. */
async function openHome(userId: string) {
  const body = eventBody({ type: "app_home_opened", user: userId, channel: `D${userId}`, tab: "home", ts: `${Date.now() / 1000}` }, `EvHome${++seq}`);
  const before = h.fake.callsOf("views.publish").length;
  const post = await postSigned(h.eventsUrl, SECRET, body, { contentType: "application/json" });
  expect(post.status).toBe(200);
  const call = await h.fake.waitFor(`the Home of ${userId}`, () => h.fake.callsOf("views.publish").slice(before).find((c) => c.args.user_id === userId));
  return (call.args.view as { blocks: unknown[] }).blocks;
}

/** A click on a button of the person's Home: a block_actions payload from a view, with no response_url. */
async function clickOnHome(userId: string, blocks: unknown[], find: (b: { action_id: string; value?: string }) => boolean) {
  const button = buttons(blocks).find(find);
  if (!button) throw new Error(`no such button on the Home: ${JSON.stringify(buttons(blocks).map((b) => b.action_id))}`);
  const payload = {
    type: "block_actions",
    user: { id: userId, username: userId.toLowerCase(), team_id: FAKE_TEAM.id },
    api_app_id: "A0LCA",
    token: "unused",
    container: { type: "view", view_id: h.fake.homes.get(userId)?.id ?? "VH0" },
    trigger_id: `trigger-home-${++seq}`,
    team: FAKE_TEAM,
    enterprise: null,
    is_enterprise_install: false,
    view: { id: h.fake.homes.get(userId)?.id ?? "VH0", type: "home", blocks, team_id: FAKE_TEAM.id, app_id: "A0LCA", bot_id: "BBOT", hash: "1.home", private_metadata: "", callback_id: "", state: { values: {} } },
    state: { values: {} },
    actions: [{ type: "button", action_id: button.action_id, block_id: "b0", text: button.text, value: button.value, action_ts: `${Date.now() / 1000}` }],
  };
  const post = await postSigned(h.eventsUrl, SECRET, interactionBody(payload));
  expect(post.status).toBe(200);
  return button;
}

const seen = (blocks: unknown) => mrkdwnAsSeen(blockText(blocks));

/** Open, unsnoozed alerts on the CSM's own active deployments, counted by kind, and the stalled one furthest over its threshold. */
async function alertsOf(csmId: number) {
  const today = todayIn(h.config.partner.timeZone);
  const alerts = await h.db.prisma.alert.findMany({
    where: { status: "open", OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: new Date() } }], useCaseDeployment: { active: true, deployment: { assignedCsmId: csmId } } },
    include: { useCaseDeployment: { include: { useCase: true, deployment: { include: { customer: true } } } } },
  });
  const counts = Object.fromEntries(ALERT_KINDS.map((k) => [k, alerts.filter((a) => a.kind === k).length])) as Record<AlertKind, number>;
  const over = (a: (typeof alerts)[number]) =>
    daysBetween(fromDate(a.useCaseDeployment.stageEnteredOn), today) - (stallThreshold(h.config.alerts.stallThresholds, a.useCaseDeployment.stage as Stage, a.useCaseDeployment.useCase.solutionDomain) ?? 0);
  const stalled = alerts.filter((a) => a.kind === "stalled").sort((a, b) => over(b) - over(a) || a.id - b.id);
  return { alerts, counts, mostStalled: stalled[0] };
}

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({
    secret: SECRET,
    botToken: BOT_TOKEN,
    log: captured.log,
    users: [
      { id: "U0ANNA", email: "anna.petrova@partner.example", locale: "ru-RU", name: "Анна Петрова" },
      { id: "U0JAMES", email: "james.lee@partner.example", locale: "en-US", name: "James Lee" },
      { id: "U0STRANGER", email: "x@other.example", locale: "en-US" },
      { id: "U0NOBODY", email: "nobody@partner.example", locale: "en-US" },
    ],
    redraws: { minIntervalMs: { slack: 0, webex: 0 } },
  });
});

afterAll(async () => {
  await h?.stop();
  expectNoSecrets(captured.lines, [SECRET, BOT_TOKEN]);
});


describe("Slack App Home", () => {
  it("publishes James's Home in English: his open alerts by kind, the stalled one longest over its threshold first, his settings", async () => {
    const james = await csm("james.lee@partner.example");
    const { counts, mostStalled } = await alertsOf(james.id);
    expect(mostStalled).toBeDefined();
    const blocks = await openHome("U0JAMES");
    const text = seen(blocks);
    expect(text).toContain(en("cards.home.title", { name: "James Lee" }));
    for (const kind of ALERT_KINDS) expect(text).toContain(`*${en(`cards.alertKind.${kind}`)}*\n${counts[kind]}`);
    // The first alert listed, and its buttons: the alert card's own envelopes.
    const assigns = buttons(blocks).filter((b) => b.action_id.startsWith("usecase.assign."));
    expect(assigns.length).toBe(Math.min(10, Object.values(counts).reduce((a, b) => a + b, 0)));
    expect(JSON.parse(assigns[0]!.value!)).toEqual({ a: "usecase.assign", v: 1, id: mostStalled!.useCaseDeployment.deployment.id, ev: mostStalled!.useCaseDeployment.deployment.version, al: mostStalled!.id });
    expect(text.indexOf(mostStalled!.useCaseDeployment.deployment.customer.name)).toBeLessThan(text.indexOf(en("cards.label.homeSettings")));
    expect(buttons(blocks).map((b) => JSON.parse(b.value ?? "{}").a)).toEqual(expect.arrayContaining(["form.open", "settings.lang", "settings.digest", "settings.unsubscribe"]));
    expect(text).toContain(`*${en("cards.label.homeLanguage")}*\n${en("chat.language.en")}`);
    mkdirSync(projectPath("test", "artifacts"), { recursive: true });
    writeFileSync(projectPath("test", "artifacts", "slack-home-james.txt"), `${text}\n\n${JSON.stringify(buttons(blocks).map((b) => `${b.text.text} → ${b.value ?? "(link)"}`), null, 2)}\n`);
  });

  it("publishes Anna's Home in Russian", async () => {
    const anna = await csm("anna.petrova@partner.example");
    const { counts } = await alertsOf(anna.id);
    const text = seen(await openHome("U0ANNA"));
    expect(text).toContain(ru("cards.home.title", { name: "Анна Петрова" }));
    expect(text).toContain(ru("cards.label.homeUrgent"));
    expect(text).toContain(ru("cards.label.homeSettings"));
    for (const kind of ALERT_KINDS) expect(text).toContain(`*${ru(`cards.alertKind.${kind}`)}*\n${counts[kind]}`);
    expect(text).not.toContain(en("cards.label.homeUrgent"));
  });

  it("publishes the refusal, and no data, as the Home of a stranger and of someone outside the partner", async () => {
    const customers = (await h.db.prisma.customer.findMany({ select: { name: true } })).map((c) => c.name);
    for (const [user, reason] of [["U0NOBODY", "stranger"], ["U0STRANGER", "outsideDomain"]] as const) {
      const blocks = await openHome(user);
      const text = seen(blocks);
      expect(text).toContain(en(`chat.refusal.${reason}`, { partner: h.config.partner.name, domains: h.config.partner.domains.join(", ") }));
      for (const name of customers) expect(text).not.toContain(name);
      expect(buttons(blocks)).toEqual([]);
    }
  });

  it("a click on Home assigns the deployment, answers in the DM, and republishes Home with the new state", async () => {
    const james = await csm("james.lee@partner.example");
    // An alert on someone else's deployment that James follows by a filtered subscription.
    const other = await h.db.prisma.alert.findFirstOrThrow({
      where: { status: "open", kind: "stalled", useCaseDeployment: { active: true, deployment: { assignedCsmId: { not: james.id } } } },
      include: { useCaseDeployment: { include: { deployment: { include: { customer: true } } } } },
    });
    const deployment = other.useCaseDeployment.deployment;
    await h.db.prisma.subscription.create({ data: { csmId: james.id, kinds: ["stalled"], filters: { customers: [deployment.customer.crPartyId] } } });
    // Only what the click causes is left to see: James's own alerts are snoozed for this test.
    const own = await alertsOf(james.id);
    await h.db.prisma.alert.updateMany({ where: { id: { in: own.alerts.map((a) => a.id) } }, data: { snoozedUntil: new Date(Date.now() + 86_400_000) } });
    try {
      const home = await openHome("U0JAMES");
      expect(seen(home)).toContain(deployment.customer.name);
      const publishes = h.fake.callsOf("views.publish").length;
      const posts = h.fake.callsOf("chat.postMessage").length;
      await clickOnHome("U0JAMES", home, (b) => b.action_id.startsWith("usecase.assign.") && JSON.parse(b.value!).al === other.id);

      const receipt = await h.fake.waitFor("the receipt in the DM", () => h.fake.callsOf("chat.postMessage").slice(posts).find((c) => c.args.channel === "DU0JAMES"));
      expect(blockText(receipt.args.blocks)).toContain(en("cards.receipt.assigned", { name: "James Lee" }));
      const assigned = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deployment.id } });
      expect(assigned.assignedCsmId).toBe(james.id);
      expect(await h.db.prisma.auditEntry.count({ where: { action: "usecase.assign", channel: "slack", csmId: james.id, entityId: deployment.deploymentId } })).toBe(1);

      await h.redraws!.settled();
      const again = h.fake.callsOf("views.publish").slice(publishes).filter((c) => c.args.user_id === "U0JAMES");
      expect(again.length).toBeGreaterThanOrEqual(1);
      const republished = (again.at(-1)!.args.view as { blocks: unknown[] }).blocks;
      // The page now offers the deployment at its new version: the old envelope is stale.
      const assign = buttons(republished).find((b) => b.action_id.startsWith("usecase.assign.") && JSON.parse(b.value!).al === other.id);
      expect(JSON.parse(assign!.value!)).toMatchObject({ id: deployment.id, ev: assigned.version });
      expect(assigned.version).toBe(deployment.version + 1);
      // The same alerts as before the click (followed then, his own now): the counts stand.
      const stalledCount = (blocks: unknown[]) => /\*Stalled in stage\*\n(\d+)/.exec(seen(blocks))?.[1];
      expect(stalledCount(republished)).toBe(stalledCount(home));
    } finally {
      await h.db.prisma.alert.updateMany({ where: { id: { in: own.alerts.map((a) => a.id) } }, data: { snoozedUntil: null } });
    }
  });

  it("'Take action' on Home opens the form as a modal; a closing action resolves the alert and the republished Home lists it no more", async () => {
    const home = await openHome("U0JAMES");
    const button = await clickOnHome("U0JAMES", home, (b) => b.action_id.startsWith("form.open.") && JSON.parse(b.value!).f === "rec.act");
    const asked = JSON.parse(button.value!) as { id: number; ev: number };
    const open = await h.fake.waitFor("views.open", () => h.fake.callsOf("views.open").find((c) => String(c.args.trigger_id).startsWith("trigger-home-") && (c.args.view as { callback_id?: string }).callback_id === "rec.act"));
    const view = open.args.view as { callback_id: string; private_metadata: string; blocks: { type: string; block_id?: string }[]; title: { text: string } };
    // The modal submits the alert card's own envelope; there is no message to answer under.
    expect(JSON.parse(view.private_metadata)).toEqual({ e: { a: "rec.act", v: 1, id: asked.id, ev: asked.ev } });
    const posts = h.fake.callsOf("chat.postMessage").length;
    const publishes = h.fake.callsOf("views.publish").length;
    const submitted = await postSigned(
      h.eventsUrl,
      SECRET,
      interactionBody({
        type: "view_submission",
        team: FAKE_TEAM,
        user: { id: "U0JAMES", username: "u0james", team_id: FAKE_TEAM.id },
        api_app_id: "A0LCA",
        token: "unused",
        trigger_id: `trigger-${++seq}`,
        view: {
          id: "V0ACT", team_id: FAKE_TEAM.id, type: "modal", callback_id: view.callback_id, private_metadata: view.private_metadata, blocks: view.blocks, title: view.title,
          state: { values: { act: { act: { type: "static_select", selected_option: { value: "data_issue_reported" } } } } },
          hash: "1.act", root_view_id: "V0ACT", previous_view_id: null, app_id: "A0LCA", bot_id: "BBOT", clear_on_close: false, notify_on_close: false,
        },
        response_urls: [],
        is_enterprise_install: false,
      }),
    );
    expect(submitted.status).toBe(200);
    const receipt = await h.fake.waitFor("the receipt in the DM", () => h.fake.callsOf("chat.postMessage").slice(posts).find((c) => c.args.channel === "DU0JAMES"));
    expect(blockText(receipt.args.blocks)).toContain(en("cards.receipt.actionRecorded", { action: en("cards.action.data_issue_reported") }));
    expect(await h.db.prisma.alert.findUniqueOrThrow({ where: { id: asked.id } })).toMatchObject({ status: "resolved", lastAction: "data_issue_reported" });
    await h.redraws!.settled();
    const republished = (h.fake.callsOf("views.publish").slice(publishes).filter((c) => c.args.user_id === "U0JAMES").at(-1)!.args.view as { blocks: unknown[] }).blocks;
    const alertIds = (blocks: unknown[]) => buttons(blocks).flatMap((b) => (b.action_id.startsWith("usecase.assign.") ? [JSON.parse(b.value!).al as number] : []));
    expect(alertIds(home)).toContain(asked.id);
    expect(alertIds(republished)).not.toContain(asked.id);
    const total = (blocks: unknown[]) => Number(/(\d+) open alerts? need/.exec(seen(blocks))?.[1]);
    expect(total(republished)).toBe(total(home) - 1);
  });

  it("the language control changes James's language as `lang ru` does, and the republished Home is in Russian", async () => {
    const home = await openHome("U0JAMES");
    const publishes = h.fake.callsOf("views.publish").length;
    const posts = h.fake.callsOf("chat.postMessage").length;
    await clickOnHome("U0JAMES", home, (b) => JSON.parse(b.value ?? "{}").a === "settings.lang");
    // The answer comes in the DM, already in the new language.
    const answer = await h.fake.waitFor("the answer in the DM", () => h.fake.callsOf("chat.postMessage").slice(posts).find((c) => c.args.channel === "DU0JAMES"));
    expect(blockText(answer.args.blocks)).toContain(ru("chat.done.lang"));
    await h.redraws!.settled();
    const james = await csm("james.lee@partner.example");
    expect(james.locale).toBe("ru");
    expect(await h.db.prisma.auditEntry.count({ where: { action: "lang", channel: "slack", csmId: james.id } })).toBe(1);
    const republished = h.fake.callsOf("views.publish").slice(publishes).filter((c) => c.args.user_id === "U0JAMES").at(-1);
    const text = seen((republished!.args.view as { blocks: unknown[] }).blocks);
    expect(text).toContain(ru("cards.label.homeUrgent"));
    expect(text).toContain(`*${ru("cards.label.homeLanguage")}*\n${ru("chat.language.ru")}`);
    await h.db.prisma.csm.update({ where: { id: james.id }, data: { locale: "en" } });
  });

  it("republishes every linked CSM's Home once, however many rows were queued before the dispatcher got to them", async () => {
    const publishes = h.fake.callsOf("views.publish").length;
    const { rows: [last] } = await h.db.pool.query<{ id: string }>(`SELECT coalesce(max(id), 0) AS id FROM outbox_message`);
    // Three rounds committed at once, as three refreshes could leave them.
    await inTransaction(h.db.pool, async (client) => {
      for (let i = 0; i < 3; i++) await enqueueHomes(client);
    });
    await h.redraws!.settled();
    const users = h.fake.callsOf("views.publish").slice(publishes).map((c) => c.args.user_id);
    expect([...users].sort()).toEqual(["U0ANNA", "U0JAMES"]);
    const { rows } = await h.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_message WHERE id > $1 AND kind = 'home' AND status = 'superseded' AND last_error LIKE 'coalesced into #%'`, [last!.id]);
    expect(rows[0]!.n).toBe(4);
  });

  it("republishes the Homes after an ingest, for the CSMs with a Slack account only", async () => {
    const publishes = h.fake.callsOf("views.publish").length;
    const summary = await loadDemo(h.db, h.config, todayIn(h.config.partner.timeZone));
    expect(summary.outboxRows).toBeGreaterThanOrEqual(2);
    await h.redraws!.settled();
    const users = new Set(h.fake.callsOf("views.publish").slice(publishes).map((c) => c.args.user_id));
    expect(users).toEqual(new Set(["U0ANNA", "U0JAMES"]));
  });

  it("has a manifest with the Home tab on and the app_home_opened event", () => {
    const manifest = readFileSync(projectPath("slack", "manifest.yml"), "utf8");
    expect(manifest).toMatch(/^\s+home_tab_enabled: true\b/m);
    expect(manifest).toMatch(/bot_events:\s+(- [\w.]+\s+)*- app_home_opened\s/);
  });
});
