import { describe, expect, it } from "vitest";
import { dccNeeded, recommendationFor } from "../../src/domain/recommendations.js";
import { renderCard } from "../../src/cards/render.js";
import { SAMPLE_ALERTS, SAMPLE_NOW, SAMPLE_VIEWS } from "../../src/cards/samples.js";
import { translator } from "../../src/i18n.js";
import type { Locale } from "../../src/locale.js";

const ctx = (locale: Locale) => ({ locale, timeZone: "Europe/Berlin", now: SAMPLE_NOW });
const text = (card: unknown) => JSON.stringify(card).replace(/\u2060/g, "");
// A sentence as the rendered JSON carries it (its first words: the rest may be escaped for markdown).
const words = (sentence: string) => JSON.stringify(sentence).slice(1, -1).slice(0, 39);

describe("the DCC rule (seed 000: several partners, telemetry only with a consent)", () => {
  it("needs a consent only for a customer of several partners without one", () => {
    expect(dccNeeded({ telemetry: true, multiPartner: true, dcc: false })).toBe(true);
    expect(dccNeeded({ telemetry: false, multiPartner: true })).toBe(true);
    expect(dccNeeded({ telemetry: true, multiPartner: true, dcc: true })).toBe(false);
    expect(dccNeeded({ telemetry: true, multiPartner: false, dcc: false })).toBe(false);
    expect(dccNeeded({ telemetry: true })).toBe(false);
  });

  it("recommends telemetry first, then the consent, for stalled and regressed use cases; other kinds keep theirs", () => {
    const several = { multiPartner: true, dcc: false };
    expect(recommendationFor("stalled", { telemetry: false, ...several })).toBe("enable_telemetry");
    expect(recommendationFor("stalled", { telemetry: true, ...several })).toBe("request_dcc");
    expect(recommendationFor("regression", { telemetry: true, ...several })).toBe("request_dcc");
    expect(recommendationFor("stalled", { telemetry: true, multiPartner: true, dcc: true })).toBe("find_adoption_barrier");
    expect(recommendationFor("stalled", { telemetry: true, multiPartner: false, dcc: false })).toBe("find_adoption_barrier");
    expect(recommendationFor("bounced_contact", { telemetry: true, ...several })).toBe("update_contact");
    expect(recommendationFor("new_use_case", { telemetry: true, ...several })).toBe("review_new_use_case");
  });
});

describe.each(["en", "ru"] as const)("cards of a customer of several partners without DCC (%s)", (locale) => {
  const t = translator(locale);
  it("the stalled card asks for the consent with telemetry on, and for telemetry first with it off", () => {
    const card = (telemetry: boolean, dcc: boolean) =>
      text(renderCard("alert.stalled", { ...SAMPLE_ALERTS.stalled, useCase: { ...SAMPLE_ALERTS.stalled.useCase, telemetry, dcc, multiPartner: true } }, ctx(locale)));
    expect(card(true, false)).toContain(words(t("cards.recommendation.request_dcc")));
    expect(card(false, false)).toContain(words(t("cards.recommendation.enable_telemetry")));
    expect(card(false, false)).not.toContain(words(t("cards.recommendation.request_dcc")));
    expect(card(true, true)).not.toContain(words(t("cards.recommendation.request_dcc")));
    expect(card(true, true)).toContain(words(t("cards.recommendation.find_adoption_barrier")));
  });

  it("the use-case card says the consent is needed, and the customer card marks the use case", () => {
    const base = SAMPLE_VIEWS["usecase.detail"];
    const detail = (dcc: boolean, multiPartner: boolean) => text(renderCard("usecase.detail", { ...base, useCase: { ...base.useCase, dcc, multiPartner } }, ctx(locale)));
    expect(detail(false, true)).toContain(words(t("cards.fact.dccNeeded")));
    expect(detail(false, false)).not.toContain(words(t("cards.fact.dccNeeded")));
    expect(detail(true, true)).not.toContain(words(t("cards.fact.dccNeeded")));
    const customer = SAMPLE_VIEWS["customer.summary"];
    const marked = { ...customer, deployments: customer.deployments.map((d, i) => ({ ...d, useCases: d.useCases.map((u, j) => ({ ...u, dccNeeded: i === 0 && j === 0 })) })) };
    expect(text(renderCard("customer.summary", marked, ctx(locale)))).toContain(words(t("cards.customer.dccMarker")));
    expect(text(renderCard("customer.summary", customer, ctx(locale)))).not.toContain(words(t("cards.customer.dccMarker")));
  });
});
