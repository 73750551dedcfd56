import { describe, expect, it } from "vitest";
import { renderCard } from "../../src/cards/render.js";
import { SAMPLE_ALERTS, SAMPLE_NOW, SAMPLE_VIEWS, sampleListItems } from "../../src/cards/samples.js";
import type { Locale } from "../../src/config.js";
import type { LcaWait } from "../../src/domain/alerts.js";

/** A contact alert fixed in chat, as the CSM sees it until LCA shows the fix. */
const ctx = (locale: Locale) => ({ locale, timeZone: "Europe/Berlin", now: SAMPLE_NOW });
const alertCard = (lcaWait: LcaWait | null, locale: Locale = "en") =>
  renderCard("alert.bounced_contact", { ...SAMPLE_ALERTS.bounced_contact, lcaWait }, ctx(locale));
const titles = (card: { actions?: unknown[] }) => (card.actions ?? []).map((a) => (a as { title: string }).title);

describe("a contact alert waiting for LCA", () => {
  it.each([
    ["en", "Fixed in lca-bot: waiting for LCA", "Not yet in LCA: the upload is pending"],
    ["ru", "Исправлено в lca-bot: ждёт LCA", "Ещё не в LCA: загрузка файла Excel партнёром не выполнена"],
  ] as const)("shows the marker instead of the fix buttons while waiting, and both once the upload is late (%s)", (locale, waiting, late) => {
    const held = alertCard("waiting", locale);
    expect(JSON.stringify(held)).toContain(waiting);
    const update = locale === "en" ? "Update contact" : "Обновить контакт";
    expect(titles(held)).not.toContain(update);
    const stale = alertCard("upload_pending", locale);
    expect(JSON.stringify(stale)).toContain(late);
    expect(titles(stale)[0]).toBe(update);
    const plain = alertCard(null, locale);
    expect(JSON.stringify(plain)).not.toContain(waiting);
    expect(titles(plain)[0]).toBe(update);
  });

  it("leads a contact alert with Update contact and offers none of the six steps with the customer", () => {
    for (const kind of ["bounced_contact", "missing_contact"] as const) {
      const card = renderCard(`alert.${kind}`, SAMPLE_ALERTS[kind], ctx("en"));
      expect(titles(card)[0]).toBe("Update contact");
      expect(titles(card)).not.toContain("Take action");
    }
    expect(titles(renderCard("alert.stalled", SAMPLE_ALERTS.stalled, ctx("en")))).toContain("Take action");
  });

  it("marks it in the lists, the digest and Home", () => {
    const [first, ...rest] = sampleListItems(3);
    const list = JSON.stringify(renderCard("list", { ...SAMPLE_VIEWS.list, kind: "contacts", items: [{ ...first!, lcaWait: "waiting" }, ...rest] }, ctx("en")));
    expect(list.match(/Fixed in lca-bot: waiting for LCA/g)).toHaveLength(1);
    const digest = SAMPLE_VIEWS.digest;
    const top = digest.top.map((item) => (item.kind === "bounced_contact" ? { ...item, lcaWait: "upload_pending" as const } : item));
    expect(JSON.stringify(renderCard("digest", { ...digest, top }, ctx("ru")))).toContain("Ещё не в LCA");
    const home = SAMPLE_VIEWS.home;
    const urgent = home.urgent.map((a) => (a.kind === "bounced_contact" ? { ...a, lcaWait: "waiting" as const } : a));
    const homeCard = JSON.stringify(renderCard("home", { ...home, urgent }, ctx("en")));
    expect(homeCard).toContain("Fixed in lca-bot: waiting for LCA");
  });
});
