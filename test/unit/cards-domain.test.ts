import { describe, expect, it } from "vitest";
import type { Locale } from "../../src/config.js";
import { renderCard } from "../../src/cards/render.js";
import { toBlockKit } from "../../src/cards/blockkit.js";
import { SAMPLE_ALERTS, SAMPLE_NOW, SAMPLE_VIEWS } from "../../src/cards/samples.js";
import { ALERT_KINDS } from "../../src/domain/recommendations.js";
import type { CardName, CardViews } from "../../src/protocol/views.js";

/** CPI Eligible and the lead-CSM flag on the cards that show a use case or a customer, in both languages. */

const ctx = (locale: Locale) => ({ locale, timeZone: "Europe/Berlin", now: SAMPLE_NOW });
const text = <N extends CardName>(name: N, view: CardViews[N], locale: Locale) => JSON.stringify(renderCard(name, view, ctx(locale)));
const WORDS = {
  en: { cpi: "CPI eligible", lead: "Lead CSM in LCA", leadMarker: "★ lead CSM in LCA", yes: "Yes", no: "No" },
  ru: { cpi: "Подходит для CPI", lead: "Ведущий CSM в LCA", leadMarker: "★ ведущий CSM в LCA", yes: "Да", no: "Нет" },
} as const;
const fact = (title: string, value: string) => JSON.stringify({ title, value }).slice(1, -1);

describe.each(["en", "ru"] as const)("[%s]", (locale) => {
  const w = WORDS[locale];

  it.each(ALERT_KINDS)("alert.%s shows CPI eligible as LCA gave it, and nothing when LCA left it empty", (kind) => {
    const name = `alert.${kind}` as const;
    const base = SAMPLE_ALERTS[kind];
    expect(text(name, { ...base, useCase: { ...base.useCase, cpiEligible: true } }, locale)).toContain(fact(w.cpi, w.yes));
    expect(text(name, { ...base, useCase: { ...base.useCase, cpiEligible: false } }, locale)).toContain(fact(w.cpi, w.no));
    expect(text(name, { ...base, useCase: { ...base.useCase, cpiEligible: null } }, locale)).not.toContain(w.cpi);
  });

  it("usecase.detail shows CPI eligible and whether the partner is the lead CSM in LCA", () => {
    const view = SAMPLE_VIEWS["usecase.detail"];
    const lead = text("usecase.detail", view, locale);
    expect(lead).toContain(fact(w.cpi, w.yes));
    expect(lead).toContain(fact(w.lead, w.yes));
    const notLead = text("usecase.detail", { ...view, deployment: { ...view.deployment, lead: false }, useCase: { ...view.useCase, cpiEligible: null } }, locale);
    expect(notLead).toContain(fact(w.lead, w.no));
    expect(notLead).not.toContain(w.cpi);
  });

  it("customer.summary marks the lead deployment and the CPI-eligible use cases, and only those", () => {
    const view = SAMPLE_VIEWS["customer.summary"];
    const rendered = text("customer.summary", view, locale);
    expect(rendered.split(w.leadMarker)).toHaveLength(2);
    expect(rendered.split(locale === "en" ? "CPI eligible" : "подходит для CPI")).toHaveLength(2);
    const none = text("customer.summary", { ...view, deployments: view.deployments.map((d) => ({ ...d, lead: false, useCases: d.useCases.map((u) => ({ ...u, cpiEligible: false })) })) }, locale);
    expect(none).not.toContain(w.leadMarker);
    expect(none).not.toMatch(/CPI/);
  });

  it("Slack's Block Kit carries the same facts", () => {
    const blocks = JSON.stringify(toBlockKit(renderCard("usecase.detail", SAMPLE_VIEWS["usecase.detail"], ctx(locale))));
    expect(blocks).toContain(w.cpi);
    expect(blocks).toContain(w.lead);
  });
});
