import { sparkSignature, type FakeMessage, type FakeRoom } from "../../support/fake-webex.js";
import { adaptiveSubmits, adaptiveText, alertIdOf, type Card, type ChatDriver, type Click, type Place, type Until } from "./driver.js";
import { eventually, type Harness, type Person } from "./harness.js";

const CARD = "application/vnd.microsoft.card.adaptive";

/**
 * Webex as Webex drives the bot: people write and press buttons in the fake, which posts the
 * signed webhook events to the service; answers are the messages the bot posted to the fake.
 */
export function webexDriver(h: Harness): ChatDriver {
  const fake = h.webex;
  const shown = new WeakMap<Card, FakeMessage>();

  const room = (place: Place): FakeRoom => (place === "team" ? h.webexTeam : fake.directRoom(h.webexPeople[place.person]));
  const contentOf = (m: FakeMessage) => m.attachments?.find((a) => a.contentType === CARD)?.content;
  /** This service's messages in a space, oldest first; deleted ones are gone from the space. */
  /** A POST /messages body bound for the place: its space, or the person's email (the 1:1 space is made on the first). */
  const at = (place: Place) => {
    const target = room(place);
    const email = place === "team" ? undefined : h.webexPeople[place.person].emails[0];
    return (body: { roomId?: unknown; toPersonEmail?: unknown }) => body.roomId === target.id || (email !== undefined && body.toPersonEmail === email);
  };
  const inRoom = (roomId: string, since = h.webexSince) => fake.posted.slice(since).filter((m) => m.roomId === roomId);

  function cardOf(message: FakeMessage, place: Place): Card | undefined {
    const content = contentOf(message);
    if (!content) return undefined;
    const submits = adaptiveSubmits(content);
    const alertId = alertIdOf(Object.values(submits));
    if (alertId === undefined) return undefined;
    const card: Card = { chat: "webex", place, alertId, text: adaptiveText(content), submits };
    shown.set(card, message);
    return card;
  }

  async function current(alertId: number, place: Place): Promise<Card | undefined> {
    // A redraw posts the new card and deletes the old one: the newest live copy is the card.
    const live = inRoom(room(place).id).filter((m) => fake.messages.has(m.id));
    return live.map((m) => cardOf(m, place)).filter((c): c is Card => c?.alertId === alertId).at(-1);
  }

  /** What the bot answered in the space since `since`: the messages that are not an alert's card (its redraws). */
  async function answerSince(roomId: string, since: number, what: string, until: Until = () => true): Promise<string> {
    const answerNow = () => {
      const found = inRoom(roomId, since).filter((m) => !cardOf(m, { person: "james" }));
      return found.map((m) => (contentOf(m) ? adaptiveText(contentOf(m)) : (m.markdown ?? m.text ?? ""))).join("\n");
    };
    try {
      return await eventually(what, () => {
        const text = answerNow();
        return text && until(text) ? text : undefined;
      });
    } catch {
      // What came, for the caller's assertion to show, rather than only "timed out".
      return answerNow();
    }
  }

  async function submit(person: Person, card: Card, data: Record<string, unknown>, what: string, until?: Until): Promise<Click> {
    const message = shown.get(card)!;
    const since = fake.posted.length;
    const action = fake.submit(h.webexPeople[person], message, data);
    const delivered = await fake.deliver(action);
    if (delivered.status !== 200) throw new Error(`the webhook answered ${delivered.status}`);
    return {
      answer: await answerSince(message.roomId, since, what, until),
      async replay() {
        const again = await fake.deliver(action);
        if (again.status !== 200) throw new Error(`the replayed webhook answered ${again.status}`);
      },
      // The framework fetches a submit's inputs each time it takes the event.
      handled: () => fake.calls.filter((c) => c.method === "GET" && c.path === `/attachment/actions/${action.id}`).length,
    };
  }

  const submitData = (card: Card, action: string) => {
    const data = card.submits[action];
    if (!data) throw new Error(`the Webex card of alert ${card.alertId} has no ${action} submit`);
    return data;
  };

  return {
    name: "webex",
    platformLocale: { skip: "Webex reports no locale for a person (the People API has none): the order is the CSM's own choice, else DEFAULT_LOCALE" },
    delivered: (alertId, place, timeoutMs = 20_000) => eventually(`alert ${alertId} in the Webex space ${room(place).title}`, () => current(alertId, place), timeoutMs),
    current,
    click: (person, card, action, until) => submit(person, card, submitData(card, action), `the receipt of ${action}`, until),

    async forgeClick(person, card, action) {
      const action_ = fake.submit(h.webexPeople[person], shown.get(card)!, submitData(card, action));
      const refused = (await fake.deliver(action_, { signature: sparkSignature("not-the-webhook-secret", "forged") })) as globalThis.Response;
      return refused.status;
    },

    async submitForm(person, card, action, inputs, until) {
      return (await submit(person, card, { ...submitData(card, action), ...inputs }, `the answer to the ${action} form`, until)).answer;
    },

    async say(person, text, until) {
      const direct = fake.directRoom(h.webexPeople[person]);
      const since = fake.posted.length;
      const delivered = await fake.deliver(fake.say(h.webexPeople[person], direct, text));
      if (delivered.status !== 200) throw new Error(`the webhook answered ${delivered.status}`);
      return answerSince(direct.id, since, `the answer to "${text}"`, until);
    },

    rateLimit: {
      covers: "chat",
      limitNextSend: (retryAfter, place) => fake.failNext("POST", /^\/messages$/, { status: 429, headers: { "Retry-After": String(retryAfter) }, match: at(place) }),
      sends: (place) => {
        const here = place ? at(place) : () => true;
        return fake.calls.filter((c) => c.method === "POST" && c.path === "/messages" && here((c.body ?? {}) as { roomId?: string })).map((c) => ({ status: c.status, at: c.at }));
      },
    },
  };
}
