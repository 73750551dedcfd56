import { escalationViewNow, isEscalationPayload } from "../alerts/escalation.js";
import type pg from "pg";
import { digestView } from "../alerts/digest.js";
import type { AnyCard } from "../protocol/effects.js";
import type { RenderContext } from "../cards/render.js";
import { CARD_NAMES, alertCardName, type AlertView, type SummaryView } from "../protocol/views.js";
import { isSummaryPayload } from "../alerts/batch.js";
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import { QUIET_DEFERRED_MARK, quietUntil } from "../domain/quiet.js";
import type { Destination, OutgoingMessage } from "../protocol/port.js";
import { lcaUrl, type Config } from "../config.js";
import { CHAT_REGISTRY } from "../protocol/chats.js";
import type { PrismaClient } from "../db/database.js";
import { isIsoDate, todayIn } from "../domain/dates.js";
import { alertView, alertViews, type QueryContext } from "../queries/queries.js";
import { deliveryCause, isDeliveryFailedNotice, type DeliveryFailedNotice } from "./admin-notices.js";
import { chooseCarrier } from "./coalesce.js";
import { readersOn, type Reader } from "./readers.js";
import { cachedRenderer, type MessageRenderer } from "./renderer.js";
import { currentMessage, supersedeLaterRefreshes, type ClaimedRow } from "./store.js";
import { supersedeLaterHomes } from "./home.js";
import { homeView } from "../queries/home.js";
import { teamView } from "../queries/team.js";
import { PNG_MEDIA_TYPE, renderTeamChart } from "../cards/team-chart.js";
import { translator } from "../i18n.js";
import { cardRow, changeNotice, changesOf, hasThread, markInThreadOf, reminderNotice, sentCardOf, threadOfPayload, type SentCard } from "./thread.js";

/** What to do with a claimed row, decided before the chat API is called. */
export type Plan =
  /** Not sent: its alert was resolved, or it was coalesced into another row. */
  | { kind: "supersede"; reason: string }
  /** Can never be sent as it is (unknown CSM, unrenderable payload). */
  | { kind: "dead"; reason: string }
  /** Another row of its coalescing group carries the card: hand the send over to it. */
  | { kind: "coalesce"; into: number }
  /** `thenRefresh`: a reply in a card's thread; once it is sent, that card is redrawn too. */
  | { kind: "send"; to: Destination; message: OutgoingMessage; supersede: { ids: number[]; reason: string }[]; thenRefresh?: SentCard }
  /** `thenNotices`: told in the card's thread once the redraw is sent (changes made in another chat). */
  | { kind: "replace"; to: Destination; conversationId: string; externalId: string; originalId: number | null; message: OutgoingMessage; thenNotices?: object[] }
  /** Inside the CSM's quiet hours: back to the outbox, due when they end (not a failure). */
  | { kind: "defer"; until: Date; reason: string }
  /** The CSM's Home page, published with the port's publishHome. */
  | { kind: "publishHome"; to: Extract<Destination, { kind: "csm" }>; message: OutgoingMessage };

export interface PlanDeps {
  pool: pg.Pool;
  prisma: PrismaClient;
  config: Pick<Config, "partner" | "alerts" | "lcaPortalUrl">;
  render: MessageRenderer;
  now: () => Date;
}

interface Recipient {
  to: Destination;
  ctx: RenderContext;
}

/** Decides each claimed row; `prefetch` reads what a whole claimed batch needs in one go. */
export interface Planner {
  (row: ClaimedRow): Promise<Plan>;
  /**
   * Starts reading, for a batch the claim just returned, the readers and alert views its rows
   * will need (one query each instead of one per row); each row's plan then uses its share.
   */
  prefetch(rows: readonly ClaimedRow[]): void;
}

interface Prefetched {
  reader?: Promise<Reader | undefined>;
  view?: Promise<AlertView | null>;
}

