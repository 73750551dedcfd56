import { describe, expect, it } from "vitest";
import { renderCard } from "../../src/cards/render.js";
import { SAMPLE_ALERTS, SAMPLE_NOW } from "../../src/cards/samples.js";
import { translator } from "../../src/i18n.js";
import type { Locale } from "../../src/locale.js";

const shown = (telemetry: boolean, locale: Locale) => {
  const view = { ...SAMPLE_ALERTS.stalled, useCase: { ...SAMPLE_ALERTS.stalled.useCase, telemetry } };
  return JSON.stringify(renderCard("alert.stalled", view, { locale, timeZone: "Europe/Berlin", now: SAMPLE_NOW })).replace(/\u2060/g, "");
};

describe("a stalled card without telemetry", () => {
  it.each(["en", "ru"] as const)("recommends turning telemetry on first (%s), and the usual step with it on", (locale) => {
    const t = translator(locale);
    const first = t("cards.recommendation.enable_telemetry");
    expect(shown(false, locale)).toContain(JSON.stringify(first).slice(1, 40));
    expect(shown(true, locale)).not.toContain(JSON.stringify(first).slice(1, 40));
    expect(shown(true, locale)).toContain(JSON.stringify(t("cards.recommendation.find_adoption_barrier")).slice(1, 40));
  });
});
