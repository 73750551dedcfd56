import type { LcaWait } from "../domain/alerts.js";
import type { IsoDate } from "../domain/dates.js";
import type { AlertKind, RecommendationAction, RecommendationKind, SnoozeDays } from "../domain/recommendations.js";
import type { DeliveryBarrier } from "../domain/snapshot.js";
import type { Stage } from "../domain/stages.js";
import type { MessageKey, MessageParams } from "../i18n.js";
import type { Locale } from "../locale.js";
import type { ChatName } from "./chats.js";

/**
 * What the rest of the bot hands to the cards: plain data with raw values (numbers, ISO
 * dates, enums, message keys). The presenter (present.ts) formats them for the reader's
 * language and time zone; nothing here is a finished sentence.
 */

/** An ISO 8601 date-time with an offset or Z, e.g. "2025-03-04T14:02:00Z". */
export type IsoDateTime = string;

export type { DeliveryBarrier };

export type { RecommendationKind };

/** A message the presenter translates: a key and its parameters, or text the caller already has in the reader's language. */
export type Message = { key: MessageKey; params?: MessageParams } | { text: string };

export interface Person {
  name: string;
  email: string;
}

export interface CustomerRef {
  crPartyId: string;
  name: string;
}

export interface DeploymentRef {
  /** Our row id (the `id` of a usecase.assign envelope). */
  rowId: number;
  /** LCA's alphanumeric Deployment ID. */
  deploymentId: string;
  /** Optimistic-concurrency version (the `ev` of a usecase.assign envelope). */
  version: number;
  installSite?: string | null;
  assignedCsm?: Person | null;
  /** LCA names one of the partner's CSMs on it: the partner is its customer success lead (seed 000). */
  lead?: boolean;
}

/** Architecture / Solution Domain / Use Case. */
export interface UseCaseName {
  architecture: string;
  solutionDomain: string;
  name: string;
}

export interface UseCaseFacts extends UseCaseName {
  /** The use-case deployment id (the `id` of a contact.update envelope). */
  id: number;
  /** Its optimistic-concurrency version (the `ev` of a contact.update envelope). */
  version: number;
  stage: Stage;
  stageEnteredOn: IsoDate;
  addedOn: IsoDate;
  telemetry: boolean;
  tags: string[];
  /** LCA's "CPI Eligible" (Cisco Partner Incentive); null when LCA left it empty. */
  cpiEligible?: boolean | null;
  /** LCA's Digital Customer Consent. */
  dcc?: boolean;
  /** The customer bought from more than one partner (two or more Adoption Partners): LCA shows telemetry only with a DCC. */
  multiPartner?: boolean;
}

// ---------------------------------------------------------------------------------------
// Alerts: alert.new_use_case, alert.stalled, alert.bounced_contact, alert.missing_contact,
// alert.regression.

export interface AlertFacts {
  daysInStage?: number;
  /** The stalled threshold of the stage, in days (null/absent: none). */
  threshold?: number | null;
  stage: Stage;
  /** Regression: the stage the use case left and the one it is in now. */
  fromStage?: Stage;
  toStage?: Stage;
  /** Contact alerts: the contact that cannot be reached. */
  contactEmail?: string;
  contactName?: string | null;
  barrier?: DeliveryBarrier;
  /** Contact alerts: the partner slot (1 or 2) of that contact, sent with the update so it replaces it. Absent: the first free slot. */
  contactSlot?: 1 | 2;
}

export interface AlertState {
  status: "open" | "resolved";
  /** Name of the person who acted last. */
  actedBy?: string;
  /** A RecommendationAction, or "assigned" / "contact_updated" / "snoozed"; anything else is shown as is. */
  lastAction?: string;
  at?: IsoDateTime;
}

export interface AlertView {
  alertId: number;
  /** The alert's version (the `ev` of rec.act and alert.snooze envelopes). */
  alertVersion: number;
  kind: AlertKind;
  /** 0 = first notice; n = the n-th follow-up, worded differently. */
  reminder: number;
  facts: AlertFacts;
  customer: CustomerRef;
  deployment: DeploymentRef;
  useCase: UseCaseFacts;
  lcaUrl: string;
  state?: AlertState;
  /** A contact alert fixed in chat and waiting for LCA, or open again as the upload is late. */
  lcaWait?: LcaWait | null;
}

// ---------------------------------------------------------------------------------------
// escalation: an alert nobody acted on, to the team leads (or admins), with Assign buttons

