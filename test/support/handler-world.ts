import type { AlertView } from "../../src/protocol/views.js";
import type { Effect } from "../../src/protocol/effects.js";
import { anna, csmOf, james, MemoryStore, oliver, type MemState } from "./memory-store.js";

/**
 * A small portfolio for handler tests: Oliver looks after deployment DEP-10, whose use case
 * 20 has a stalled alert (30, with recommendation 40) and a missing-contact alert (31).
 */
export function world(overrides: Partial<MemState> = {}): MemoryStore {
  return new MemoryStore({
    csms: [csmOf(anna), csmOf(james, { digestTime: "07:00" }), oliver, { ...oliver, id: 4, email: "gone@partner.example", name: "Gone", active: false }],
    deployments: [{ id: 10, deploymentId: "DEP-10", version: 5, active: true, assignedCsmId: oliver.id, lcaCsmEmail: oliver.email }, { id: 11, deploymentId: "DEP-OLD", version: 0, active: false, assignedCsmId: null }],
    useCases: [
      { id: 20, version: 2, active: true, deploymentRowId: 10, contacts: [{ source: "cisco", slot: 0, email: "cisco.person@cisco.example", name: "Cisco Person", deliveryBarrier: "none" }] },
      { id: 21, version: 0, active: true, deploymentRowId: 10, contacts: [{ source: "partner", slot: 1, email: "bounced@customer.example", name: null, deliveryBarrier: "hard_bounce" }] },
    ],
    alerts: [
      { id: 30, kind: "stalled", useCaseId: 20, version: 3, status: "open", recommendationId: 40, actedById: null, lastAction: null, snoozedUntil: null, resolution: null },
      { id: 31, kind: "missing_contact", useCaseId: 20, version: 0, status: "open", recommendationId: null, actedById: null, lastAction: null, snoozedUntil: null, resolution: null },
    ],
    recommendations: [{ id: 40, status: "open", actions: [] }],
    ...overrides,
  });
}

/** What receipts name: the customer and use case of the alert acted on. */
export const alertViews = {
  alertView: async (alertId: number) => (alertId === 30 || alertId === 31 ? ({ customer: { name: "Acme Corp" }, useCase: { name: "Campus Automation" } } as AlertView) : null),
};

export const replies = (effects: Effect[]) => effects.filter((e): e is Extract<Effect, { type: "reply" }> => e.type === "reply").map((e) => e.card);
export const refreshes = (effects: Effect[]) => effects.filter((e) => e.type === "refreshAlert").map((e) => (e as { alertId: number }).alertId);
export const noticeKeys = (effects: Effect[]) => replies(effects).map((c) => (c.card === "notice" && "key" in c.view.text ? c.view.text.key : c.card));
