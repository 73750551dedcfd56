import type pg from "pg";
import type { Store, LockedAlert, StoredContact, LockedDeployment, StoredSubscription, CsmSettings, AuditRecord, RefusalRecord, PendingLcaChange } from "../protocol/store.js";
import { nextChange } from "../domain/writeback.js";
import type { DeliveryBarrier } from "../domain/snapshot.js";
import type { Locale } from "../locale.js";
import { QUIET_DEFERRED_MARK, type QuietHours } from "../domain/quiet.js";
import type { ChatName } from "../protocol/chats.js";
import { inTransaction, type Queryable } from "./sql.js";

/**
 * The Store on the database, in SQL on the one pg pool (PGlite and PostgreSQL alike). A store
 * on the pool opens a transaction per unit of work; inside it, the store runs on that
 * transaction's client, and a nested unit simply joins it.
 */
/**
 * The alert engine's re-evaluation, run inside the store's unit of work. Given by the
 * caller: the engine stands above the database layer (it routes and writes the outbox).
 */
export type Reevaluation = (db: Queryable, useCaseIds: number[], options: Parameters<Store["reevaluateUseCases"]>[1] & { baseline: false }) => ReturnType<Store["reevaluateUseCases"]>;

export function sqlStore(pool: pg.Pool, reevaluate: Reevaluation): Store {
  return new SqlStore(pool, reevaluate, (work) => inTransaction(pool, (client) => work(new SqlStore(client, reevaluate, null))));
}

type Begin = <T>(work: (tx: Store) => Promise<T>) => Promise<T>;

