/** Contact rules (domain.md "Rules the sources state": Contacts). Pure. */

export const MAX_PARTNER_CONTACTS = 2;

export type ContactRefusal =
  | { rule: "invalidEmail" }
  | { rule: "partnerDomain"; domain: string }
  | { rule: "knownBarred"; barrier: "hard_bounce" | "unsubscribed" }
  | { rule: "tooManyPartnerContacts"; max: number }
  | { rule: "ciscoReadOnly" };

// Deliberately plain: one @, a dot in the domain, no spaces. The address's owner is the real check.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

export interface ContactChange {
  email: string;
  /** 0 = the Cisco contact; 1 or 2 = a partner slot (a free one means the first free slot); undefined = the first free partner slot. */
  slot: number | undefined;
  partnerDomains: readonly string[];
  /** Partner slots already holding a contact on this use case. */
  usedPartnerSlots: readonly number[];
  /** The barrier LCA knows for this address anywhere, if any. */
  knownBarrier: "none" | "hard_bounce" | "unsubscribed" | undefined;
}

/** The slot the change lands in, or the rule it breaks. Each refusal names its rule. */
export function checkContactChange(change: ContactChange): { ok: true; slot: 1 | 2 } | { ok: false; refusal: ContactRefusal } {
  if (change.slot === 0) return { ok: false, refusal: { rule: "ciscoReadOnly" } };
  const email = change.email.trim().toLowerCase();
  if (!EMAIL.test(email)) return { ok: false, refusal: { rule: "invalidEmail" } };
  const domain = email.slice(email.lastIndexOf("@") + 1);
  const partnerDomain = change.partnerDomains.find((d) => domain === d || domain.endsWith(`.${d}`));
  if (partnerDomain) return { ok: false, refusal: { rule: "partnerDomain", domain: partnerDomain } };
  if (change.knownBarrier === "hard_bounce" || change.knownBarrier === "unsubscribed") {
    return { ok: false, refusal: { rule: "knownBarred", barrier: change.knownBarrier } };
  }
  // A named slot that holds a contact is replaced in place. A new contact goes into the first
  // free slot, even when slot 2 was named: the ingest reads a lone partner contact as slot 1
  // (LCA's Partner Contact 2 column with column 1 empty comes back as slot 1), so a chat
  // contact left in slot 2 with slot 1 free would never be seen as confirmed by LCA.
  if ((change.slot === 1 || change.slot === 2) && change.usedPartnerSlots.includes(change.slot)) return { ok: true, slot: change.slot };
  const free = [1, 2].find((s) => !change.usedPartnerSlots.includes(s)) as 1 | 2 | undefined;
  if (!free) return { ok: false, refusal: { rule: "tooManyPartnerContacts", max: MAX_PARTNER_CONTACTS } };
  return { ok: true, slot: free };
}

/** Whether an email belongs to the partner (identity: only the partner's people may use the bot). */
export function inPartnerDomains(email: string, domains: readonly string[]): boolean {
  const parts = email.trim().toLowerCase().split("@");
  // Exactly one "@": "x@partner.example@other.example" must not pass as the partner's.
  if (parts.length !== 2 || parts[0] === "") return false;
  const domain = parts[1]!;
  return domains.some((d) => domain === d || domain.endsWith(`.${d}`));
}
