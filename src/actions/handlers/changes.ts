import { todayIn } from "../../domain/dates.js";
import { notice, type Effect } from "../../protocol/effects.js";
import { totalOf } from "../../writeback/summary.js";
import type { Handler } from "./context.js";

export const XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * `changes`: for admins, what waits for LCA by kind and the workbook to upload (the same
 * bytes `lca-bot changes --xlsx` writes). The workbook carries every changed use case of the
 * partner, so anyone else is refused.
 */
export const changes: Handler<"changes"> = async (ctx): Promise<Effect[]> => {
  if (!ctx.actor.isAdmin) return [notice("warning", { key: "chat.changes.notAdmin" })];
  const counts = await ctx.reads.lcaChangeCounts();
  if (totalOf(counts.pending) + totalOf(counts.stale) === 0) return [notice("info", { key: "chat.changes.none" })];
  const workbook = await ctx.reads.lcaWorkbook();
  if (!workbook.ok) return [notice("error", { key: "chat.changes.problems", params: { cells: workbook.problems } })];
  const { pending: p, stale: s } = counts;
  return [
    {
      type: "file",
      name: `lca-changes-${todayIn(ctx.actor.timeZone, ctx.now())}.xlsx`,
      mediaType: XLSX_MEDIA_TYPE,
      bytes: workbook.bytes,
      comment: {
        key: "chat.changes.comment",
        params: { emailPending: p.email, emailStale: s.email, namePending: p.name, nameStale: s.name, csmPending: p.csm, csmStale: s.csm, rows: workbook.rows },
      },
    },
  ];
};
