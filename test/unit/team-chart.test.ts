import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { renderTeamChart, TEAM_CHART_SIZE, teamChartSvg } from "../../src/cards/team-chart.js";
import { SAMPLE_VIEWS } from "../../src/cards/samples.js";
import type { TeamView } from "../../src/protocol/views.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from the PNG's IHDR chunk (the first, right after the signature). */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(String.fromCharCode(...png.slice(12, 16))).toBe("IHDR");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe("the team chart", async () => {
  it.each(["en", "ru"] as const)("renders a %s PNG of the chart's size", async (locale) => {
    const png = await renderTeamChart(SAMPLE_VIEWS.team, locale);
    expect([...png.slice(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.byteLength).toBeGreaterThan(5_000);
    expect(pngSize(png)).toEqual(TEAM_CHART_SIZE);
  });

  it("labels the stages and titles in the reader's language, weeks by their ISO number", async () => {
    const en = await teamChartSvg(SAMPLE_VIEWS.team, "en");
    const ru = await teamChartSvg(SAMPLE_VIEWS.team, "ru");
    for (const word of ["Purchase", "Optimize", "Use cases by stage", "W10", "W03"]) expect(en).toContain(word);
    for (const word of ["Покупка", "Оптимизация", "Сценарии использования по этапам", "W10"]) expect(ru).toContain(word);
    // Two weeks before the first snapshot: said in words, not drawn as zero.
    expect(en).toContain("before the bot");
  });

  it("draws the text with the packaged font: the same SVG without any font loses every label", async () => {
    const svg = await teamChartSvg(SAMPLE_VIEWS.team, "ru");
    const withoutFonts = new Resvg(svg, { background: "white", font: { loadSystemFonts: false, fontFiles: [] } }).render().asPng().byteLength;
    const withFont = (await renderTeamChart(SAMPLE_VIEWS.team, "ru")).byteLength;
    // Bars alone compress to little; Cyrillic labels and numbers add most of the bytes.
    expect(withFont).toBeGreaterThan(withoutFonts * 2);
  });

  it("draws an empty partner without failing: all zeros, every week before the first snapshot", async () => {
    const empty: TeamView = { ...SAMPLE_VIEWS.team, funnel: SAMPLE_VIEWS.team.funnel.map((f) => ({ ...f, count: 0 })), weeks: SAMPLE_VIEWS.team.weeks.map((w) => ({ ...w, stalled: null })) };
    const png = await renderTeamChart(empty, "en");
    expect(pngSize(png)).toEqual(TEAM_CHART_SIZE);
  });
});
