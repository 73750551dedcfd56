import { describe, expect, it } from "vitest";
import { renderCard } from "../../src/cards/render.js";
import { SAMPLE_NOW, SAMPLE_VIEWS } from "../../src/cards/samples.js";
import type { Locale } from "../../src/config.js";

/** What a CSM sees of a change made in chat that LCA has not shown yet. */
const ctx = (locale: Locale) => ({ locale, timeZone: "Europe/Berlin", now: SAMPLE_NOW });
const contact = { source: "partner" as const, slot: 1, name: "New Ops", email: "new.ops@northwind.example", barrier: "none" as const };
const detail = (waitingForLca: boolean, locale: Locale) =>
  JSON.stringify(renderCard("usecase.detail", { ...SAMPLE_VIEWS["usecase.detail"], contacts: [{ ...contact, waitingForLca }] }, ctx(locale)));

describe("changes waiting for LCA on the cards", () => {
  it.each([
    ["en", "saved in lca-bot, waiting for LCA"],
    ["ru", "сохранено в lca-bot, ждёт LCA"],
  ] as const)("marks a contact set in chat and not yet in LCA on the use-case card (%s)", (locale, marker) => {
    expect(detail(true, locale)).toContain(marker);
    expect(detail(false, locale)).not.toContain(marker);
  });

  it.each([
    ["en", { key: "contactSavedPending", params: { email: "new.ops@northwind.example" } }, "Contact saved in lca-bot: new.ops@northwind.example. Waiting for LCA"],
    ["ru", { key: "contactSavedPending", params: { email: "new.ops@northwind.example" } }, "Контакт сохранён в lca-bot: new.ops@northwind.example. Ждёт LCA"],
    ["en", { key: "assignedPending", params: { name: "James Lee" } }, "Deployment assigned to James Lee in lca-bot. Waiting for LCA"],
    ["ru", { key: "assignedPending", params: { name: "James Lee" } }, "Развёртывание назначено в lca-bot: James Lee. Ждёт LCA"],
  ] as const)("says saved and waiting for LCA on the receipt, not done (%s, %j)", (locale, outcome, text) => {
    const card = JSON.stringify(renderCard("receipt", { outcome, actorName: "James Lee", at: SAMPLE_NOW.toISOString() }, ctx(locale)));
    expect(card).toContain(text);
    expect(card).toContain("⏳");
  });
});
