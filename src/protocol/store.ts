import type { AlertRules } from "../domain/alerts.js";
import type { DeliveryBarrier } from "../domain/snapshot.js";
import type { AlertKind, RecommendationAction } from "../domain/recommendations.js";
import type { AlertView, CustomerView, HistoryView, HomeView, ListView, TeamView, UseCaseDetailView } from "./views.js";
import type { Locale } from "../locale.js";
import type { ChatName } from "./chats.js";
import type { AnyCard } from "./effects.js";
import type { FormAction } from "./envelope.js";
import type { LcaField } from "../domain/writeback.js";
import type { QuietHours } from "../domain/quiet.js";

/**
 * The write side as the handlers see it: what they do to the data, named for what it means,
 * with no SQL and no Prisma, so every handler runs against an in-memory store in unit tests.
 * Implemented once for the database in src/db/store.ts; vocabulary, so it sits below both.
 */

/** Who made a change from chat, for the audit trail and the "acted by" of alerts. */
export interface Author {
  csmId: number;
  channel: ChatName;
}

export interface LockedAlert {
  id: number;
  kind: AlertKind;
  version: number;
  status: "open" | "resolved";
  recommendationId: number | null;
  /** The name of whoever acted on it last (for "already done by …"). */
  actedByName: string | null;
  lastAction: string | null;
}

export interface LockedUseCase {
  id: number;
  version: number;
}

export interface StoredContact {
  source: "cisco" | "partner";
  slot: number;
  email: string;
  name: string | null;
  deliveryBarrier: DeliveryBarrier;
}

export interface LockedDeployment {
  id: number;
  version: number;
  assignedCsmId: number | null;
  assigneeName: string | null;
  /** LCA's Deployment ID (the audit names deployments by it). */
  deploymentId: string;
}

/** A list's narrowing: the shape of src/commands/types.ts Filters, restated so vocabulary imports nothing above it. */
export interface ListFilters {
  tags: string[];
  architectures: string[];
  customers: string[];
  cpi?: boolean;
}
export type SubscriptionFilters = ListFilters;

export interface StoredSubscription {
  id: number;
  kinds: AlertKind[];
  /** As stored: older rows may lack a list. */
  filters: Partial<SubscriptionFilters>;
  mode: "immediate" | "digest";
}

export interface CsmSettings {
  locale: Locale | null;
  digestEnabled: boolean;
  digestTime: string;
  /** When nothing new is posted to them (issue 17). */
  quiet: QuietHours;
  subscriptions: StoredSubscription[];
}

export interface AuditRecord {
  author: Author;
  action: string;
  entity: string;
  entityId: number | string;
  /** `undefined` stores no value; anything else (null too) is stored as JSON. */
  before: unknown;
  after: unknown;
}

/** A request refused for acting beyond its credential: who tried (when known), from where, what, why. */
export interface RefusalRecord {
  csmId: number | null;
  channel: Author["channel"];
  action: string;
  entity: string;
  entityId: string;
  detail: Record<string, unknown>;
}

/** What re-evaluating use cases opened and resolved, per alert kind (for the metrics). */
export interface AlertChanges {
  opened: Partial<Record<AlertKind, number>>;
  resolved: Partial<Record<AlertKind, number>>;
}

export interface ReevaluationRules {
  rules: Omit<AlertRules, "baselineOn">;
  reminderDays: number;
}

/**
 * A change made in chat that LCA itself must learn (partner contacts per slot, the CSM of a
 * deployment): pending until a snapshot confirms, overrides or shows it still missing.
 */
export interface PendingLcaChange {
  /** A contact field's use case; the CSM field's deployment (row id). */
  subject: { useCaseId: number } | { deploymentRowId: number };
  field: LcaField;
  /** The value set in chat (null: the field emptied). */
  valueChat: string | null;
  author: Author;
  /** When it was made (the handler's clock): the grace days count from its date. */
  at: Date;
}

export interface Store {
  /** Runs `work` as one unit: all of it is kept or none. Inside, `tx` is the store to use. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;

  /** Reads an alert and holds it until the unit of work ends, so two clicks cannot both act. */
  lockAlert(alertId: number): Promise<LockedAlert | undefined>;
  /** Adds an action to a recommendation's history; `closes` closes the recommendation too. */
  recordRecommendationAction(change: { recommendationId: number; action: RecommendationAction; comment: string | null; author: Author; closes: boolean }): Promise<void>;
  /** A person acted on the alert: a new version; `resolves` resolves it as closed by the action. */
  markAlertActed(change: { alertId: number; action: string; author: Author; resolves: boolean }): Promise<void>;
  snoozeAlert(change: { alertId: number; until: Date; author: Author }): Promise<void>;

  lockUseCase(useCaseId: number): Promise<LockedUseCase | undefined>;
  contactsOf(useCaseId: number): Promise<StoredContact[]>;
  /** The worst barrier LCA knows for an address anywhere (a bounce or unsubscribe first). */
  knownBarrier(email: string): Promise<DeliveryBarrier | undefined>;
  /** Writes a partner contact into its slot (a new version of the use case). */
  upsertPartnerContact(change: { useCaseId: number; slot: number; name: string | null; email: string }): Promise<void>;
  /** Marks the use case's open contact alerts as dealt with by the author; their ids. */
  touchContactAlerts(change: { useCaseId: number; author: Author }): Promise<number[]>;
  /** The ids of the use case's open alerts. */
  openAlertIds(useCaseId: number): Promise<number[]>;
  /** Runs the alert rules again for these use cases (a contact alert fixed in chat waits for LCA at once). */
  reevaluateUseCases(useCaseIds: number[], rules: ReevaluationRules): Promise<AlertChanges>;

