import type { Queryable } from "../db/sql.js";
import type { Actor } from "./identity.js";

/** Every change a person made from chat: who, what, when, from which chat, before and after. */
export async function writeAudit(client: Queryable, actor: Actor, action: string, entity: string, entityId: number | string, before: unknown, after: unknown): Promise<void> {
  await client.query(
    `INSERT INTO audit_entry (csm_id, channel, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [actor.csmId, actor.channel, action, entity, String(entityId), before === undefined ? null : JSON.stringify(before), after === undefined ? null : JSON.stringify(after)],
  );
}
