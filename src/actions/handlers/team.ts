import type { Config } from "../../config.js";
import { PNG_MEDIA_TYPE, renderTeamChart } from "../../cards/team-chart.js";
import { notice, reply, type Effect } from "../../protocol/effects.js";
import type { Actor } from "../identity.js";
import type { Handler } from "./context.js";

/** Partner admins (ADMINS) and team leads (TEAM_LEADS) see the whole team. */
export function seesTeam(actor: Pick<Actor, "email" | "isAdmin">, config: Pick<Config, "partner">): boolean {
  return actor.isAdmin || config.partner.teamLeads.includes(actor.email.trim().toLowerCase());
}

/**
 * `team`: for admins and team leads, the team report: the card (per CSM, the unassigned
 * deployments) and its chart as a PNG in the same conversation. It names every CSM's
 * customers, so anyone else is refused before anything is read.
 */
export const team: Handler<"team"> = async (ctx): Promise<Effect[]> => {
  if (!seesTeam(ctx.actor, ctx.config)) return [notice("warning", { key: "chat.team.notAllowed" })];
  const view = await ctx.reads.teamView();
  return [
    reply({ card: "team", view }),
    {
      type: "file",
      name: `team-report-${view.week}.png`,
      mediaType: PNG_MEDIA_TYPE,
      bytes: await renderTeamChart(view, ctx.actor.locale),
      comment: { key: "chat.team.comment", params: { week: view.week } },
      here: true,
    },
  ];
};