export interface EscalationView {
  alertId: number;
  kind: AlertKind;
  /** 1: untouched after its reminders; 2: an unassigned (team-space) alert nobody claimed. */
  step: 1 | 2;
  customer: CustomerRef;
  useCase: UseCaseName;
  /** Its assigned CSM (null: unassigned) and the version the Assign buttons carry. */
  deployment: DeploymentRef;
  openedOn: IsoDate;
  daysOpen: number;
  /** The partner's active CSMs to assign to (Assign to). */
  csms: Person[];
  lcaUrl: string;
}

// ---------------------------------------------------------------------------------------
// activity: what people (and the bot's escalations) did, from the audit trail

/** The audit actions an Activity section shows (src/actions/handlers and the escalation job write them). */
export const ACTIVITY_ACTIONS = ["rec.act", "contact.update", "usecase.assign", "alert.snooze", "alert.note", "alert.escalated"] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

export interface ActivityEntry {
  at: IsoDateTime;
  /** Who acted; null: the bot itself (an escalation). */
  by: string | null;
  action: ActivityAction;
  /**
   * What was done, by action: the recommendation action (rec.act), the contact's email
   * (contact.update), the assignee's name (usecase.assign), the snooze's end (alert.snooze,
   * an ISO date-time), the step (alert.escalated, "1" or "2").
   */
  detail?: string | null;
  /** The chat it was done from; null for the bot's own rows. */
  chat: ChatName | null;
  /** The comment of a step, the text of a note. */
  comment?: string | null;
  /** The use case it concerned; null for the deployment itself (an assignment). */
  useCase?: string | null;
}

export interface ActivityView {
  /** Newest first, at most the section's limit. */
  entries: ActivityEntry[];
  /** How many older entries there are beyond `entries`. */
  older: number;
}

/** The `history` command: the activity of a deployment or of every deployment of a customer. */
export interface HistoryView {
  customer: CustomerRef;
  /** The deployment asked for; absent: the customer's whole history. */
  deploymentId?: string | null;
  activity: ActivityView;
}

// ---------------------------------------------------------------------------------------
// usecase.detail

export interface ContactView {
  source: "cisco" | "partner";
  /** 0 for the Cisco contact, 1 or 2 for partner contacts. */
  slot: number;
  name?: string | null;
  email: string;
  barrier: DeliveryBarrier;
  /** Set in chat and not yet seen in LCA (a pending or stale LCA change). */
  waitingForLca?: boolean;
}

export interface RecommendationView {
  kind: RecommendationKind;
  status: "open" | "closed";
  actions: { action: RecommendationAction; by: string; at: IsoDateTime; comment?: string | null }[];
}

export interface StageChangeView {
  fromStage: Stage | null;
  toStage: Stage;
  enteredOn: IsoDate;
}

export interface UseCaseDetailView {
  customer: CustomerRef;
  deployment: DeploymentRef;
  useCase: UseCaseFacts & {
    adoptionPartner?: string | null;
    renewalOn?: IsoDate | null;
    excluded?: boolean;
  };
  daysInStage: number;
  threshold?: number | null;
  stalled: boolean;
  contacts: ContactView[];
  recommendation?: RecommendationView | null;
  /** The open alert on this use case, if any: enables "Take action". */
  openAlert?: { alertId: number; version: number; kind: AlertKind } | null;
  /** Oldest first. */
  history: StageChangeView[];
  /** What people did on this use case and its deployment (audit trail), newest first; absent: not shown. */
  activity?: ActivityView | null;
  lcaUrl: string;
}

// ---------------------------------------------------------------------------------------
// customer.summary

export interface CustomerUseCaseRow extends UseCaseName {
  id: number;
  stage: Stage;
  daysInStage: number;
  threshold?: number | null;
  stalled: boolean;
  cpiEligible?: boolean | null;
  /** The customer bought from more than one partner and this use case has no DCC (dccNeeded). */
  dccNeeded?: boolean;
}

export interface CustomerView {
  customer: CustomerRef & { cxbu?: string | null; ea?: boolean | null; theater?: string | null };
  deployments: (Omit<DeploymentRef, "version"> & { useCases: CustomerUseCaseRow[] })[];
  lcaUrl?: string | null;
}

// ---------------------------------------------------------------------------------------
// list (stalled / new / contacts / mine)

export type ListKind = "stalled" | "new" | "contacts" | "mine";

export interface ListItem {
  /** The use-case deployment id. */
  useCaseId: number;
  customer: CustomerRef;
  deploymentId: string;
  useCase: UseCaseName;
  stage: Stage;
  daysInStage: number;
  threshold?: number | null;
  stalled?: boolean;
  addedOn?: IsoDate;
  assignedCsm?: Person | null;
  /** "contacts" lists: the contact to fix ("missing": none usable). */
  contact?: { email?: string | null; name?: string | null; barrier: DeliveryBarrier | "missing" };
  lcaUrl?: string | null;
  /** Its contact alert is fixed in chat and waiting for LCA (or the upload is late). */
  lcaWait?: LcaWait | null;
}

