import { adaptiveLabel, adaptiveSubmits, adaptiveText, type Card, type ChatDriver, type Place } from "./driver.js";
import { eventually, PEOPLE, type Harness, type Person } from "./harness.js";

/** The preview's JSON answer (src/channels/preview/present.ts PreviewAnswer), as far as a driver reads it. */
interface PreviewAnswer {
  replies: { card: unknown }[];
  fieldErrors: { field: string; text: string }[];
  refreshed: { alertId: number; card: { card: unknown } }[];
}

/**
 * The preview as its page drives it: the inbox page (GET /preview?csm=) shows what arrived,
 * clicks and messages go to /preview/api/action and /preview/api/message. It has no team space:
 * there the "team" place is the unassigned alerts every CSM's inbox lists. Its answers come
 * whole, in the response to the request: an `until` has nothing more to wait for.
 */
export function previewDriver(h: Harness): ChatDriver {
  const api = (path: string) => `${h.base}/preview/api/${path}`;
  // Every CSM's inbox lists the unassigned alerts; Dmitry's has no others to push them out of sight.
  const inboxOf = (place: Place): Person => (place === "team" ? "dmitry" : place.person);

  /** The inbox's cards by alert, in the page's order: arrived first, then open, then unassigned. */
  async function inbox(person: Person): Promise<{ alertId: number; section: string; card: unknown }[]> {
    const page = await fetch(`${h.base}/preview?csm=${encodeURIComponent(PEOPLE[person].email)}`);
    if (page.status !== 200) throw new Error(`the preview inbox answered ${page.status}`);
    const html = await page.text();
    const data = JSON.parse(/<script type="application\/json" id="preview-data">([^<]*)<\/script>/.exec(html)![1]!) as { cards: Record<string, unknown> };
    const items: { alertId: number; section: string; card: unknown }[] = [];
    for (const section of html.split('<section class="section"').slice(1)) {
      const name = /data-section="([^"]+)"/.exec(section)![1]!;
      for (const item of section.matchAll(/<article class="item" data-key="([^"]+)"[^>]*data-alert-id="(\d+)"/g)) {
        items.push({ alertId: Number(item[2]), section: name, card: data.cards[item[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, "&")] });
      }
    }
    return items;
  }

  const contents = new WeakMap<Card, unknown>();
  const asCard = (alertId: number, place: Place, content: unknown): Card => {
    const card: Card = { chat: "preview", place, alertId, text: adaptiveText(content), submits: adaptiveSubmits(content) };
    contents.set(card, content);
    return card;
  };

  async function current(alertId: number, place: Place): Promise<Card | undefined> {
    const items = (await inbox(inboxOf(place))).filter((i) => i.alertId === alertId && (place === "team" || i.section === "arrived" || i.section === "open"));
    return items[0] ? asCard(alertId, place, items[0].card) : undefined;
  }

  async function post(path: "action" | "message", body: Record<string, unknown>, init: RequestInit = {}): Promise<Response> {
    return fetch(api(path), { method: "POST", ...init, headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) }, body: JSON.stringify(body) });
  }

  async function answer(response: Response): Promise<PreviewAnswer> {
    if (response.status !== 200) throw new Error(`the preview answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as PreviewAnswer;
  }

  const replies = (a: PreviewAnswer) => a.replies.map((r) => adaptiveText(r.card)).join("\n");
  const actionBody = (person: Person, card: Card, action: string, inputs: Record<string, string> = {}) => {
    const data = card.submits[action];
    if (!data) throw new Error(`the preview card of alert ${card.alertId} has no ${action} submit`);
    return { csm: PEOPLE[person].email, data: { ...data, ...inputs } };
  };

  return {
    name: "preview",
    platformLocale: { skip: "the preview is no chat platform: it knows no locale of its own for a person (its ?lang= switch renders a page, it is not the person's setting)" },
    rateLimit: { skip: "the preview has no chat API to rate-limit it: its cards are read from the database when the page loads" },
    delivered: (alertId, place, timeoutMs = 20_000) => eventually(`alert ${alertId} in the preview inbox of ${inboxOf(place)}`, () => current(alertId, place), timeoutMs),
    current,

    async click(person, card, action) {
      const body = actionBody(person, card, action);
      const first = await answer(await post("action", body));
      return {
        answer: replies(first),
        // The preview has no delivery id: the same request again is what a double click or a retried POST sends.
        replay: async () => void (await answer(await post("action", body))),
      };
    },

    // On this machine without a token the preview answers only a browser here, not one behind a proxy.
    forgeClick: async (person, card, action) => (await post("action", actionBody(person, card, action), { headers: { "x-forwarded-for": "203.0.113.9" } })).status,

    async submitForm(person, card, action, inputs) {
      const result = await answer(await post("action", actionBody(person, card, action, inputs)));
      // The page shows each refusal under the field of that id, on the card the person filled in.
      const refusals = result.fieldErrors.map((e) => `${adaptiveLabel(contents.get(card), e.field) ?? `(no field ${e.field})`}: ${e.text}`);
      return [...refusals, replies(result)].filter(Boolean).join("\n");
    },

    async say(person, text) {
      return replies(await answer(await post("message", { csm: PEOPLE[person].email, text })));
    },
  };
}
