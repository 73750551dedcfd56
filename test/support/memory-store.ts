import type {
  AlertChanges, AuditRecord, Author, CsmSettings, LockedAlert, LockedDeployment, PendingLcaChange, Reads, ReevaluationRules, RefusalRecord, Store, StoredContact, StoredSubscription,
} from "../../src/protocol/store.js";
import type { Actor } from "../../src/actions/identity.js";
import type { CommandStyle, HandlerContext } from "../../src/actions/handlers/context.js";
import { loadConfig, type Config } from "../../src/config.js";
import type { DeliveryBarrier } from "../../src/domain/snapshot.js";
import type { AlertKind, RecommendationAction } from "../../src/domain/recommendations.js";
import type { Locale } from "../../src/locale.js";
import { NO_QUIET_HOURS, type QuietHours } from "../../src/domain/quiet.js";
import { createLogger } from "../../src/log.js";
import { nextChange, type LcaChangeStatus, type LcaField } from "../../src/domain/writeback.js";

/**
 * The Store in memory, for handler unit tests: plain rows, a unit of work that rolls back on
 * a throw, and locks that insist on being taken inside one (as the SQL store's FOR UPDATE needs).
 */
export interface MemAlert {
  id: number;
  kind: AlertKind;
  useCaseId: number;
  version: number;
  status: "open" | "resolved";
  recommendationId: number | null;
  actedById: number | null;
  lastAction: string | null;
  snoozedUntil: Date | null;
  resolution: string | null;
}
export interface MemRecommendation { id: number; status: "open" | "closed"; actions: { action: RecommendationAction; comment: string | null; author: Author }[] }
/** `lcaEmail`: the slot's email as LCA gave it (absent: the stored one). */
export interface MemContact extends StoredContact { lcaEmail?: string | null }
export interface MemUseCase { id: number; version: number; active: boolean; deploymentRowId: number; contacts: MemContact[] }
/** `lcaCsmEmail`: the CSM email LCA gave (absent: none). */
export interface MemDeployment { id: number; deploymentId: string; version: number; active: boolean; assignedCsmId: number | null; lcaCsmEmail?: string | null }
/** A recorded change as the table holds it. */
export interface MemLcaChange { deploymentRowId: number; useCaseId: number | null; field: LcaField; valueBefore: string | null; valueChat: string | null; author: Author; status: LcaChangeStatus }
export interface MemCsm { id: number; email: string; name: string; active: boolean; locale: Locale | null; digestEnabled: boolean; digestTime: string; quiet?: QuietHours }
export interface MemSubscription extends StoredSubscription { csmId: number }

export interface MemState {
  alerts: MemAlert[];
  recommendations: MemRecommendation[];
  useCases: MemUseCase[];
  deployments: MemDeployment[];
  csms: MemCsm[];
  subscriptions: MemSubscription[];
  audits: AuditRecord[];
  refusals: RefusalRecord[];
  pendingLcaChanges: MemLcaChange[];
  /** Every re-evaluation asked for, with its rules. */
  reevaluations: { useCaseIds: number[]; rules: ReevaluationRules }[];
}

export const emptyState = (): MemState => ({ alerts: [], recommendations: [], useCases: [], deployments: [], csms: [], subscriptions: [], audits: [], refusals: [], pendingLcaChanges: [], reevaluations: [] });

export class MemoryStore implements Store {
  state: MemState;
  /** How many units of work committed (a handler that changes data must use one). */
  commits = 0;
  /** What a re-evaluation reports (the engine's rules are tested elsewhere). */
  reevaluation: AlertChanges = { opened: {}, resolved: {} };
  private depth = 0;
  private nextId = 1000;

  constructor(state: Partial<MemState> = {}) {
    this.state = { ...emptyState(), ...state };
  }

