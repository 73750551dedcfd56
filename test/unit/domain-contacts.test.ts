import { describe, expect, it } from "vitest";
import { checkContactChange } from "../../src/domain/contacts.js";

const change = (slot: number | undefined, usedPartnerSlots: number[]) =>
  checkContactChange({ email: "someone@customer.example", slot, partnerDomains: ["partner.example"], usedPartnerSlots, knownBarrier: undefined });

describe("the partner slot a chat contact lands in", () => {
  it("is the first free slot for a new contact, even when slot 2 was named: the ingest reads a lone contact as slot 1", () => {
    expect(change(2, [])).toEqual({ ok: true, slot: 1 });
    expect(change(undefined, [])).toEqual({ ok: true, slot: 1 });
    expect(change(2, [1])).toEqual({ ok: true, slot: 2 });
    expect(change(1, [])).toEqual({ ok: true, slot: 1 });
  });
  it("is the named slot when it holds a contact to replace", () => {
    expect(change(2, [1, 2])).toEqual({ ok: true, slot: 2 });
    expect(change(2, [2])).toEqual({ ok: true, slot: 2 });
    expect(change(1, [1, 2])).toEqual({ ok: true, slot: 1 });
    expect(change(undefined, [1, 2])).toMatchObject({ ok: false, refusal: { rule: "tooManyPartnerContacts" } });
  });
});