export interface ListView {
  kind: ListKind;
  /** The command text that produced the list; the paging buttons send it back (list.page `q`). */
  query: string;
  /** 1-based. */
  page: number;
  pageCount: number;
  total: number;
  /** The rows of this page. */
  items: ListItem[];
}

// ---------------------------------------------------------------------------------------
// receipt: the outcome of an action, who, when.

export type ReceiptOutcome =
  | { key: "assigned"; params: { name: string } }
  | { key: "actionRecorded"; params: { action: RecommendationAction } }
  | { key: "contactUpdated"; params: { email: string } }
  /** Saved in lca-bot, waiting for LCA (the partner's upload): not done yet. */
  | { key: "contactSavedPending"; params: { email: string } }
  | { key: "assignedPending"; params: { name: string } }
  | { key: "snoozed"; params: { days: SnoozeDays } }
  /** A note was added to the alert; nothing else changed (the receipt's `comment` is the note). */
  | { key: "noteAdded" }
  | { key: "alreadyDone"; params: { name: string } }
  /** The card was out of date: someone changed the data since it was sent. */
  | { key: "stale" };

export interface ReceiptView {
  outcome: ReceiptOutcome;
  actorName: string;
  at: IsoDateTime;
  /** The zone to show `at` in; defaults to the reader's (render context). */
  timeZone?: string;
  subject?: { customer: string; useCase: string } | null;
  comment?: string | null;
}

// ---------------------------------------------------------------------------------------
// digest

export interface DigestItem {
  alertId: number;
  kind: AlertKind;
  customer: CustomerRef;
  useCase: UseCaseName;
  stage: Stage;
  daysInStage?: number;
  threshold?: number | null;
  fromStage?: Stage;
  toStage?: Stage;
  contactEmail?: string | null;
  barrier?: DeliveryBarrier;
  addedOn?: IsoDate;
  lcaUrl?: string | null;
  lcaWait?: LcaWait | null;
}

export interface DigestView {
  /** The LCA day the digest covers. */
  date: IsoDate;
  counts: Record<AlertKind, number>;
  /** The most important open alerts, already ordered. */
  top: DigestItem[];
}

// ---------------------------------------------------------------------------------------
// summary: many new alerts to one destination in one refresh, as one card (issue 17)

export interface SummaryView {
  /** The alerts of this summary message by kind. */
  counts: Record<AlertKind, number>;
  /** Each alert as it is now (a handled one shows its state and no buttons). */
  items: AlertView[];
  /** 1-based; a refresh with more alerts than one message holds sends several. */
  page: number;
  pages: number;
  /** Escalated alerts to a team lead, not new ones. */
  escalation?: boolean;
}

// ---------------------------------------------------------------------------------------
// help, notice

export interface HelpView {
  /** The commands as the reader types them on this platform (e.g. "stalled" or "/lca stalled"). */
  commands: { command: string; description: Message }[];
  intro?: Message;
  /** A line after the commands: where else they work (a mention in a Slack channel). */
  note?: Message;
}

export interface NoticeView {
  tone: "info" | "success" | "warning" | "error";
  title?: Message;
  text: Message;
  /** An error reference to quote to support. */
  ref?: string;
}

/**
 * The bot's greeting when it is added to a space: who it is, what it sends, how to ask for
 * help. To someone it does not serve, only who it is and whom it serves.
 */
export interface WelcomeView {
  /** The partner whose bot this is. */
  partner: string;
  /** How to ask for help here, as typed: "help", or "@LCA help" in a group space. */
  help: string;
  /** false: the person who added the bot is not a CSM of the partner; the greeting then says nothing of what the bot sends. */
  serves: boolean;
  /** A group space: its name in TEAM_SPACES, or null when it is not a team space. Absent: a 1:1 space. */
  teamSpace?: string | null;
}

// ---------------------------------------------------------------------------------------
// stand-alone forms (Slack modals, the preview)

export interface ContactFormView {
  useCaseId: number;
  useCaseVersion: number;
  customer: CustomerRef;
  useCase: UseCaseName;
  /** The partner contacts already there (at most two). */
  partnerContacts: { slot: 1 | 2; email: string; name?: string | null; barrier: DeliveryBarrier }[];
  /** The slot to preselect; default: a bounced partner contact's, else the first free, else 1. */
  slot?: 1 | 2;
}

export interface ActionFormView {
  alertId: number;
  alertVersion: number;
  kind: AlertKind;
  customer: CustomerRef;
  useCase: UseCaseName;
}