  async transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.depth > 0) return work(this);
    const saved = structuredClone(this.state);
    this.depth++;
    try {
      const result = await work(this);
      this.commits++;
      return result;
    } catch (error) {
      this.state = saved;
      throw error;
    } finally {
      this.depth--;
    }
  }

  private locking(what: string): void {
    if (this.depth === 0) throw new Error(`${what} outside a unit of work: nothing would hold the lock`);
  }

  private alert(id: number): MemAlert {
    const alert = this.state.alerts.find((a) => a.id === id);
    if (!alert) throw new Error(`no alert ${id}`);
    return alert;
  }

  private csmName(id: number | null): string | null {
    return this.state.csms.find((c) => c.id === id)?.name ?? null;
  }

  async lockAlert(alertId: number): Promise<LockedAlert | undefined> {
    this.locking("lockAlert");
    const a = this.state.alerts.find((x) => x.id === alertId);
    return a && { id: a.id, kind: a.kind, version: a.version, status: a.status, recommendationId: a.recommendationId, actedByName: this.csmName(a.actedById), lastAction: a.lastAction };
  }

  async recordRecommendationAction(change: Parameters<Store["recordRecommendationAction"]>[0]): Promise<void> {
    const rec = this.state.recommendations.find((r) => r.id === change.recommendationId);
    if (!rec) throw new Error(`no recommendation ${change.recommendationId}`);
    rec.actions.push({ action: change.action, comment: change.comment, author: change.author });
    if (change.closes) rec.status = "closed";
  }

  async markAlertActed(change: Parameters<Store["markAlertActed"]>[0]): Promise<void> {
    const a = this.alert(change.alertId);
    Object.assign(a, { actedById: change.author.csmId, lastAction: change.action, version: a.version + 1 });
    if (change.resolves) Object.assign(a, { status: "resolved", resolution: "closed_by_action" });
  }

  async snoozeAlert(change: Parameters<Store["snoozeAlert"]>[0]): Promise<void> {
    const a = this.alert(change.alertId);
    Object.assign(a, { snoozedUntil: change.until, actedById: change.author.csmId, lastAction: "snoozed", version: a.version + 1 });
  }

  async lockUseCase(useCaseId: number) {
    this.locking("lockUseCase");
    const u = this.state.useCases.find((x) => x.id === useCaseId && x.active);
    return u && { id: u.id, version: u.version };
  }

  async contactsOf(useCaseId: number): Promise<StoredContact[]> {
    return structuredClone(this.state.useCases.find((u) => u.id === useCaseId)?.contacts ?? []);
  }

  async knownBarrier(email: string): Promise<DeliveryBarrier | undefined> {
    const all = this.state.useCases.flatMap((u) => u.contacts).filter((c) => c.email === email);
    return (all.find((c) => c.deliveryBarrier !== "none") ?? all[0])?.deliveryBarrier;
  }

  async upsertPartnerContact(change: Parameters<Store["upsertPartnerContact"]>[0]): Promise<void> {
    const u = this.state.useCases.find((x) => x.id === change.useCaseId)!;
    const contact: StoredContact = { source: "partner", slot: change.slot, email: change.email, name: change.name, deliveryBarrier: "none" };
    const at = u.contacts.findIndex((c) => c.source === "partner" && c.slot === change.slot);
    if (at >= 0) u.contacts[at] = contact;
    else u.contacts.push(contact);
    u.version++;
  }

  async touchContactAlerts(change: Parameters<Store["touchContactAlerts"]>[0]): Promise<number[]> {
    const touched = this.state.alerts.filter((a) => a.useCaseId === change.useCaseId && a.status === "open" && (a.kind === "bounced_contact" || a.kind === "missing_contact"));
    for (const a of touched) Object.assign(a, { actedById: change.author.csmId, lastAction: "contact_updated" });
    return touched.map((a) => a.id);
  }

  async openAlertIds(useCaseId: number): Promise<number[]> {
    return this.state.alerts.filter((a) => a.useCaseId === useCaseId && a.status === "open").map((a) => a.id);
  }

  async reevaluateUseCases(useCaseIds: number[], rules: ReevaluationRules): Promise<AlertChanges> {
    this.locking("reevaluateUseCases");
    this.state.reevaluations.push({ useCaseIds, rules });
    return this.reevaluation;
  }

  async findActiveDeployment(deploymentId: string) {
    const d = this.state.deployments.find((x) => x.deploymentId === deploymentId && x.active);
    return d && { id: d.id };
  }

  async lockDeployment(rowId: number): Promise<LockedDeployment | undefined> {
    this.locking("lockDeployment");
    const d = this.state.deployments.find((x) => x.id === rowId && x.active);
    return d && { id: d.id, version: d.version, assignedCsmId: d.assignedCsmId, assigneeName: this.csmName(d.assignedCsmId), deploymentId: d.deploymentId };
  }

  async findActiveCsm(email: string) {
    const c = this.state.csms.find((x) => x.email === email && x.active);
    return c && { id: c.id, name: c.name };
  }

  async assignDeployment(change: Parameters<Store["assignDeployment"]>[0]): Promise<number[]> {
    const d = this.state.deployments.find((x) => x.id === change.rowId)!;
    Object.assign(d, { assignedCsmId: change.assigneeId, version: d.version + 1 });
    const ucds = new Set(this.state.useCases.filter((u) => u.deploymentRowId === d.id).map((u) => u.id));
    const alerts = this.state.alerts.filter((a) => ucds.has(a.useCaseId) && a.status === "open");
    for (const a of alerts) Object.assign(a, { version: a.version + 1, actedById: change.author.csmId, lastAction: "assigned" });
    return alerts.map((a) => a.id);
  }

  async subscriptionsOf(csmId: number): Promise<StoredSubscription[]> {
    return structuredClone(this.state.subscriptions.filter((s) => s.csmId === csmId)).map(({ csmId: _csm, ...s }) => s);
  }

  async subscribe(subscription: Parameters<Store["subscribe"]>[0]): Promise<void> {
    this.state.subscriptions.push({ id: this.nextId++, ...structuredClone(subscription) });
  }

  async setSubscriptionKinds(subscriptionId: number, kinds: AlertKind[]): Promise<void> {
    if (kinds.length === 0) this.state.subscriptions = this.state.subscriptions.filter((s) => s.id !== subscriptionId);
    else this.state.subscriptions.find((s) => s.id === subscriptionId)!.kinds = [...kinds];
  }

  async settingsOf(csmId: number): Promise<CsmSettings> {
    const c = this.state.csms.find((x) => x.id === csmId);
    if (!c) throw new Error(`csm ${csmId} does not exist`);
    return { locale: c.locale, digestEnabled: c.digestEnabled, digestTime: c.digestTime, quiet: c.quiet ?? NO_QUIET_HOURS, subscriptions: await this.subscriptionsOf(csmId) };
  }

  /** No outbox here: nothing waits, so nothing is released. */
  async setQuietHours(csmId: number, quiet: QuietHours): Promise<number> {
    this.state.csms.find((c) => c.id === csmId)!.quiet = quiet;
    return 0;
  }

  /** Cards asked for with "Show card", as the SQL store would queue them. */
  shownCards: { alertId: number; chat: string; destination: string; csmId: number | null }[] = [];

  async enqueueAlertCard(card: { alertId: number; chat: string; destination: string; csmId: number | null }): Promise<boolean> {
    const alert = this.state.alerts.find((a) => a.id === card.alertId);
    if (!alert || alert.status !== "open") return false;
    this.shownCards.push(card);
    return true;
  }

  async setDigest(csmId: number, digest: { digestEnabled: boolean; digestTime: string }): Promise<void> {
    Object.assign(this.state.csms.find((c) => c.id === csmId)!, digest);
  }

  async setLanguage(csmId: number, locale: Locale): Promise<void> {
    this.state.csms.find((c) => c.id === csmId)!.locale = locale;
  }

  async audit(entry: AuditRecord): Promise<void> {
    // Stored as the SQL store stores it: the values as JSON would give them back.
    this.state.audits.push({ ...entry, entityId: String(entry.entityId), before: roundTrip(entry.before), after: roundTrip(entry.after) });
  }

  async auditRefusal(entry: RefusalRecord): Promise<void> {
    this.state.refusals.push(structuredClone(entry));
  }

  async recordPendingLcaChange(change: PendingLcaChange): Promise<{ recorded: boolean }> {
    this.locking("recordPendingLcaChange");
    let deploymentRowId: number;
    let useCaseId: number | null = null;
    let lcaValue: string | null;
    if ("deploymentRowId" in change.subject) {
      const d = this.state.deployments.find((x) => x.id === (change.subject as { deploymentRowId: number }).deploymentRowId)!;
      deploymentRowId = d.id;
      lcaValue = d.lcaCsmEmail ?? null;
    } else {
      const u = this.state.useCases.find((x) => x.id === (change.subject as { useCaseId: number }).useCaseId)!;
      const [, slot, part] = /^partner_contact_([12])_(email|name)$/.exec(change.field)!;
      const c = u.contacts.find((x) => x.source === "partner" && x.slot === Number(slot));
      deploymentRowId = u.deploymentRowId;
      useCaseId = u.id;
      lcaValue = !c ? null : part === "email" ? (c.lcaEmail === undefined ? c.email : c.lcaEmail) : c.name;
    }
    const open = this.state.pendingLcaChanges.find((x) => x.deploymentRowId === deploymentRowId && x.useCaseId === useCaseId && x.field === change.field && (x.status === "pending" || x.status === "stale"));
    const next = nextChange(open, change.field, lcaValue, change.valueChat);
    if (open) open.status = "superseded";
    if (next.record) this.state.pendingLcaChanges.push({ deploymentRowId, useCaseId, field: change.field, valueBefore: next.valueBefore, valueChat: change.valueChat, author: structuredClone(change.author), status: "pending" });
    return { recorded: next.record };
  }
}

