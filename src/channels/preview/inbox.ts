import { escalationViewNow, isEscalationPayload } from "../../alerts/escalation.js";
import { z } from "zod";
import { queryContext, type ConversationDeps } from "../../actions/context.js";
import type { AnyCard } from "../../protocol/effects.js";
import { digestView } from "../../alerts/digest.js";
import { alertCardName, CARD_NAMES, type AlertView, type Message, type SummaryView } from "../../protocol/views.js";
import { isSummaryPayload } from "../../alerts/batch.js";
import type { Locale } from "../../config.js";
import { csmLocale } from "../../locale.js";
import { fromDate, todayIn } from "../../domain/dates.js";
import { ALERT_KINDS, type AlertKind } from "../../domain/recommendations.js";
import type { Prisma } from "../../generated/prisma/client.js";
import { alertView } from "../../queries/queries.js";
import { homeView } from "../../queries/home.js";
import { changeNotice, changesOf, reminderNotice } from "../../delivery/thread.js";
import { teamView } from "../../queries/team.js";
import { seesTeam } from "../../actions/handlers/team.js";

/**
 * A CSM's inbox as the preview shows it: what arrived (the outbox rows of channel
 * `preview`, newest first; the dispatcher marks them sent, as nothing carries them
 * further), the other open alerts on their deployments (the first snapshot's alerts are
 * open without a row: they wait for the digest), the open alerts nobody is assigned to,
 * and today's digest; above them, the CSM's Home page as Slack's App Home shows it. Every
 * alert is shown as its card stands now.
 *
 * What arrived is threaded as Slack and Webex thread it: an alert's first row is its card, and
 * what came about the alert after it (reminders, notices of changes made in another chat) are
 * replies under that card, oldest first; a card with new replies moves up, as a busy thread does.
 */

export const INBOX_SECTIONS = ["home", "team", "arrived", "open", "unassigned", "digest"] as const;
export type InboxSection = (typeof INBOX_SECTIONS)[number];

export interface InboxItem {
  /** Unique on the page: "outbox:<id>", "alert:<id>", "digest". */
  key: string;
  /** The alert the card shows: a refresh of it replaces the card. */
  alertId: number | null;
  /** Small labels above the card (kind of delivery, new, snoozed), as messages. */
  badges: Message[];
  card: AnyCard;
  /** A picture shown with the card: the path of the preview route that draws it (the team chart). */
  image?: "/api/team.png";
  /** Replies in the card's thread, oldest first (reminders, changes made in another chat). */
  thread: InboxReply[];
}

/** A reply under a card: "Reminder 2: …", "Changed in Slack: …". */
export interface InboxReply {
  key: string;
  badges: Message[];
  card: AnyCard;
}

export interface InboxCsm {
  id: number;
  email: string;
  name: string;
  /** The CSM's language, or the partner's default when they never chose one. */
  locale: Locale;
  timeZone: string;
  digestEnabled: boolean;
  digestTime: string;
}

export interface Inbox {
  csm: InboxCsm;
  sections: Record<InboxSection, InboxItem[]>;
  /** How many items each section leaves out (it shows at most `limit`). */
  hidden: Record<InboxSection, number>;
}

const payloadSchema = z.looseObject({ alertId: z.number().int().optional(), notice: z.number().int().optional(), date: z.string().optional(), change: z.unknown().optional() });

/** The rows that are messages of their own; a `refresh` row only replaces a card, and the inbox shows every card as it stands now. */
const SHOWN_KINDS = ["alert", "reminder", "digest", "notice", "summary", "escalation"];

/** A `notice` row's payload when it names a card and its view. */
function payloadCard(payload: unknown): AnyCard | null {
  const p = payload as { card?: unknown; view?: unknown } | null;
  if (!p || typeof p.card !== "string" || !(CARD_NAMES as readonly string[]).includes(p.card) || typeof p.view !== "object" || p.view === null) return null;
  return { card: p.card, view: p.view } as AnyCard;
}

export async function listCsms(deps: ConversationDeps): Promise<{ email: string; name: string }[]> {
  return deps.db.prisma.csm.findMany({ where: { active: true }, orderBy: { name: "asc" }, select: { email: true, name: true } });
}