export interface AssignFormView {
  deployment: DeploymentRef;
  customer: CustomerRef;
  /** CSMs to choose from (admins); absent: a free email field. Empty choice = yourself. */
  csms?: Person[] | null;
}

// ---------------------------------------------------------------------------------------
// home: a CSM's own page (Slack App Home; the preview's Home section)

export interface HomeSettings {
  locale: Locale;
  digestEnabled: boolean;
  /** "HH:MM" in `timeZone`. */
  digestTime: string;
  timeZone: string;
  /** The kinds some subscription of theirs covers (any mode, any filter). */
  subscribedKinds: AlertKind[];
  /** Quiet hours ("HH:MM" in `timeZone`; both null: no nightly window); absent: none. */
  quiet?: { from: string | null; to: string | null; weekends: boolean };
}

export interface HomeView {
  csmName: string;
  /** Their open, unsnoozed alerts by kind. */
  counts: Record<AlertKind, number>;
  /** Their most urgent open alerts, most urgent first (stalled longest over threshold, then the other kinds). */
  urgent: AlertView[];
  settings: HomeSettings;
}

// ---------------------------------------------------------------------------------------
// team: the partner's team at a glance (the `team` command, the weekly team-space report)

export interface TeamStalled {
  customer: CustomerRef;
  useCase: UseCaseName;
  deploymentId: string;
  stage: Stage;
  /** Days past the stage's threshold. */
  daysOver: number;
}

export interface TeamCsmRow {
  name: string;
  email: string;
  /** Open alerts on their deployments, by kind (excluded use cases and accounts left out). */
  counts: Record<AlertKind, number>;
  /** Their stalled use case longest past its threshold; null when none is stalled. */
  oldestStalled: TeamStalled | null;
}

export interface TeamUnassigned {
  deploymentId: string;
  customer: CustomerRef;
  /** Its open alerts. */
  openAlerts: number;
}

/** One ISO week of the stalled series: stalled alerts open at the end of the week, null before the bot's first snapshot. */
export interface TeamWeek {
  /** "2026-W49". */
  week: string;
  /** The Monday the week starts on. */
  monday: IsoDate;
  stalled: number | null;
}

export interface TeamView {
  /** The LCA day it was drawn on, in the partner's zone, and its ISO week. */
  date: IsoDate;
  week: string;
  /** Every active CSM, most stalled first. */
  csms: TeamCsmRow[];
  /** Open alerts of the whole partner, by kind. */
  totals: Record<AlertKind, number>;
  /** Active deployments with a non-excluded use case and nobody assigned: how many, and the few with most open alerts. */
  unassigned: { count: number; top: TeamUnassigned[] };
  /** Non-excluded active use-case deployments per stage, Purchase … Optimize. */
  funnel: { stage: Stage; count: number }[];
  /** The last 8 ISO weeks, oldest first, the current one last. */
  weeks: TeamWeek[];
}

// ---------------------------------------------------------------------------------------

/** Every card and the view model it renders. */
export interface CardViews {
  "alert.new_use_case": AlertView;
  "alert.stalled": AlertView;
  "alert.bounced_contact": AlertView;
  "alert.missing_contact": AlertView;
  "alert.regression": AlertView;
  escalation: EscalationView;
  "usecase.detail": UseCaseDetailView;
  "customer.summary": CustomerView;
  history: HistoryView;
  list: ListView;
  "form.contact": ContactFormView;
  "form.action": ActionFormView;
  "form.assign": AssignFormView;
  help: HelpView;
  receipt: ReceiptView;
  digest: DigestView;
  summary: SummaryView;
  notice: NoticeView;
  welcome: WelcomeView;
  home: HomeView;
  team: TeamView;
}

export type CardName = keyof CardViews;

export const CARD_NAMES = [
  "alert.new_use_case",
  "alert.stalled",
  "alert.bounced_contact",
  "alert.missing_contact",
  "alert.regression",
  "escalation",
  "usecase.detail",
  "customer.summary",
  "history",
  "list",
  "form.contact",
  "form.action",
  "form.assign",
  "help",
  "receipt",
  "digest",
  "summary",
  "notice",
  "welcome",
  "home",
  "team",
] as const satisfies readonly CardName[];

// A card added to CardViews but not to CARD_NAMES fails here.
type MissingCardNames = Exclude<CardName, (typeof CARD_NAMES)[number]>;
const noMissingCardNames: [MissingCardNames] extends [never] ? true : MissingCardNames = true;
void noMissingCardNames;

/** The card of an alert kind. */
export function alertCardName(kind: AlertKind): `alert.${AlertKind}` {
  return `alert.${kind}`;
}
