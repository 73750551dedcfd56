import type { Queryable } from "../db/sql.js";
import type { Actor } from "./identity.js";

/** Every change a person made from chat: who, what, when, from which chat, before and after. */
export async function writeAudit(client: Queryable, actor: Actor, action: string, entity: string, entityId: number | string, before: unknown, after: unknown): Promise<void> {
  await client.query(
    `INSERT INTO audit_entry (csm_id, channel, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [actor.csmId, actor.channel, action, entity, String(entityId), before === undefined ? null : JSON.stringify(before), after === undefined ? null : JSON.stringify(after)],
  );
}

/**
 * A request refused because it tried to act beyond what its credential allows (a preview
 * token naming another CSM): who tried (when known), from where, what they named, and why.
 * Nothing changed, so `before` is empty and `after` says what was attempted.
 */
export async function writeRefusalAudit(
  client: Queryable,
  attempt: { csmId: number | null; channel: Actor["channel"]; action: string; entity: string; entityId: string; detail: Record<string, unknown> },
): Promise<void> {
  await client.query(
    `INSERT INTO audit_entry (csm_id, channel, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, NULL, $6)`,
    [attempt.csmId, attempt.channel, attempt.action, attempt.entity, attempt.entityId, JSON.stringify({ refused: true, ...attempt.detail })],
  );
}