export async function findCsm(deps: ConversationDeps, email: string): Promise<InboxCsm | null> {
  const csm = await deps.db.prisma.csm.findFirst({ where: { email: email.trim().toLowerCase(), active: true } });
  if (!csm) return null;
  const { partner } = deps.config;
  return {
    id: csm.id,
    email: csm.email,
    name: csm.name,
    // The preview has no platform of its own to report a language: the CSM's, else the partner's.
    locale: csmLocale(csm, null, partner.defaultLocale),
    timeZone: csm.timeZone ?? partner.timeZone,
    digestEnabled: csm.digestEnabled,
    digestTime: csm.digestTime,
  };
}

/** Most urgent first, as in the digest: regressions, stalled (longest past the threshold first), contacts, new. */
const KIND_RANK: Record<AlertKind, number> = { regression: 0, stalled: 1, missing_contact: 2, bounced_contact: 3, new_use_case: 4 };
const overdue = (v: AlertView): number => (v.facts.daysInStage ?? 0) - (v.facts.threshold ?? 0);
const byUrgency = (a: AlertView, b: AlertView): number => KIND_RANK[a.kind] - KIND_RANK[b.kind] || overdue(b) - overdue(a) || b.alertId - a.alertId;

const alertCard = (view: AlertView): AnyCard => ({ card: alertCardName(view.kind), view }) as AnyCard;

