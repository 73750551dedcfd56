/**
 * The preview's guard writes its refusal rows through here; the one audit writer is the
 * Store (src/db/store.ts). Kept so src/channels/ needs no change until it takes a Store.
 */
export { writeRefusalAudit } from "../db/store.js";