export function createPlanner(deps: PlanDeps): Planner {
  const partner = deps.config.partner;
  /** Per claimed row, what prefetch() started reading; taken (once) by its plan. */
  const prefetched = new WeakMap<ClaimedRow, Prefetched>();
  /** Alert cards, rendered once per view, reader's language and chat (a retry or redraw of the same state reuses it). */
  const renderAlert = cachedRenderer(deps.render);
  const toLcaUrl = lcaUrl(deps.config as Config);

  const queryContext = (): QueryContext => ({
    prisma: deps.prisma,
    today: todayIn(partner.timeZone, deps.now()),
    stallThresholds: deps.config.alerts.stallThresholds,
    lcaUrl: toLcaUrl,
  });

  /** The person a row to `csm:<id>` goes to: what prefetch() read for it, else read now and kept for the row's other steps. */
  function readerOf(row: ClaimedRow, csmId: number): Promise<Reader | undefined> {
    const p = prefetched.get(row) ?? {};
    p.reader ??= readersOn(deps.pool, row.channel, [csmId], partner).then((m) => m.get(csmId));
    prefetched.set(row, p);
    return p.reader;
  }

  /** The CSM's language and zone, else the partner's; team rooms read the partner's. */
  async function recipient(row: ClaimedRow): Promise<Recipient | { dead: string }> {
    const match = /^csm:(\d+)$/.exec(row.destination);
    if (!match) return { to: { kind: "room", address: row.destination }, ctx: { locale: partner.defaultLocale, timeZone: partner.timeZone, now: deps.now() } };
    const csm = await readerOf(row, Number(match[1]));
    if (!csm) return { dead: `no CSM ${match[1]} in the database` };
    if (!csm.active) return { dead: `CSM ${csm.csmId} is no longer active` };
    return {
      to: { kind: "csm", csmId: csm.csmId, email: csm.email, chatUserId: csm.chatUserId },
      ctx: { locale: csm.locale, timeZone: csm.timeZone, now: deps.now() },
    };
  }

  /** The alert's view: the one prefetch() read for this row (once), else read now. */
  async function viewOf(alertId: number, row?: ClaimedRow): Promise<AlertView | null> {
    const p = row ? prefetched.get(row) : undefined;
    const early = p?.view;
    if (p) p.view = undefined;
    return early ? await early : alertView(queryContext(), alertId);
  }

  async function alertCard(alertId: number, reminder: number, row?: ClaimedRow): Promise<AnyCard | null> {
    const view: AlertView | null = await viewOf(alertId, row);
    if (!view) return null;
    const withReminder: AlertView = { ...view, reminder };
    return { card: alertCardName(view.kind), view: withReminder } as AnyCard;
  }

  async function planAlert(row: ClaimedRow): Promise<Plan> {
    if (row.alertId === null || !row.alert) return { kind: "supersede", reason: "its alert no longer exists" };
    if (row.alert.status === "resolved") return { kind: "supersede", reason: "alert resolved before sending" };
    const resolved = row.siblings.filter((s) => s.alertStatus === "resolved").map((s) => s.id);
    const open = row.siblings.filter((s) => s.alertStatus === "open");
    const members = [{ id: row.id, rowKind: row.kind, alertKind: row.alert.kind }, ...open.map((s) => ({ id: s.id, rowKind: s.kind, alertKind: s.alertKind }))];
    const carrier = chooseCarrier(members)!;
    if (carrier.id !== row.id) return { kind: "coalesce", into: carrier.id };

    const who = await recipient(row);
    if ("dead" in who) return { kind: "dead", reason: who.dead };
    const supersede = [
      { ids: open.map((s) => s.id), reason: `coalesced into #${row.id}` },
      { ids: resolved, reason: "alert resolved before sending" },
    ];
    // A reminder about a card already on screen is a reply under it (and the card is redrawn);
    // with other alerts coalesced into it, it stays a card, so none of them is lost.
    const shown = row.kind === "reminder" && open.length === 0 ? await sentCardOf(deps.pool, row) : null;
    if (shown) {
      const view = await viewOf(row.alertId, row);
      if (!view) return { kind: "supersede", reason: "its alert no longer exists" };
      await markInThreadOf(deps.pool, row.id, shown);
      const message = deps.render(reminderNotice(view, noticeNumber(row.payload)), who.ctx);
      return { kind: "send", to: who.to, message: { ...message, thread: { conversationId: shown.conversationId, parentId: shown.externalId } }, supersede, thenRefresh: shown };
    }
    const card = await alertCard(row.alertId, noticeNumber(row.payload), row);
    if (!card) return { kind: "supersede", reason: "its alert no longer exists" };
    return {
      kind: "send",
      to: who.to,
      message: renderAlert(card, who.ctx, row.channel),
      supersede,
    };
  }

  /** The summary's alerts as they are now, in its order; null when none of them exists any more. */
  async function summaryView(alertIds: readonly number[], page: number, pages: number, escalation = false): Promise<SummaryView | null> {
    const ctx = queryContext();
    const views = await alertViews(ctx, alertIds);
    const items = alertIds.map((id) => views.get(id)).filter((v): v is AlertView => v !== undefined);
    if (items.length === 0) return null;
    const counts = Object.fromEntries(ALERT_KINDS.map((k) => [k, 0])) as Record<AlertKind, number>;
    for (const item of items) counts[item.kind]++;
    return { counts, items, page, pages, ...(escalation ? { escalation } : {}) };
  }

  /** Many new alerts to one destination, as one card (issue 17); not sent when every one of them was handled before. */
  async function planSummary(row: ClaimedRow): Promise<Plan> {
    if (!isSummaryPayload(row.payload)) return { kind: "dead", reason: "a summary row needs a payload {alertIds, page, pages}" };
    const { rows } = await deps.pool.query<{ open: number }>(`SELECT count(*)::int AS open FROM alert WHERE id = ANY($1::int[]) AND status = 'open'`, [row.payload.alertIds]);
    if ((rows[0]?.open ?? 0) === 0) return { kind: "supersede", reason: "every alert of the summary was resolved before sending" };
    const who = await recipient(row);
    if ("dead" in who) return { kind: "dead", reason: who.dead };
    const view = await summaryView(row.payload.alertIds, row.payload.page, row.payload.pages, row.payload.escalation === true);
    if (!view) return { kind: "supersede", reason: "its alerts no longer exist" };
    return { kind: "send", to: who.to, message: deps.render({ card: "summary", view }, who.ctx), supersede: [] };
  }

  /** A delivered summary whose item changed: redrawn whole, onto the summary row's message. */
  async function planSummaryRefresh(row: ClaimedRow, summaryId: number, externalId: string): Promise<Plan> {
    const { rows: [summary] } = await deps.pool.query<{ payload: unknown; external_id: string | null; conversation_id: string | null }>(
      `SELECT payload, external_id, conversation_id FROM outbox_message WHERE id = $1 AND kind = 'summary' AND status = 'sent'`,
      [summaryId],
    );
    if (!summary || !summary.external_id || !summary.conversation_id || !isSummaryPayload(summary.payload)) return { kind: "supersede", reason: `summary #${summaryId} is not on screen` };
    await supersedeLaterRefreshes(deps.pool, row, externalId);
    if (summary.external_id !== externalId) await supersedeLaterRefreshes(deps.pool, row, summary.external_id);
    const who = await recipient(row);
    if ("dead" in who) return { kind: "dead", reason: who.dead };
    const view = await summaryView(summary.payload.alertIds, summary.payload.page, summary.payload.pages, summary.payload.escalation === true);
    if (!view) return { kind: "supersede", reason: "its alerts no longer exist" };
    return { kind: "replace", to: who.to, conversationId: summary.conversation_id, externalId: summary.external_id, originalId: summaryId, message: deps.render({ card: "summary", view }, who.ctx) };
  }

  /** The summary row showing this message, if the message is a summary (a click on one of its items names it). */
  async function summaryShowing(row: ClaimedRow, externalId: string): Promise<number | null> {
    const { rows } = await deps.pool.query<{ id: number }>(
      `SELECT id FROM outbox_message WHERE kind = 'summary' AND status = 'sent' AND channel = $1::"ChatChannel" AND destination = $2 AND external_id = $3 ORDER BY id DESC LIMIT 1`,
      [row.channel, row.destination, externalId],
    );
    return rows[0]?.id ?? null;
  }

  async function planRefresh(row: ClaimedRow): Promise<Plan> {
    const s = row.payload as { summaryId?: unknown; externalId?: unknown } | null;
    if (s && typeof s.summaryId === "number" && typeof s.externalId === "string") return planSummaryRefresh(row, s.summaryId, s.externalId);
    const p = row.payload as { alertId?: unknown; externalId?: unknown; conversationId?: unknown; changes?: unknown; thread?: unknown } | null;
    if (!p || typeof p.alertId !== "number" || typeof p.externalId !== "string" || typeof p.conversationId !== "string") {
      return { kind: "dead", reason: "refresh payload must be {alertId, externalId, conversationId}" };
    }
    // The clicked message was a summary listing the alert: the summary is redrawn, not turned into the alert's card.
    const clickedSummary = await summaryShowing(row, p.externalId);
    if (clickedSummary !== null) return planSummaryRefresh(row, clickedSummary, p.externalId);
    // Redundant refreshes of the same message go first: this one renders the alert as it is after them.
    const later = await supersedeLaterRefreshes(deps.pool, row, p.externalId);
    const changes = changesOf([...(Array.isArray(p.changes) ? p.changes : []), ...later]);
    const current = await currentMessage(deps.pool, row.channel, p.alertId, p.externalId);
    const who = await recipient(row);
    if ("dead" in who) return { kind: "dead", reason: who.dead };
    const card = await alertCard(p.alertId, current?.notice ?? 0);
    if (!card) return { kind: "supersede", reason: "its alert no longer exists" };
    const conversationId = current?.conversationId ?? p.conversationId;
    const externalId = current?.externalId ?? p.externalId;
    const message = renderAlert(card, who.ctx, row.channel);
    // A card with replies under it keeps them: the port is told it heads a thread. `thread`:
    // the click this redraw answers was answered under the card.
    const threaded = p.thread === true || (current ? await hasThread(deps.pool, p.alertId, current.originalId) : false);
    const view = card.view as AlertView;
    return {
      ...(current && changes.length > 0 ? { thenNotices: changes.map((change) => changeNotice(change, view)) } : {}),
      kind: "replace",
      to: who.to,
      conversationId,
      externalId,
      originalId: current?.originalId ?? null,
      message: threaded ? { ...message, thread: { conversationId, parentId: externalId } } : message,
    };
  }

  /** An escalation to a team lead, drawn now: not sent when the alert was resolved or someone acted on it since it was escalated. */
  async function planEscalation(row: ClaimedRow): Promise<Plan> {
    if (!isEscalationPayload(row.payload)) return { kind: "dead", reason: "an escalation row needs a payload {alertId, step}" };
    if (row.alertId === null || !row.alert) return { kind: "supersede", reason: "its alert no longer exists" };
    if (row.alert.status === "resolved") return { kind: "supersede", reason: "alert resolved before sending" };
    const who = await recipient(row);
    if ("dead" in who) return { kind: "dead", reason: who.dead };
    const view = await escalationViewNow(deps.pool, deps.config, row.payload.alertId, row.payload.step, deps.now());
    if (!view) return { kind: "supersede", reason: "alert acted on or snoozed since it was escalated" };
    return { kind: "send", to: who.to, message: deps.render({ card: "escalation", view }, who.ctx), supersede: [] };
  }

  async function planCard(row: ClaimedRow): Promise<Plan> {
    const card = isDeliveryFailedNotice(row.payload) ? await deliveryFailedCard(row.payload) : asCard(row.payload);
    if (!card) return { kind: "dead", reason: `a ${row.kind} row needs a payload {card, view} naming a known card` };
    const who = await recipient(row);
    if ("dead" in who) return { kind: "dead", reason: who.dead };
    const message = deps.render(card, who.ctx);
    // A reply under a card goes to the card as it is now (a Webex redraw gives it a new id).
    const threadOf = threadOfPayload(row.payload);
    if (threadOf !== null) {
      const parent = await cardRow(deps.pool, threadOf);
      if (!parent) return { kind: "supersede", reason: `the card it answers (#${threadOf}) is not on screen` };
      return { kind: "send", to: who.to, message: { ...message, thread: { conversationId: parent.conversationId, parentId: parent.externalId } }, supersede: [] };
    }
    return { kind: "send", to: who.to, message, supersede: [] };
  }

  /** A digest is written as {csmId, date} and drawn when sent: the alerts as they are then. */
  async function planDigest(row: ClaimedRow): Promise<Plan> {
    const p = row.payload as { csmId?: unknown; date?: unknown } | null;
    if (!p || typeof p.csmId !== "number" || typeof p.date !== "string" || !isIsoDate(p.date)) return planCard(row);
    const who = await recipient(row);
    if ("dead" in who) return { kind: "dead", reason: who.dead };
    const view = await digestView(deps.prisma, p.csmId, p.date, deps.config.alerts.stallThresholds, toLcaUrl);
    if (!view) return { kind: "supersede", reason: "nothing to put in the digest any more" };
    return { kind: "send", to: who.to, message: deps.render({ card: "digest", view }, who.ctx), supersede: [] };
  }

  /** A Home row names only its CSM: the page is drawn as it is when sent, after the rows behind it are dropped. */
  async function planHome(row: ClaimedRow): Promise<Plan> {
    await supersedeLaterHomes(deps.pool, row);
    const who = await recipient(row);
    if ("dead" in who) return { kind: "dead", reason: who.dead };
    if (who.to.kind !== "csm") return { kind: "dead", reason: "a home row goes to a CSM (csm:<id>)" };
    const view = await homeView(queryContext(), { csmId: who.to.csmId, locale: who.ctx.locale, timeZone: who.ctx.timeZone, now: deps.now() });
    if (!view) return { kind: "dead", reason: `no CSM ${who.to.csmId} in the database` };
    return { kind: "publishHome", to: who.to, message: deps.render({ card: "home", view }, who.ctx) };
  }

  /**
   * The weekly team report ({week}) to a team space: the card and its chart drawn as the team
   * stands when it is sent, in the partner's language, the PNG attached after the card.
   */
  async function planTeamReport(row: ClaimedRow): Promise<Plan> {
    const p = row.payload as { week?: unknown } | null;
    if (!p || typeof p.week !== "string") return { kind: "dead", reason: "a team_report row needs a payload {week}" };
    const who = await recipient(row);
    if ("dead" in who) return { kind: "dead", reason: who.dead };
    if (who.to.kind !== "room") return { kind: "dead", reason: "a team report goes to a team space" };
    const view = await teamView({ ...queryContext(), timeZone: partner.timeZone, now: deps.now() });
    const message = deps.render({ card: "team", view }, who.ctx);
    const attachment = {
      name: `team-report-${view.week}.png`,
      mediaType: PNG_MEDIA_TYPE,
      bytes: await renderTeamChart(view, who.ctx.locale),
      comment: translator(who.ctx.locale)("chat.team.comment", { week: view.week }),
    };
    return { kind: "send", to: who.to, message: { ...message, attachment }, supersede: [] };
  }

  /** Admins read this in their own language: it names the cause and the command that fixes it. */
  async function deliveryFailedCard({ deliveryFailed: f }: DeliveryFailedNotice): Promise<AnyCard> {
    let where = f.destination;
    const csm = /^csm:(\d+)$/.exec(f.destination);
    if (csm) {
      const { rows: [person] } = await deps.pool.query<{ name: string; email: string }>(`SELECT name, email FROM csm WHERE id = $1`, [Number(csm[1])]);
      if (person) where = `${person.name} (${person.email})`;
    }
    const platform = CHAT_REGISTRY[f.channel].title;
    return {
      card: "notice",
      view: {
        tone: "error",
        title: { key: "chat.delivery.failedTitle", params: { platform } },
        text: { key: "chat.delivery.failedText", params: { where, cause: { key: `chat.delivery.cause.${deliveryCause(f.reason)}` }, reason: f.reason } },
        ref: `outbox #${f.outboxId}`,
      },
    };
  }

  /**
   * A new post to a CSM inside their quiet hours waits until they end. Redraws of cards on
   * screen (chat.update, Webex's repost) and the Home page notify nobody, so they go on.
   * A row with priority answers the person's own action (the clicked card's redraw, a card
   * asked for with "Show card"): they are awake and waiting for it, so it goes on too.
   */
  async function quietHold(row: ClaimedRow): Promise<Plan | null> {
    if (!QUIET_HELD_KINDS.has(row.kind) || row.priority > 0) return null;
    const match = /^csm:(\d+)$/.exec(row.destination);
    if (!match) return null;
    const reader = await readerOf(row, Number(match[1]));
    if (!reader) return null;
    const until = quietUntil(reader.quiet, reader.timeZone, deps.now());
    return until ? { kind: "defer", until, reason: `${QUIET_DEFERRED_MARK} of CSM ${reader.csmId} until ${until.toISOString()} (${reader.timeZone})` } : null;
  }

  /** One read of the readers per chat and one of the alert views for the whole batch; a failure is left to each row's own read. */
  function prefetch(rows: readonly ClaimedRow[]): void {
    const csmIds = new Map<ClaimedRow["channel"], Set<number>>();
    const alertIds = new Set<number>();
    for (const row of rows) {
      const csm = /^csm:(\d+)$/.exec(row.destination);
      if (csm) csmIds.set(row.channel, (csmIds.get(row.channel) ?? new Set()).add(Number(csm[1])));
      // Only rows whose plan renders the alert as a card: open alerts on their own (a coalesced group or a resolved alert decides otherwise).
      if ((row.kind === "alert" || row.kind === "reminder") && row.alertId !== null && row.alert?.status === "open" && row.siblings.length === 0) alertIds.add(row.alertId);
    }
    const readers = new Map([...csmIds].map(([chat, ids]) => [chat, readersOn(deps.pool, chat, [...ids], partner)]));
    const views = alertViews(queryContext(), [...alertIds]);
    // Unhandled otherwise until a row takes its share; a row whose share failed reads again on its own.
    for (const p of [...readers.values(), views]) p.catch(() => undefined);
    for (const row of rows) {
      const entry: Prefetched = {};
      const csm = /^csm:(\d+)$/.exec(row.destination);
      const readersOfChat = readers.get(row.channel);
      if (csm && readersOfChat) entry.reader = readersOfChat.then((m) => m.get(Number(csm[1]))).catch(() => readersOn(deps.pool, row.channel, [Number(csm[1])], partner).then((m) => m.get(Number(csm[1]))));
      if (row.alertId !== null && alertIds.has(row.alertId)) {
        const id = row.alertId;
        entry.view = views.then((m) => m.get(id) ?? null).catch(() => alertView(queryContext(), id));
      }
      prefetched.set(row, entry);
    }
  }

  const plan = async (row: ClaimedRow): Promise<Plan> => {
    const held = await quietHold(row);
    if (held) return held;
    switch (row.kind) {
      case "alert":
      case "reminder":
        return planAlert(row);
      case "refresh":
        return planRefresh(row);
      case "summary":
        return planSummary(row);
      case "escalation":
        return planEscalation(row);
      case "digest":
        return planDigest(row);
      case "home":
        return planHome(row);
      case "team_report":
        return planTeamReport(row);
      case "notice":
      case "receipt":
        return planCard(row);
      default:
        return { kind: "dead", reason: `unknown outbox kind "${row.kind}"` };
    }
  };
  return Object.assign(plan, { prefetch });
}

/** The rows that post something new: these wait out quiet hours. */
const QUIET_HELD_KINDS: ReadonlySet<string> = new Set(["alert", "reminder", "summary", "digest", "notice", "escalation"]);

function noticeNumber(payload: unknown): number {
  const n = (payload as { notice?: unknown } | null)?.notice;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : 0;
}

/** A payload that names a card and its view: notices, digests, anything already decided. */
function asCard(payload: unknown): AnyCard | null {
  const p = payload as { card?: unknown; view?: unknown } | null;
  if (!p || typeof p.card !== "string" || !(CARD_NAMES as readonly string[]).includes(p.card) || typeof p.view !== "object" || p.view === null) return null;
  return { card: p.card, view: p.view } as AnyCard;
}
