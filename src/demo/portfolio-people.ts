/** The customers and people of a portfolio: company names and domains, contacts and their delivery barriers. */
import type { DeliveryBarrier, SnapshotContact, SnapshotRow } from "../domain/snapshot.js";
import type { Rng } from "./portfolio-random.js";
import { EN_FORMS, EN_PREFIXES, EN_SUFFIXES, EU_PARTS, FIRST_NAMES, LAST_NAMES, ROLE_CONTACTS, RU_CYR_PREFIXES, RU_CYR_SUFFIXES, RU_FEMALE_FIRST, RU_FORMS, RU_LAST, RU_LATIN_PREFIXES, RU_LATIN_SUFFIXES, RU_MALE_FIRST, SPECIAL_NAMES, type Lang } from "./portfolio-words.js";

// ---------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------

const CYRILLIC: Record<string, string> = {
  а: "a", б: "b", в: "v", г: "g", д: "d", е: "e", ё: "e", ж: "zh", з: "z", и: "i", й: "y", к: "k",
  л: "l", м: "m", н: "n", о: "o", п: "p", р: "r", с: "s", т: "t", у: "u", ф: "f", х: "kh", ц: "ts",
  ч: "ch", ш: "sh", щ: "shch", ъ: "", ы: "y", ь: "", э: "e", ю: "yu", я: "ya",
};
const SPECIAL_LATIN: Record<string, string> = { ß: "ss", ł: "l", ø: "o", æ: "ae", œ: "oe", đ: "d" };

/** Lower-case ASCII letters and digits only (transliterating Cyrillic, stripping accents). */
export function asciiSlug(text: string, separator = ""): string {
  let out = "";
  for (const ch of text.toLowerCase()) {
    const mapped = CYRILLIC[ch] ?? SPECIAL_LATIN[ch] ?? ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    out += /^[a-z0-9]+$/.test(mapped) ? mapped : mapped === "" ? "" : " ";
  }
  return out.trim().split(/\s+/).filter(Boolean).join(separator);
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

export function defaultPartnerName(partnerDomain: string): string {
  const words = partnerDomain.split(".").filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return `${words.join(" ")} Ltd`;
}

function inDomain(email: string, domain: string): boolean {
  const d = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  const p = domain.toLowerCase();
  return d === p || d.endsWith(`.${p}`);
}

// ---------------------------------------------------------------------------------------
// Customers
// ---------------------------------------------------------------------------------------

export interface Person {
  name: string;
  email: string;
}

interface Company {
  name: string;
  cxbu: string | null;
  domain: string;
  lang: Lang;
}

export function makeCompany(rng: Rng, partnerDomain: string): Company {
  const family = rng.weighted([58, 24, 15, 3]);
  let company: Company;
  if (family === 0) {
    const prefix = rng.pick(EN_PREFIXES);
    const suffix = rng.pick(EN_SUFFIXES);
    company = {
      name: `${prefix} ${suffix}${rng.pick(EN_FORMS)}`,
      cxbu: rng.chance(0.85) ? rng.pick([`${prefix} Group`, `${prefix} Holdings`, prefix]) : null,
      domain: `${asciiSlug(prefix)}-${asciiSlug(suffix)}.example`,
      lang: "en",
    };
  } else if (family === 1) {
    const lang = rng.pick(Object.keys(EU_PARTS) as Array<keyof typeof EU_PARTS>);
    const [prefixes, suffixes] = EU_PARTS[lang];
    const prefix = rng.pick(prefixes);
    const suffix = rng.pick(suffixes);
    company = {
      name: `${prefix} ${suffix}`,
      cxbu: rng.chance(0.8) ? `${prefix} ${lang === "de" ? "Gruppe" : "Group"}` : null,
      domain: `${asciiSlug(prefix)}-${asciiSlug(suffix.split(" ")[0] ?? suffix)}.example`,
      lang,
    };
  } else if (family === 2) {
    if (rng.chance(0.5)) {
      const prefix = rng.pick(RU_LATIN_PREFIXES);
      const suffix = rng.pick(RU_LATIN_SUFFIXES);
      company = {
        name: `${prefix} ${suffix}`,
        cxbu: rng.chance(0.8) ? `${prefix} Holding` : null,
        domain: `${asciiSlug(prefix)}${asciiSlug(suffix)}.example`,
        lang: "ru",
      };
    } else {
      const i = rng.int(0, RU_CYR_PREFIXES.length - 1);
      const prefix = RU_CYR_PREFIXES[i] as string;
      const suffix = rng.pick(RU_CYR_SUFFIXES);
      const form = rng.pick(RU_FORMS);
      const core = `${prefix}${suffix}`;
      company = {
        name: form ? `${form}«${core}»` : core,
        cxbu: rng.chance(0.8) ? `Группа «${prefix}»` : null,
        domain: `${asciiSlug(core)}.example`,
        lang: "ru",
      };
    }
  } else {
    const [name, lang] = rng.pick(SPECIAL_NAMES);
    company = { name, cxbu: rng.chance(0.5) ? name.split(/[ ,]/)[0] ?? null : null, domain: `${asciiSlug(name, "-")}.example`, lang };
  }
  if (inDomain(`x@${company.domain}`, partnerDomain) || inDomain(`x@${partnerDomain}`, company.domain)) {
    company.domain = `customer-${company.domain}`;
  }
  return company;
}

function personName(rng: Rng, lang: Lang): string {
  if (lang === "ru") {
    const female = rng.chance(0.5);
    const last = rng.pick(RU_LAST);
    return `${rng.pick(female ? RU_FEMALE_FIRST : RU_MALE_FIRST)} ${female ? last[1] : last[0]}`;
  }
  return `${rng.pick(FIRST_NAMES[lang])} ${rng.pick(LAST_NAMES[lang])}`;
}

export function makePerson(rng: Rng, lang: Lang, domain: string, taken: Set<string>): Person {
  let name: string;
  let local: string;
  if (rng.chance(0.15)) {
    const [roleName, roleLocal] = rng.pick(ROLE_CONTACTS);
    name = roleName;
    local = roleLocal;
  } else {
    name = personName(rng, lang);
    local = asciiSlug(name, ".");
  }
  let email = `${local}@${domain}`;
  for (let n = 2; taken.has(email); n++) email = `${local}${n}@${domain}`;
  taken.add(email);
  return { name, email };
}

export function contactOf(person: Person, barrier: DeliveryBarrier = "none"): SnapshotContact {
  return { name: person.name, email: person.email, barrier };
}

export function barredBarrier(rng: Rng): DeliveryBarrier {
  return rng.chance(0.6) ? "hard_bounce" : "unsubscribed";
}

export function usable(contact: SnapshotContact | null): boolean {
  return contact !== null && contact.barrier === "none";
}

/** True when the row has at least one contact without a delivery barrier. */
export function hasUsableContact(row: SnapshotRow): boolean {
  return usable(row.ciscoContact) || row.partnerContacts.some(usable);
}
