import { z } from "zod";
import type { ChatIdentity } from "../../actions/identity.js";
import { LOCALES } from "../../config.js";

/**
 * The preview's requests → what the pipeline takes: the CSM the token vouches for as a
 * verified identity, the text typed, the submitted card data. Nothing here answers or acts.
 */

export const localeSchema = z.enum(LOCALES);
const email = z.string().trim().toLowerCase().max(320).pipe(z.email());
export const messageBody = z.object({ csm: email.optional(), text: z.string().trim().min(1).max(2000), locale: localeSchema.optional() });
export const actionBody = z.object({ csm: email.optional(), data: z.record(z.string(), z.unknown()), locale: localeSchema.optional() });

/** The token vouches for the CSM: their email is the identity, verified. */
export const identity = (csmEmail: string): ChatIdentity => ({ channel: "preview", userId: csmEmail, email: csmEmail, emailVerified: true });

/** A query parameter given once, as text. */
export const queryString = (value: unknown): string | undefined => (typeof value === "string" && value.trim() ? value.trim() : undefined);
