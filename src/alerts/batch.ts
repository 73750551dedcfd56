/**
 * Summaries instead of floods (issue 17): when one refresh would send more than BATCH_OVER
 * new alert cards to one destination, they go as one summary card instead (counts by kind,
 * then the items, each with its buttons and "Show card"). Pure: outbox rows in, outbox rows out.
 */

/** An outbox row as the engine writes it, before the INSERT. */
export interface NoticeRow {
  channel: string | null;
  destination: string;
  csmId: number | null;
  alertId: number | null;
  kind: "alert" | "reminder" | "summary";
  payload: string;
  dedupe: string;
}

export const DEFAULT_BATCH_OVER = 5;

/**
 * Items per summary message: each item is about three Block Kit blocks (title, detail,
 * buttons) and under 1 KB of Adaptive Card, so ten stay well inside Slack's 50 blocks and
 * Webex's ~28 KB per message. More items go as further summary messages ("2 of 3").
 */
export const SUMMARY_PAGE_SIZE = 10;

/** What a summary row carries: the alerts it stands for, and which page of how many it is. */
export interface SummaryPayload {
  alertIds: number[];
  page: number;
  pages: number;
  /** The escalation run's summary to a team lead (src/alerts/escalation.ts), not new alerts. */
  escalation?: true;
}

export function isSummaryPayload(value: unknown): value is SummaryPayload {
  const p = value as Partial<SummaryPayload> | null;
  return !!p && Array.isArray(p.alertIds) && p.alertIds.length > 0 && p.alertIds.every((id) => Number.isInteger(id) && id > 0)
    && Number.isInteger(p.page) && Number.isInteger(p.pages);
}

/**
 * New alert rows grouped by destination (chat and address): a group of at most `batchOver`
 * keeps its cards; a larger one becomes summary rows of SUMMARY_PAGE_SIZE alerts each, in
 * the place of its first card. Other rows pass as they are.
 */
export function summarize(rows: readonly NoticeRow[], batchOver: number, pageSize = SUMMARY_PAGE_SIZE): NoticeRow[] {
  const destinationOf = (r: NoticeRow) => `${r.channel ?? ""}|${r.destination}`;
  const counts = new Map<string, number>();
  for (const r of rows) if (r.kind === "alert") counts.set(destinationOf(r), (counts.get(destinationOf(r)) ?? 0) + 1);
  const out: NoticeRow[] = [];
  const done = new Set<string>();
  for (const r of rows) {
    const key = destinationOf(r);
    if (r.kind !== "alert" || (counts.get(key) ?? 0) <= batchOver) {
      out.push(r);
      continue;
    }
    if (done.has(key)) continue;
    done.add(key);
    const alertIds = rows.filter((x) => x.kind === "alert" && destinationOf(x) === key).map((x) => x.alertId!);
    const pages = Math.ceil(alertIds.length / pageSize);
    for (let page = 1; page <= pages; page++) {
      const ids = alertIds.slice((page - 1) * pageSize, page * pageSize);
      const payload: SummaryPayload = { alertIds: ids, page, pages };
      out.push({
        channel: r.channel,
        destination: r.destination,
        csmId: r.csmId,
        alertId: null,
        kind: "summary",
        payload: JSON.stringify(payload),
        dedupe: `summary:${ids[0]}:${page}:${r.channel ?? "any"}:${r.destination}`,
      });
    }
  }
  return out;
}