const roundTrip = (value: unknown) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** Reads a test names; any other read fails loudly, so a handler reading more than expected is seen. */
export function fakeReads(reads: Partial<Reads> = {}): Reads {
  const missing = (name: string) => async () => {
    throw new Error(`unexpected read: ${name}`);
  };
  // Every read named once: a read added to the port and not here fails the type check.
  const names: Record<keyof Reads, true> = { stalled: true, addedRecently: true, contactProblems: true, mine: true, findCustomer: true, findUseCase: true, useCaseDetail: true, deploymentHistory: true, customerHistory: true, alertView: true, formCard: true, homeView: true, teamView: true, lcaChangeCounts: true, lcaWorkbook: true };
  return Object.fromEntries(Object.keys(names).map((name) => [name, reads[name as keyof Reads] ?? missing(name)])) as unknown as Reads;
}

export const testConfig: Config = loadConfig({ ADMINS: "james.lee@partner.example" });

export const anna: Actor = { csmId: 1, name: "Анна Петрова", email: "anna.petrova@partner.example", locale: "ru", languageKnown: true, timeZone: "Europe/Berlin", isAdmin: false, channel: "slack" };
export const james: Actor = { csmId: 2, name: "James Lee", email: "james.lee@partner.example", locale: "en", languageKnown: true, timeZone: "Europe/London", isAdmin: true, channel: "webex" };
export const oliver: MemCsm = { id: 3, email: "oliver.brown@partner.example", name: "Oliver Brown", active: true, locale: "en", digestEnabled: true, digestTime: "08:00" };

export const csmOf = (actor: Actor, rest: Partial<MemCsm> = {}): MemCsm => ({ id: actor.csmId, email: actor.email, name: actor.name, active: true, locale: actor.locale, digestEnabled: true, digestTime: "08:00", ...rest });

export const NOW = new Date("2026-11-23T11:02:00Z");

export function handlerContext(store: Store, options: { actor?: Actor; reads?: Partial<Reads>; style?: CommandStyle } = {}): HandlerContext {
  return { actor: options.actor ?? anna, store, reads: fakeReads(options.reads), config: testConfig, log: createLogger("silent"), now: () => NOW, style: options.style ?? { prefix: "" } };
}
