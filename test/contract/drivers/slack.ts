import { buttonPress, commandBody, FAKE_TEAM, interactionBody, postSigned, slackSignature, type StoredMessage } from "../../support/fake-slack.js";
import { blockText, buttons, mrkdwnAsSeen, slackEscape, type SlackButton } from "../../support/slack-blocks.js";
import { alertIdOf, type Card, type ChatDriver, type Click, type Place, type Until } from "./driver.js";
import { eventually, PEOPLE, SLACK_SECRET, TEAM_CHANNEL, type Harness, type Person } from "./harness.js";

/**
 * Slack as Slack drives the bot: signed requests to /slack/events (slash commands,
 * block_actions, view_submission), answers read from the fake Web API and response_url.
 */
export function slackDriver(h: Harness): ChatDriver {
  const events = `${h.base}/slack/events`;
  const fake = h.slack;
  const shown = new WeakMap<Card, { message: StoredMessage; buttons: Map<string, SlackButton> }>();
  let seq = 0;

  const channelOf = (place: Place) => (place === "team" ? TEAM_CHANNEL : `D${PEOPLE[place.person].slackId}`);
  const seen = (blocks: unknown, text?: unknown) => mrkdwnAsSeen(`${blockText(blocks)}\n${typeof text === "string" ? text : ""}`);

  function cardOf(message: StoredMessage, place: Place): Card | undefined {
    const byAction = new Map<string, SlackButton>();
    const submits: Card["submits"] = {};
    for (const button of buttons(message.blocks)) {
      if (!button.value) continue;
      const data = JSON.parse(button.value) as Record<string, unknown>;
      if (typeof data.a !== "string") continue;
      byAction.set(data.a, button);
      submits[data.a] = data;
    }
    const alertId = alertIdOf(Object.values(submits));
    if (alertId === undefined) return undefined;
    const card: Card = { chat: "slack", place, alertId, text: seen(message.blocks), submits };
    shown.set(card, { message, buttons: byAction });
    return card;
  }

  async function current(alertId: number, place: Place): Promise<Card | undefined> {
    const channel = channelOf(place);
    // chat.update rewrites a stored message in place: the newest copy at the place is the card.
    const cards = [...fake.messages.values()].filter((m) => m.channel === channel).map((m) => cardOf(m, place));
    return cards.filter((c): c is Card => c?.alertId === alertId).at(-1);
  }

  /** A block_actions payload for a button on a card, as Slack posts it. */
  function pressed(person: Person, card: Card, button: SlackButton, key: string, triggerId: string): string {
    const { message } = shown.get(card)!;
    const user = PEOPLE[person].slackId;
    return interactionBody(buttonPress({ userId: user, message, button, triggerId, responseUrl: fake.responseUrl(key) }));
  }

  function buttonFor(card: Card, action: string): SlackButton {
    const button = shown.get(card)?.buttons.get(action);
    if (!button) throw new Error(`the Slack card of alert ${card.alertId} has no ${action} button`);
    return button;
  }

  /**
   * The answers posted to a response_url so far and, for a click on a card (`inThread`), the
   * ephemeral ones in the card's thread to the person since the click; waits for one, and then for `until`.
   */
  const clicksAt: number[] = [];
  /** The person's ephemeral answers from the click on, up to the next click the driver made. */
  const ephemerals = (inThread: { user: string; since: number } | undefined) => {
    if (!inThread) return [];
    const next = clicksAt.find((at) => at > inThread.since);
    return fake.calls.slice(inThread.since, next).filter((c) => c.method === "chat.postEphemeral" && c.args.user === inThread.user);
  };
  const clickStarts = (user: string) => {
    const since = fake.calls.length;
    clicksAt.push(since);
    return { user, since };
  };
  async function answerOn(key: string, what: string, until: Until = () => true, inThread?: { user: string; since: number }): Promise<string> {
    const answers = () => [...fake.responses.filter((r) => r.key === key).map((r) => r.body), ...ephemerals(inThread).map((c) => c.args)];
    const answerNow = () => answers().map((body) => seen(body.blocks, body.text)).join("\n");
    await eventually(what, () => answers().length > 0);
    return eventually(what, () => until(answerNow()) && answerNow()).catch(() => answerNow());
  }

  return {
    name: "slack",
    platformLocale: true,
    delivered: (alertId, place, timeoutMs = 20_000) => eventually(`alert ${alertId} in Slack ${channelOf(place)}`, () => current(alertId, place), timeoutMs),
    current,

    async click(person, card, action, until): Promise<Click> {
      const button = buttonFor(card, action);
      if (button.action_id.startsWith("modal.")) throw new Error(`${action} opens a form on Slack: use submitForm`);
      const key = `click-${++seq}`;
      const body = pressed(person, card, button, key, `trigger-${seq}`);
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = slackSignature(SLACK_SECRET, timestamp, body);
      const inThread = clickStarts(PEOPLE[person].slackId);
      const post = await postSigned(events, SLACK_SECRET, body, { timestamp, signature });
      if (post.status !== 200) throw new Error(`Slack click answered ${post.status}: ${post.text}`);
      return {
        answer: await answerOn(key, `the receipt of ${action}`, until, inThread),
        async replay() {
          const again = await postSigned(events, SLACK_SECRET, body, { timestamp, signature });
          if (again.status !== 200) throw new Error(`replayed click answered ${again.status}`);
        },
        // Every time the bot takes the click it answers: in the card's thread, else on the click's response_url.
        handled: () => fake.responses.filter((r) => r.key === key).length + ephemerals(inThread).length,
      };
    },

    async forgeClick(person, card, action) {
      const body = pressed(person, card, buttonFor(card, action), `forged-${++seq}`, `trigger-forged-${seq}`);
      return (await postSigned(events, "not-the-signing-secret", body)).status;
    },

    async submitForm(person, card, action, inputs, until) {
      const button = buttonFor(card, action);
      const key = `form-${++seq}`;
      const triggerId = `trigger-${seq}`;
      const inThread = clickStarts(PEOPLE[person].slackId);
      const opened = await postSigned(events, SLACK_SECRET, pressed(person, card, button, key, triggerId));
      if (opened.status !== 200) throw new Error(`Slack form button answered ${opened.status}`);
      const open = await eventually("views.open for the form", () => fake.callsOf("views.open").find((c) => c.args.trigger_id === triggerId));
      type Input = { type: string; block_id: string; label: { text: string }; element: { type: string; action_id: string } };
      const view = open.args.view as { callback_id: string; private_metadata: string; title: unknown; blocks: Input[] };
      const fields = view.blocks.filter((b) => b.type === "input");
      const values = Object.fromEntries(
        fields.filter((f) => f.block_id in inputs).map((f) => [f.block_id, { [f.element.action_id]: { type: f.element.type, value: inputs[f.block_id] } }]),
      );
      const user = PEOPLE[person].slackId;
      const submitted = await postSigned(
        events,
        SLACK_SECRET,
        interactionBody({
          type: "view_submission",
          team: FAKE_TEAM,
          user: { id: user, username: user.toLowerCase(), team_id: FAKE_TEAM.id },
          api_app_id: "A0LCA",
          token: "unused",
          trigger_id: `trigger-${++seq}`,
          view: { id: `V0FORM${seq}`, team_id: FAKE_TEAM.id, type: "modal", callback_id: view.callback_id, private_metadata: view.private_metadata, blocks: view.blocks, title: view.title, state: { values }, hash: "1.abc", app_id: "A0LCA", bot_id: "BBOT" },
          response_urls: [],
          is_enterprise_install: false,
        }),
      );
      if (submitted.status !== 200) throw new Error(`Slack view_submission answered ${submitted.status}`);
      // A refusal keeps the modal open with the message under the field; otherwise the receipt follows.
      const refused = submitted.text ? (JSON.parse(submitted.text) as { response_action?: string; errors?: Record<string, string> }) : {};
      if (refused.response_action === "errors") {
        return Object.entries(refused.errors ?? {})
          .map(([field, message]) => `${fields.find((f) => f.block_id === field)?.label.text ?? `(no field ${field})`}: ${mrkdwnAsSeen(message)}`)
          .join("\n");
      }
      return answerOn(key, `the receipt of ${action}`, until, inThread);
    },

    async say(person, text, until) {
      const key = `say-${++seq}`;
      const user = PEOPLE[person].slackId;
      const post = await postSigned(events, SLACK_SECRET, commandBody({ command: "/lca", text: slackEscape(text), userId: user, channelId: `D${user}`, responseUrl: fake.responseUrl(key) }));
      if (post.status !== 200) throw new Error(`/lca answered ${post.status}`);
      return answerOn(key, `the answer to "${text}"`, until);
    },

    rateLimit: {
      covers: "destination",
      // The fake fails the next chat.update wherever it goes: the test waits until nothing else is in flight.
      limitNextSend: (retryAfter) => fake.fail("chat.update", { status: 429, retryAfter }),
      sends: (place) =>
        [...fake.callsOf("chat.update"), ...fake.callsOf("chat.postMessage")]
          .filter((c) => !place || c.args.channel === channelOf(place))
          .map((c) => ({ status: c.status, at: c.at }))
          .sort((a, b) => a.at - b.at),
    },
  };
}
