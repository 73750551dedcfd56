/** The cards of many items: a paged list and the daily digest. */
import type { AlertKind } from "../domain/recommendations.js";
import type { DigestItem, DigestView, ListItem, ListView } from "../protocol/views.js";
import type { Format } from "./present-format.js";
import { join, lcaWaitText, mdBold, mdLink, mdText, submit, whyText, type TemplateData } from "./present-pieces.js";

/** At most this many top items on a digest. */
export const DIGEST_MAX_ITEMS = 10;

function listRowDetail(kind: ListView["kind"], item: ListItem, f: Format): string {
  const { t } = f;
  switch (kind) {
    case "stalled":
      return join(whyText({ kind: "stalled", stage: item.stage, daysInStage: item.daysInStage, threshold: item.threshold }, f), item.assignedCsm?.name);
    case "new":
      return t("cards.list.row.new", { date: item.addedOn ? f.date(item.addedOn) : "", stage: f.stage(item.stage) });
    case "contacts": {
      const contact = item.contact ?? { barrier: "missing" as const };
      return contact.barrier === "missing" || !contact.email
        ? f.barrier("missing")
        : t("cards.list.row.contact", { barrier: f.barrier(contact.barrier), email: contact.email });
    }
    case "mine":
      return join(t("cards.list.row.mine", { stage: f.stage(item.stage), days: f.days(item.daysInStage) }), item.stalled && t("cards.customer.stalledMarker"));
  }
}

export function presentList(view: ListView, f: Format): TemplateData {
  const { t } = f;
  const page = (id: number) => submit<"list.page">({ a: "list.page", v: 1, id, q: view.query });
  return {
    title: t(`cards.list.title.${view.kind}`),
    pageText: t("cards.list.page", { page: f.number(view.page), pages: f.number(Math.max(1, view.pageCount)), total: f.number(view.total) }),
    rows: view.items.map((item) => ({
      titleMd: join(mdBold(mdLink(item.customer.name, item.lcaUrl)), mdText(item.useCase.name)),
      detail: join(item.deploymentId, listRowDetail(view.kind, item, f), lcaWaitText(item.lcaWait, f)),
    })),
    empty: t(`cards.list.empty.${view.kind}`),
    show: { empty: view.items.length === 0, prev: view.page > 1, next: view.page < view.pageCount },
    submit: { prev: page(Math.max(1, view.page - 1)), next: page(view.page + 1) },
  };
}

function digestRow(item: DigestItem, f: Format): { titleMd: string; detail: string } {
  return {
    titleMd: join(mdBold(mdLink(item.customer.name, item.lcaUrl)), mdText(item.useCase.name)),
    detail: join(f.t(`cards.alertKind.${item.kind}`), whyText(item, f), lcaWaitText(item.lcaWait, f)),
  };
}

export function presentDigest(view: DigestView, f: Format): TemplateData {
  const { t } = f;
  const total = Object.values(view.counts).reduce((a, b) => a + b, 0);
  const kinds = Object.keys(view.counts) as AlertKind[];
  const list = (q: string) => submit<"list.page">({ a: "list.page", v: 1, id: 1, q });
  return {
    title: t("cards.digest.title", { date: f.date(view.date) }),
    summary: total > 0 ? t("cards.digest.summary", { count: total }) : t("cards.digest.none"),
    counts: kinds.filter((k) => view.counts[k] > 0).map((k) => ({ title: t(`cards.alertKind.${k}`), value: f.number(view.counts[k]) })),
    top: view.top.slice(0, DIGEST_MAX_ITEMS).map((item) => digestRow(item, f)),
    show: {
      counts: total > 0,
      top: view.top.length > 0,
      stalled: view.counts.stalled > 0,
      new: view.counts.new_use_case > 0,
      contacts: view.counts.bounced_contact + view.counts.missing_contact > 0,
    },
    submit: { stalled: list("stalled"), new: list("new"), contacts: list("contacts"), mine: list("mine") },
  };
}
