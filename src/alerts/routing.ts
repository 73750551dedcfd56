import type { Queryable } from "../db/sql.js";
import type { AlertKind } from "../domain/recommendations.js";
import type { ChatName } from "../protocol/chats.js";
import { hasFilters, type SubscriptionFilters } from "../domain/subscriptions.js";

/** Every chat a person's alert may be shown in (the preview too). */
export type DeliveryChannel = ChatName;

export type { SubscriptionFilters };

interface Subscription {
  kinds: AlertKind[];
  filters: SubscriptionFilters;
  mode: "immediate" | "digest";
}

/** Who may hear about alerts: loaded once per engine run. */
export interface Audience {
  csms: Map<number, Subscription[]>;
  teamSpaces: { id: number; channel: DeliveryChannel; address: string; receivesUnassigned: boolean; subscriptions: Subscription[] }[];
}

/** What routing needs to know about the alert's use-case deployment. */
export interface AlertTarget {
  kind: AlertKind;
  assignedCsmId: number | null;
  tags: string[];
  architecture: string;
  customerName: string;
  crPartyId: string;
}

export interface Recipient {
  /**
   * null for a person: one outbox row that the running service's dispatcher fans out to
   * every chat it has. Routing never depends on the chats of the process that ingested.
   */
  channel: DeliveryChannel | null;
  destination: string;
  csmId: number | null;
}

export async function loadAudience(client: Queryable): Promise<Audience> {
  const subs = await client.query<{ csm_id: number | null; team_space_id: number | null; kinds: string; filters: SubscriptionFilters; mode: "immediate" | "digest" }>(
    `SELECT s.csm_id, s.team_space_id, s.kinds::text[] AS kinds, s.filters, s.mode
     FROM subscription s LEFT JOIN csm c ON c.id = s.csm_id
     WHERE s.csm_id IS NULL OR c.active`,
  );
  const spaces = await client.query<{ id: number; channel: DeliveryChannel; address: string; receives_unassigned: boolean }>(
    `SELECT id, channel, address, receives_unassigned FROM team_space`,
  );
  const csms = new Map<number, Subscription[]>();
  const bySpace = new Map<number, Subscription[]>();
  for (const row of subs.rows) {
    const sub: Subscription = { kinds: row.kinds as unknown as AlertKind[], filters: row.filters ?? {}, mode: row.mode };
    if (row.csm_id !== null) csms.set(row.csm_id, [...(csms.get(row.csm_id) ?? []), sub]);
    else if (row.team_space_id !== null) bySpace.set(row.team_space_id, [...(bySpace.get(row.team_space_id) ?? []), sub]);
  }
  return {
    csms,
    teamSpaces: spaces.rows.map((s) => ({ id: s.id, channel: s.channel, address: s.address, receivesUnassigned: s.receives_unassigned, subscriptions: bySpace.get(s.id) ?? [] })),
  };
}


export function filtersMatch(filters: SubscriptionFilters, target: AlertTarget): boolean {
  const lower = (s: string) => s.toLowerCase();
  if (filters.tags?.length && !target.tags.some((t) => filters.tags!.map(lower).includes(lower(t)))) return false;
  if (filters.architectures?.length && !filters.architectures.map(lower).includes(lower(target.architecture))) return false;
  if (filters.customers?.length) {
    const name = lower(target.customerName);
    if (!filters.customers.some((c) => c === target.crPartyId || name.includes(lower(c)))) return false;
  }
  return true;
}

export type RoutingDecision = { immediate: Recipient[]; digestCsmIds: number[] };

/**
 * Our rule: a subscription without filters covers the CSM's own deployments; one with
 * filters covers every deployment that matches them (a manager following "tag:Strategic").
 * The assigned CSM hears first; when nobody does, the team spaces that take unassigned or
 * matching alerts hear it (each on its own chat, as TEAM_SPACES configures it).
 */
export function route(target: AlertTarget, audience: Audience): RoutingDecision {
  const immediate: Recipient[] = [];
  const digestCsmIds: number[] = [];
  for (const [csmId, subscriptions] of audience.csms) {
    const matching = subscriptions.filter(
      (s) => s.kinds.includes(target.kind) && (hasFilters(s.filters) ? filtersMatch(s.filters, target) : csmId === target.assignedCsmId),
    );
    if (matching.length === 0) continue;
    if (matching.some((s) => s.mode === "immediate")) {
      immediate.push({ channel: null, destination: `csm:${csmId}`, csmId });
    } else {
      digestCsmIds.push(csmId);
    }
  }
  const heardByAssignee = target.assignedCsmId !== null && (immediate.some((r) => r.csmId === target.assignedCsmId) || digestCsmIds.includes(target.assignedCsmId));
  if (!heardByAssignee) {
    for (const space of audience.teamSpaces) {
      const subscribed = space.subscriptions.some((s) => s.kinds.includes(target.kind) && filtersMatch(s.filters, target));
      // receivesUnassigned: the team's fallback for alerts no assigned CSM hears.
      if (subscribed || space.receivesUnassigned) immediate.push({ channel: space.channel, destination: space.address, csmId: null });
    }
  }
  return { immediate, digestCsmIds };
}