  /** The row id of an active deployment by its exact Deployment ID. */
  findActiveDeployment(deploymentId: string): Promise<{ id: number } | undefined>;
  lockDeployment(rowId: number): Promise<LockedDeployment | undefined>;
  findActiveCsm(email: string): Promise<{ id: number; name: string } | undefined>;
  /** Assigns the deployment and marks its open alerts as acted on; the alerts' ids. */
  assignDeployment(change: { rowId: number; assigneeId: number; author: Author }): Promise<number[]>;

  subscriptionsOf(csmId: number): Promise<StoredSubscription[]>;
  subscribe(subscription: { csmId: number; kinds: AlertKind[]; filters: SubscriptionFilters; mode: StoredSubscription["mode"] }): Promise<void>;
  /** Replaces a subscription's kinds; an empty list deletes it. */
  setSubscriptionKinds(subscriptionId: number, kinds: AlertKind[]): Promise<void>;
  /** The CSM's settings; throws when the CSM does not exist (identify() found them). */
  settingsOf(csmId: number): Promise<CsmSettings>;
  setDigest(csmId: number, digest: { digestEnabled: boolean; digestTime: string }): Promise<void>;
  setLanguage(csmId: number, locale: Locale): Promise<void>;
  /**
   * Sets the CSM's quiet hours and, in the same unit of work, releases their rows waiting out
   * the old ones: due now, planned against the new hours (sent, or deferred to the new end).
   * Returns how many were released.
   */
  setQuietHours(csmId: number, quiet: QuietHours): Promise<number>;
  /**
   * Queues the alert's own card for where a summary listing it was shown ("Show card"):
   * an ordinary alert row, so it is paced, redrawn and threaded like any card, but with
   * priority (it answers the person's click: first in line, not held by quiet hours). Once
   * per version of the alert there; false when the alert is not open.
   */
  enqueueAlertCard(card: { alertId: number; chat: ChatName; destination: string; csmId: number | null }): Promise<boolean>;

  audit(entry: AuditRecord): Promise<void>;
  auditRefusal(entry: RefusalRecord): Promise<void>;
  /**
   * Records a change for LCA in the caller's unit of work, before the data changes (LCA's
   * value is read from it). It supersedes the field's open change and keeps that one's LCA
   * value; a value back to LCA's own records nothing (`recorded: false`).
   */
  recordPendingLcaChange(change: PendingLcaChange): Promise<{ recorded: boolean }>;
}

/** Changes waiting for LCA by status and kind (contact email, contact name, CSM). */
export interface LcaChangeCounts {
  pending: { email: number; name: number; csm: number };
  stale: { email: number; name: number; csm: number };
}

/** The upload workbook, or how many cells the ingest's own rules would refuse (then no file). */
export type LcaWorkbook = { ok: true; rows: number; bytes: Uint8Array } | { ok: false; problems: number };

/** The read side the handlers need: cards as they stand now (src/queries/ behind it). */
export interface Reads {
  /** Without csmId: the whole partner; `unassigned`: the deployments nobody is assigned to. */
  stalled(args: { filters: ListFilters; page: number; csmId?: number; unassigned?: boolean; query: string }): Promise<ListView>;
  addedRecently(args: { days: number; filters: ListFilters; page: number; query: string }): Promise<ListView>;
  contactProblems(args: { filters: ListFilters; page: number; csmId?: number; unassigned?: boolean; query: string }): Promise<ListView>;
  mine(args: { filters: ListFilters; page: number; csmId: number; query: string }): Promise<ListView>;
  findCustomer(query: string): Promise<{ found: CustomerView } | { candidates: { crPartyId: string; name: string }[] }>;
  findUseCase(deploymentId: string, name?: string): Promise<{ id: number } | { noDeployment: true } | { choose: string[] } | { noMatch: string[] }>;
  useCaseDetail(id: number): Promise<UseCaseDetailView | null>;
  /** The `history` of a deployment by its Deployment ID; null: no active deployment has it. */
  deploymentHistory(deploymentId: string): Promise<HistoryView | null>;
  /** The `history` of a customer's deployments, by CR Party ID; null: no such customer. */
  customerHistory(crPartyId: string): Promise<HistoryView | null>;
  alertView(alertId: number): Promise<AlertView | null>;
  /** The card a form is drawn from, with the current data; null when its subject is gone. Admins choose an assignee among the CSMs. */
  formCard(request: FormRequest, asAdmin: boolean): Promise<AnyCard | null>;
  /** The CSM's Home page as it stands, shown in `locale` and `timeZone` (theirs); null when the CSM is gone. */
  homeView(args: { csmId: number; locale: Locale; timeZone: string; now: Date }): Promise<HomeView | null>;
  lcaChangeCounts(): Promise<LcaChangeCounts>;
  lcaWorkbook(): Promise<LcaWorkbook>;
  /** The team report as it stands (src/queries/team.ts), in the partner's zone. */
  teamView(): Promise<TeamView>;
}

/** What a form button names: the action it submits, the entity, the version its card showed, a contact slot. */
export interface FormRequest {
  submits: FormAction;
  id: number;
  ev?: number | undefined;
  slot?: number | undefined;
}