/** Loads the inbox. Rows that arrived on the CSM's today get a "today" badge. */
export async function loadInbox(deps: ConversationDeps, csm: InboxCsm, limit = 25): Promise<Inbox> {
  const { prisma } = deps.db;
  const qctx = queryContext(deps);
  const now = deps.now();
  const today = todayIn(csm.timeZone, now);
  const views = new Map<number, Promise<AlertView | null>>();
  const viewOf = (id: number) => {
    let view = views.get(id);
    if (!view) views.set(id, (view = alertView(qctx, id)));
    return view;
  };
  const digestOn = (date: string) => digestView(prisma, csm.id, date, qctx.stallThresholds, qctx.lcaUrl);
  const openAlerts = async (where: Prisma.AlertWhereInput) => {
    const rows = await prisma.alert.findMany({ where: { status: "open", ...where }, select: { id: true, snoozedUntil: true } });
    const loaded = await Promise.all(rows.map(async (row) => ({ view: await viewOf(row.id), snoozedUntil: row.snoozedUntil })));
    return loaded.filter((a): a is { view: AlertView; snoozedUntil: Date | null } => a.view !== null).sort((a, b) => byUrgency(a.view, b.view));
  };
  const snoozeBadge = (until: Date | null): Message[] => (until && until > now ? [{ key: "preview.badge.snoozed", params: { date: fromDate(until) } }] : []);

  const delivered = { channel: "preview", csmId: csm.id, kind: { in: SHOWN_KINDS } } as const;
  const rows = await prisma.outboxMessage.findMany({ where: delivered, orderBy: { id: "desc" }, take: limit });
  const deliveredCount = await prisma.outboxMessage.count({ where: delivered });
  // Oldest first, so an alert's first row is its card and what followed goes under it.
  const byAlert = new Map<number, { item: InboxItem; latest: number }>();
  const arrivedAt: { item: InboxItem; latest: number }[] = [];
  const standalone = (item: InboxItem, id: number) => void arrivedAt.push({ item, latest: id });
  for (const row of [...rows].reverse()) {
    const id = Number(row.id);
    const payload = payloadSchema.safeParse(row.payload);
    const badges: Message[] = todayIn(csm.timeZone, row.createdAt) === today ? [{ key: "preview.badge.today" }] : [];
    const key = `outbox:${row.id}`;
    if (row.kind === "digest") {
      const date = payload.success && payload.data.date ? payload.data.date : todayIn(csm.timeZone, row.createdAt);
      const view = await digestOn(date);
      if (view) standalone({ key, alertId: null, badges: [{ key: "preview.badge.digest" }, ...badges], card: { card: "digest", view }, thread: [] }, id);
      continue;
    }
    if (row.kind === "summary" && isSummaryPayload(row.payload)) {
      // Many alerts at once, as the chats show them: one card, drawn as the alerts are now.
      const items = (await Promise.all(row.payload.alertIds.map(viewOf))).filter((v): v is AlertView => v !== null);
      if (items.length === 0) continue;
      const counts = Object.fromEntries(ALERT_KINDS.map((k) => [k, items.filter((i) => i.kind === k).length])) as SummaryView["counts"];
      standalone({ key, alertId: null, badges: [{ key: "preview.badge.summary" }, ...badges], card: { card: "summary", view: { counts, items, page: row.payload.page, pages: row.payload.pages, ...(row.payload.escalation ? { escalation: true } : {}) } }, thread: [] }, id);
      continue;
    }
    if (row.kind === "escalation") {
      // A team lead's escalation, drawn as it is now (gone once someone acted on the alert).
      const view = isEscalationPayload(row.payload) ? await escalationViewNow(deps.db.pool, deps.config, row.payload.alertId, row.payload.step, now) : null;
      if (view) standalone({ key, alertId: null, badges, card: { card: "escalation", view }, thread: [] }, id);
      continue;
    }
    const alertId = row.alertId ?? (payload.success ? payload.data.alertId : undefined);
    const shown = alertId !== undefined ? byAlert.get(alertId) : undefined;
    if (row.kind === "notice") {
      // A change made in another chat is drawn with the alert as it is now ("Changed in Slack: …").
      const [change] = changesOf(payload.success && payload.data.change !== undefined ? [payload.data.change] : []);
      const view = change && alertId !== undefined ? await viewOf(alertId) : null;
      const card = change ? (view ? changeNotice(change, view) : null) : payloadCard(row.payload);
      if (!card) continue;
      const reply = { key, badges: [{ key: "preview.badge.notice" } as Message, ...badges], card };
      if (shown) {
        shown.item.thread.push(reply);
        shown.latest = id;
      } else standalone({ ...reply, alertId: null, thread: [] }, id);
      continue;
    }
    const view = alertId !== undefined ? await viewOf(alertId) : null;
    if (!view) continue;
    const notice = payload.success ? (payload.data.notice ?? 0) : 0;
    if (shown) {
      // The card is on the page already, as it stands now: a reminder is a reply under it.
      if (row.kind === "reminder") shown.item.thread.push({ key, badges: [{ key: "preview.badge.reminder", params: { n: notice } }, ...badges], card: reminderNotice(view, notice) });
      shown.latest = id;
      continue;
    }
    const kind: Message = row.kind === "reminder" ? { key: "preview.badge.reminder", params: { n: notice } } : { key: "preview.badge.alert" };
    const entry = { item: { key, alertId: view.alertId, badges: [kind, ...badges], card: alertCard(view), thread: [] as InboxReply[] }, latest: id };
    byAlert.set(view.alertId, entry);
    arrivedAt.push(entry);
  }
  // Newest activity first: a card whose thread just got a reply comes up.
  const arrived = arrivedAt.sort((a, b) => b.latest - a.latest).map((a) => a.item);

  const mine = await openAlerts({ useCaseDeployment: { deployment: { assignedCsmId: csm.id } } });
  const digest = await digestOn(today);
  const home = await homeView(qctx, { csmId: csm.id, locale: csm.locale, timeZone: csm.timeZone, now });
  // The team report, as admins and team leads get it with `team` and team spaces on Mondays.
  const isAdmin = deps.config.partner.admins.includes(csm.email.toLowerCase());
  const team = seesTeam({ email: csm.email, isAdmin }, deps.config) ? await teamView({ ...qctx, timeZone: deps.config.partner.timeZone, now }) : null;
  const shown = new Set(arrived.map((item) => item.alertId));
  const open = mine.filter((a) => !shown.has(a.view.alertId));
  const unassigned = await openAlerts({ useCaseDeployment: { deployment: { assignedCsmId: null, active: true } } });
  const items = (alerts: typeof open) =>
    alerts.slice(0, limit).map((a): InboxItem => ({ key: `alert:${a.view.alertId}`, alertId: a.view.alertId, badges: snoozeBadge(a.snoozedUntil), card: alertCard(a.view), thread: [] }));

  return {
    csm,
    sections: {
      home: home ? [{ key: "home", alertId: null, badges: [], card: { card: "home", view: home }, thread: [] }] : [],
      team: team ? [{ key: "team", alertId: null, badges: [], card: { card: "team", view: team }, image: "/api/team.png", thread: [] }] : [],
      arrived,
      open: items(open),
      unassigned: items(unassigned),
      digest: digest ? [{ key: "digest", alertId: null, badges: [], card: { card: "digest", view: digest }, thread: [] }] : [],
    },
    hidden: {
      home: 0,
      team: 0,
      arrived: deliveredCount - rows.length,
      open: Math.max(0, open.length - limit),
      unassigned: Math.max(0, unassigned.length - limit),
      digest: 0,
    },
  };
}
