import { createRequire } from "node:module";
import type { Locale } from "../locale.js";
import { translator } from "../i18n.js";
import type { TeamView } from "../protocol/views.js";

/**
 * The team report's picture, drawn on the server without a browser: Apache ECharts renders
 * SVG (its server-side mode), resvg turns the SVG into PNG. Two panels: the stage funnel of
 * the partner's use cases (Purchase … Optimize) and the stalled alerts open at the end of
 * each of the last 8 ISO weeks. Only the bot's own words (stage names, titles from the
 * locale) and numbers are drawn: no name from the data reaches the picture, and ECharts
 * escapes every text it writes into the SVG anyway.
 *
 * The font is DejaVu Sans from the `dejavu-fonts-ttf` package (Latin and Cyrillic), loaded by
 * file and never from the system, so the picture is the same on every machine, a fresh CI
 * machine without fonts included.
 *
 * Both libraries are loaded on first use: ECharts takes seconds to import on a busy machine,
 * and the service must answer /healthz long before anyone asks for a chart.
 */

export const TEAM_CHART_SIZE = { width: 960, height: 420 } as const;
export const PNG_MEDIA_TYPE = "image/png";

const FONT_FAMILY = "DejaVu Sans";
const require = createRequire(import.meta.url);
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((file) => require.resolve(`dejavu-fonts-ttf/ttf/${file}`));

let libraries: Promise<{ echarts: typeof import("echarts"); Resvg: typeof import("@resvg/resvg-js").Resvg }> | undefined;
const load = () => (libraries ??= Promise.all([import("echarts"), import("@resvg/resvg-js")]).then(([echarts, resvg]) => ({ echarts, Resvg: resvg.Resvg })));

const BLUE = "#1f6fb2";
const ORANGE = "#d9822b";

/** The chart as SVG text (what resvg draws), in the reader's language. */
export async function teamChartSvg(view: TeamView, locale: Locale): Promise<string> {
  const { echarts } = await load();
  const t = translator(locale);
  const { width, height } = TEAM_CHART_SIZE;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    const stages = view.funnel.map((f) => t(`cards.stage.${f.stage}`));
    const weeks = view.weeks.map((w) => w.week.slice(5)); // "W49"
    const noData = view.weeks.some((w) => w.stalled === null);
    chart.setOption({
      animation: false,
      backgroundColor: "#ffffff",
      textStyle: { fontFamily: FONT_FAMILY, color: "#222222" },
      title: [
        { text: t("cards.team.chart.funnel"), left: "3%", top: 8, textStyle: { fontSize: 16, fontFamily: FONT_FAMILY } },
        { text: t("cards.team.chart.stalled"), left: "53%", top: 8, textStyle: { fontSize: 16, fontFamily: FONT_FAMILY } },
        ...(noData ? [{ text: t("cards.team.chart.noData"), left: "53%", bottom: 6, textStyle: { fontSize: 11, fontWeight: "normal" as const, color: "#777777", fontFamily: FONT_FAMILY } }] : []),
      ],
      grid: [
        { left: "3%", width: "42%", top: 48, bottom: 36, containLabel: true },
        { left: "53%", width: "44%", top: 48, bottom: 48, containLabel: true },
      ],
      xAxis: [
        { gridIndex: 0, type: "value", minInterval: 1, axisLabel: { fontFamily: FONT_FAMILY } },
        { gridIndex: 1, type: "category", data: weeks, axisLabel: { fontFamily: FONT_FAMILY } },
      ],
      yAxis: [
        { gridIndex: 0, type: "category", data: stages, inverse: true, axisLabel: { fontFamily: FONT_FAMILY, fontSize: 13 } },
        { gridIndex: 1, type: "value", minInterval: 1, axisLabel: { fontFamily: FONT_FAMILY } },
      ],
      series: [
        {
          type: "bar",
          xAxisIndex: 0,
          yAxisIndex: 0,
          data: view.funnel.map((f) => f.count),
          itemStyle: { color: BLUE },
          barMaxWidth: 28,
          label: { show: true, position: "right", fontFamily: FONT_FAMILY },
        },
        {
          type: "bar",
          xAxisIndex: 1,
          yAxisIndex: 1,
          // "-" is ECharts' empty value: a week before the first snapshot has no bar, not a zero.
          data: view.weeks.map((w) => (w.stalled === null ? "-" : w.stalled)),
          itemStyle: { color: ORANGE },
          barMaxWidth: 36,
          label: { show: true, position: "top", fontFamily: FONT_FAMILY },
        },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The chart as PNG bytes (960×420), in the reader's language. */
export async function renderTeamChart(view: TeamView, locale: Locale): Promise<Uint8Array> {
  const { Resvg } = await load();
  const svg = await teamChartSvg(view, locale);
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "original" },
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return new Uint8Array(resvg.render().asPng());
}