/** The audit row of a refused request, for callers that hold only a client or pool (the preview's guard). */
export async function writeRefusalAudit(db: Queryable, entry: RefusalRecord): Promise<void> {
  await new SqlStore(db, () => Promise.reject(new Error("a refusal re-evaluates nothing")), null).auditRefusal(entry);
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

class SqlStore implements Store {
  constructor(
    private readonly db: Queryable,
    private readonly reevaluate: Reevaluation,
    private readonly begin: Begin | null,
  ) {}

  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    return this.begin ? this.begin(work) : work(this);
  }

  async lockAlert(alertId: number): Promise<LockedAlert | undefined> {
    const { rows: [row] } = await this.db.query<{ id: number; kind: LockedAlert["kind"]; version: number; status: LockedAlert["status"]; recommendation_id: number | null; acted_by_name: string | null; last_action: string | null }>(
      `SELECT a.id, a.kind, a.version, a.status, a.recommendation_id, c.name AS acted_by_name, a.last_action
       FROM alert a LEFT JOIN csm c ON c.id = a.acted_by_id WHERE a.id = $1 FOR UPDATE OF a`,
      [alertId],
    );
    return row && { id: row.id, kind: row.kind, version: row.version, status: row.status, recommendationId: row.recommendation_id, actedByName: row.acted_by_name, lastAction: row.last_action };
  }

  async recordRecommendationAction(change: Parameters<Store["recordRecommendationAction"]>[0]): Promise<void> {
    await this.db.query(`INSERT INTO recommendation_action (recommendation_id, action, comment, csm_id, channel) VALUES ($1, $2, $3, $4, $5)`, [
      change.recommendationId, change.action, change.comment, change.author.csmId, change.author.channel,
    ]);
    if (change.closes) await this.db.query(`UPDATE recommendation SET status = 'closed', closed_at = now() WHERE id = $1`, [change.recommendationId]);
  }

  async markAlertActed(change: Parameters<Store["markAlertActed"]>[0]): Promise<void> {
    await this.db.query(
      `UPDATE alert SET acted_by_id = $2, acted_at = now(), last_action = $3, version = version + 1,
         status = CASE WHEN $4 THEN 'resolved'::"AlertStatus" ELSE status END,
         resolved_at = CASE WHEN $4 THEN now() ELSE resolved_at END,
         resolution = CASE WHEN $4 THEN 'closed_by_action' ELSE resolution END
       WHERE id = $1`,
      [change.alertId, change.author.csmId, change.action, change.resolves],
    );
  }

  async snoozeAlert(change: Parameters<Store["snoozeAlert"]>[0]): Promise<void> {
    await this.db.query(`UPDATE alert SET snoozed_until = $2, acted_by_id = $3, acted_at = now(), last_action = 'snoozed', version = version + 1 WHERE id = $1`, [change.alertId, change.until, change.author.csmId]);
  }

  async lockUseCase(useCaseId: number) {
    const { rows: [row] } = await this.db.query<{ id: number; version: number }>(`SELECT id, version FROM use_case_deployment WHERE id = $1 AND active FOR UPDATE`, [useCaseId]);
    return row;
  }

  async contactsOf(useCaseId: number): Promise<StoredContact[]> {
    const { rows } = await this.db.query<{ source: StoredContact["source"]; slot: number; email: string; name: string | null; delivery_barrier: DeliveryBarrier }>(
      `SELECT source, slot, email, name, delivery_barrier FROM contact WHERE use_case_deployment_id = $1`, [useCaseId]);
    return rows.map((c) => ({ source: c.source, slot: c.slot, email: c.email, name: c.name, deliveryBarrier: c.delivery_barrier }));
  }

  async knownBarrier(email: string): Promise<DeliveryBarrier | undefined> {
    const { rows } = await this.db.query<{ delivery_barrier: DeliveryBarrier }>(
      `SELECT delivery_barrier FROM contact WHERE email = $1 ORDER BY (delivery_barrier <> 'none') DESC LIMIT 1`, [email]);
    return rows[0]?.delivery_barrier;
  }

  async upsertPartnerContact(change: Parameters<Store["upsertPartnerContact"]>[0]): Promise<void> {
    await this.db.query(
      `INSERT INTO contact (use_case_deployment_id, source, slot, name, email, delivery_barrier, updated_at)
       VALUES ($1, 'partner', $2, $3, $4, 'none', now())
       ON CONFLICT (use_case_deployment_id, source, slot) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, delivery_barrier = 'none', updated_at = now()`,
      [change.useCaseId, change.slot, change.name, change.email],
    );
    await this.db.query(`UPDATE use_case_deployment SET version = version + 1 WHERE id = $1`, [change.useCaseId]);
  }

  async touchContactAlerts(change: Parameters<Store["touchContactAlerts"]>[0]): Promise<number[]> {
    const { rows } = await this.db.query<{ id: number }>(
      `SELECT id FROM alert WHERE use_case_deployment_id = $1 AND status = 'open' AND kind IN ('bounced_contact', 'missing_contact')`, [change.useCaseId]);
    const ids = rows.map((r) => r.id);
    await this.db.query(`UPDATE alert SET acted_by_id = $2, acted_at = now(), last_action = 'contact_updated' WHERE id = ANY($1)`, [ids, change.author.csmId]);
    return ids;
  }

  async openAlertIds(useCaseId: number): Promise<number[]> {
    const { rows } = await this.db.query<{ id: number }>(`SELECT id FROM alert WHERE use_case_deployment_id = $1 AND status = 'open'`, [useCaseId]);
    return rows.map((r) => r.id);
  }

  async reevaluateUseCases(useCaseIds: number[], rules: Parameters<Store["reevaluateUseCases"]>[1]) {
    // Chat changes are never the installation's first snapshot: their alerts are pushed.
    return this.reevaluate(this.db, useCaseIds, { ...rules, baseline: false });
  }

  async findActiveDeployment(deploymentId: string) {
    const { rows: [row] } = await this.db.query<{ id: number }>(`SELECT id FROM deployment WHERE deployment_id = $1 AND active LIMIT 1`, [deploymentId]);
    return row;
  }

  async lockDeployment(rowId: number): Promise<LockedDeployment | undefined> {
    const { rows: [row] } = await this.db.query<{ id: number; version: number; assigned_csm_id: number | null; assignee_name: string | null; deployment_id: string }>(
      `SELECT d.id, d.version, d.assigned_csm_id, c.name AS assignee_name, d.deployment_id FROM deployment d LEFT JOIN csm c ON c.id = d.assigned_csm_id WHERE d.id = $1 AND d.active FOR UPDATE OF d`,
      [rowId],
    );
    return row && { id: row.id, version: row.version, assignedCsmId: row.assigned_csm_id, assigneeName: row.assignee_name, deploymentId: row.deployment_id };
  }

  async findActiveCsm(email: string) {
    const { rows: [row] } = await this.db.query<{ id: number; name: string }>(`SELECT id, name FROM csm WHERE email = $1 AND active`, [email]);
    return row;
  }

  async assignDeployment(change: Parameters<Store["assignDeployment"]>[0]): Promise<number[]> {
    await this.db.query(`UPDATE deployment SET assigned_csm_id = $2, version = version + 1, updated_at = now() WHERE id = $1`, [change.rowId, change.assigneeId]);
    const { rows } = await this.db.query<{ id: number }>(
      `UPDATE alert a SET version = a.version + 1, acted_by_id = $2, acted_at = now(), last_action = 'assigned'
       FROM use_case_deployment x WHERE x.id = a.use_case_deployment_id AND x.deployment_id = $1 AND a.status = 'open' RETURNING a.id`,
      [change.rowId, change.author.csmId],
    );
    return rows.map((r) => r.id);
  }

  async subscriptionsOf(csmId: number): Promise<StoredSubscription[]> {
    // Enum arrays come back as text ("{a,b}") unless cast: pg knows no parser for them.
    const { rows } = await this.db.query<StoredSubscription>(`SELECT id, kinds::text[] AS kinds, filters, mode FROM subscription WHERE csm_id = $1 ORDER BY id`, [csmId]);
    return rows.map((r) => ({ id: r.id, kinds: r.kinds, filters: r.filters ?? {}, mode: r.mode }));
  }

  async subscribe(subscription: Parameters<Store["subscribe"]>[0]): Promise<void> {
    await this.db.query(`INSERT INTO subscription (csm_id, kinds, filters, mode) VALUES ($1, $2::"AlertKind"[], $3, $4)`, [
      subscription.csmId, subscription.kinds, JSON.stringify(subscription.filters), subscription.mode,
    ]);
  }

  async setSubscriptionKinds(subscriptionId: number, kinds: StoredSubscription["kinds"]): Promise<void> {
    if (kinds.length === 0) await this.db.query(`DELETE FROM subscription WHERE id = $1`, [subscriptionId]);
    else await this.db.query(`UPDATE subscription SET kinds = $2::"AlertKind"[] WHERE id = $1`, [subscriptionId, kinds]);
  }

  async settingsOf(csmId: number): Promise<CsmSettings> {
    const { rows: [csm] } = await this.db.query<{ locale: Locale | null; digest_enabled: boolean; digest_time: string; quiet_from: string | null; quiet_to: string | null; quiet_weekends: boolean }>(
      `SELECT locale, digest_enabled, digest_time, quiet_from, quiet_to, quiet_weekends FROM csm WHERE id = $1`,
      [csmId],
    );
    if (!csm) throw new Error(`csm ${csmId} does not exist`);
    return {
      locale: csm.locale,
      digestEnabled: csm.digest_enabled,
      digestTime: csm.digest_time,
      quiet: { from: csm.quiet_from, to: csm.quiet_to, weekends: csm.quiet_weekends },
      subscriptions: await this.subscriptionsOf(csmId),
    };
  }

  async setQuietHours(csmId: number, quiet: QuietHours): Promise<number> {
    // One statement: the hours and the release of what waited for the old ones (marked by markDeferred) go together.
    const result = await this.db.query(
      `WITH person AS (UPDATE csm SET quiet_from = $2, quiet_to = $3, quiet_weekends = $4 WHERE id = $1 RETURNING id)
       UPDATE outbox_message o SET next_attempt_at = now(), last_error = NULL
       FROM person
       WHERE o.destination = 'csm:' || person.id AND o.status = 'pending' AND o.next_attempt_at > now() AND o.last_error LIKE $5`,
      [csmId, quiet.from, quiet.to, quiet.weekends, `${QUIET_DEFERRED_MARK}%`],
    );
    return result.rowCount ?? 0;
  }

  async enqueueAlertCard(card: { alertId: number; chat: ChatName; destination: string; csmId: number | null }): Promise<boolean> {
    // Priority 1, as the clicked card's redraw: the person just asked for it, so it goes first and through quiet hours.
    const result = await this.db.query(
      `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key, priority)
       SELECT $2::"ChatChannel", $3, $4, a.id, 'alert', json_build_object('alertId', a.id, 'notice', 0, 'shown', true),
              'show:' || a.id || ':' || a.version || ':' || $2 || ':' || $3, 1
       FROM alert a WHERE a.id = $1 AND a.status = 'open'
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [card.alertId, card.chat, card.destination, card.csmId],
    );
    if ((result.rowCount ?? 0) > 0) return true;
    const { rows } = await this.db.query<{ open: boolean }>(`SELECT status = 'open' AS open FROM alert WHERE id = $1`, [card.alertId]);
    return rows[0]?.open === true;
  }

  async setDigest(csmId: number, digest: { digestEnabled: boolean; digestTime: string }): Promise<void> {
    await this.db.query(`UPDATE csm SET digest_enabled = $2, digest_time = $3 WHERE id = $1`, [csmId, digest.digestEnabled, digest.digestTime]);
  }

  async setLanguage(csmId: number, locale: Locale): Promise<void> {
    await this.db.query(`UPDATE csm SET locale = $2 WHERE id = $1`, [csmId, locale]);
  }

  async audit(entry: AuditRecord): Promise<void> {
    await this.db.query(`INSERT INTO audit_entry (csm_id, channel, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      entry.author.csmId, entry.author.channel, entry.action, entry.entity, String(entry.entityId), json(entry.before), json(entry.after),
    ]);
  }

  async auditRefusal(entry: RefusalRecord): Promise<void> {
    // Nothing changed, so `before` is empty and `after` says what was attempted.
    await this.db.query(`INSERT INTO audit_entry (csm_id, channel, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, NULL, $6)`, [
      entry.csmId, entry.channel, entry.action, entry.entity, entry.entityId, JSON.stringify({ refused: true, ...entry.detail }),
    ]);
  }

  async recordPendingLcaChange(change: PendingLcaChange): Promise<{ recorded: boolean }> {
    const lca = await this.lcaValueOf(change);
    if (!lca) throw new Error(`no active subject for the LCA change of ${change.field}`);
    const useCaseId = "useCaseId" in change.subject ? change.subject.useCaseId : null;
    // FOR UPDATE: two changes of one field at once supersede each other in turn, not both the same one.
    const { rows: [open] } = await this.db.query<{ id: number; value_before: string | null }>(
      `SELECT id, value_before FROM pending_lca_change
       WHERE deployment_id = $1 AND coalesce(use_case_deployment_id, 0) = coalesce($2::int, 0) AND field = $3 AND status IN ('pending', 'stale')
       FOR UPDATE`,
      [lca.deploymentRowId, useCaseId, change.field],
    );
    const next = nextChange(open && { valueBefore: open.value_before }, change.field, lca.value, change.valueChat);
    if (open) await this.db.query(`UPDATE pending_lca_change SET status = 'superseded', decided_at = now() WHERE id = $1`, [open.id]);
    if (next.record) {
      await this.db.query(
        `INSERT INTO pending_lca_change (deployment_id, use_case_deployment_id, field, value_before, value_chat, csm_id, chat, created_at, before_snapshot_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, ($8::timestamptz AT TIME ZONE 'UTC'), (SELECT max(id) FROM snapshot))`,
        [lca.deploymentRowId, useCaseId, change.field, next.valueBefore, change.valueChat, change.author.csmId, change.author.channel, change.at.toISOString()],
      );
    }
    return { recorded: next.record };
  }

  /**
   * LCA's value of a field as the last snapshot gave it: the CSM and a slot's email are kept
   * as LCA sent them (lca_csm_email, lca_email); names are not, so a name's is the slot's
   * current one (only LCA and, through a change recorded here, chat set it).
   */
  private async lcaValueOf(change: PendingLcaChange): Promise<{ deploymentRowId: number; value: string | null } | undefined> {
    if ("deploymentRowId" in change.subject) {
      const { rows: [d] } = await this.db.query<{ id: number; lca_csm_email: string | null }>(`SELECT id, lca_csm_email FROM deployment WHERE id = $1`, [change.subject.deploymentRowId]);
      return d && { deploymentRowId: d.id, value: d.lca_csm_email };
    }
    const match = /^partner_contact_([12])_(email|name)$/.exec(change.field);
    if (!match) throw new Error(`${change.field} is not a contact field`);
    const { rows: [x] } = await this.db.query<{ deployment_id: number; found: boolean; lca_email: string | null; name: string | null }>(
      `SELECT x.deployment_id, c.id IS NOT NULL AS found, c.lca_email, c.name FROM use_case_deployment x
       LEFT JOIN contact c ON c.use_case_deployment_id = x.id AND c.source = 'partner' AND c.slot = $2
       WHERE x.id = $1`,
      [change.subject.useCaseId, Number(match[1])],
    );
    return x && { deploymentRowId: x.deployment_id, value: match[2] === "email" ? x.lca_email : x.name };
  }
}
