/** The team report: per CSM open alerts and longest stalled use case, unassigned deployments; the chart goes beside it as a PNG. */
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import type { TeamView } from "../protocol/views.js";
import type { Format } from "./present-format.js";
import type { TemplateData } from "./present-pieces.js";

/**
 * CSMs shown one by one: within Slack's 50 blocks and Webex's card size for any team; the
 * totals above count every CSM, and a line says how many more there are.
 */
export const TEAM_MAX_CSMS = 15;

const byKind = (counts: Record<AlertKind, number>, f: Format) => ({
  stalled: f.number(counts.stalled),
  new: f.number(counts.new_use_case),
  contacts: f.number(counts.bounced_contact + counts.missing_contact),
  regression: f.number(counts.regression),
});

export function presentTeam(view: TeamView, f: Format): TemplateData {
  const { t } = f;
  const total = ALERT_KINDS.reduce((n, k) => n + view.totals[k], 0);
  const shown = view.csms.slice(0, TEAM_MAX_CSMS);
  return {
    title: t("cards.team.title", { week: view.week }),
    summary: t("cards.team.summary", { total: f.number(total), ...byKind(view.totals, f) }),
    chartNote: t("cards.team.chartNote"),
    csms: shown.map((csm) => ({
      name: csm.name,
      counts: t("cards.team.csmCounts", byKind(csm.counts, f)),
      oldest: csm.oldestStalled
        ? t("cards.team.oldest", {
            customer: csm.oldestStalled.customer.name,
            useCase: csm.oldestStalled.useCase.name,
            deploymentId: csm.oldestStalled.deploymentId,
            over: { key: "cards.team.daysOver", params: { count: csm.oldestStalled.daysOver } },
            stage: t(`cards.stage.${csm.oldestStalled.stage}`),
          })
        : t("cards.team.noStalled"),
    })),
    more: t("cards.team.more", { n: f.number(view.csms.length - shown.length) }),
    unassigned: view.unassigned.count > 0 ? t("cards.team.unassigned", { n: f.number(view.unassigned.count) }) : t("cards.team.noUnassigned"),
    unassignedTop: view.unassigned.top.map((u) => ({ text: t("cards.team.unassignedItem", { deploymentId: u.deploymentId, customer: u.customer.name, n: f.number(u.openAlerts) }) })),
    show: { more: view.csms.length > shown.length, unassignedTop: view.unassigned.top.length > 0 },
  };
}
