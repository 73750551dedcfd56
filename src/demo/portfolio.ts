/**
 * A deterministic generator of LCA use-case portfolios (full snapshots, see
 * ../../shared/lca-export-format.md), for the demo data set, tests and benchmarks.
 *
 * Pure: no I/O, no clock, no Math.random. The same options always give the same rows.
 * Each customer draws from its own PRNG stream derived from (seed, customer index), so a
 * customer's rows do not depend on how many customers come before it, and the streaming
 * form (`generateRowStream`) yields exactly the rows `generatePortfolio` returns.
 */
import { catalogKey, USE_CASE_CATALOG, type CatalogUseCase } from "../domain/catalog.js";
import { addDays, daysBetween, type IsoDate } from "../domain/dates.js";
import type { DeliveryBarrier, SnapshotContact, SnapshotRow } from "../domain/snapshot.js";
import { DEFAULT_STALL_THRESHOLDS, STAGES, type Stage } from "../domain/stages.js";

// ---------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes several integers into one 32-bit seed (murmur3-style finaliser). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x9e3779b1);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A seeded random source with the helpers the generator needs. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.pick: empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks an index by weight. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** A string of `count` decimal digits (leading zeros allowed). */
  digits(count: number): string {
    let out = "";
    for (let i = 0; i < count; i++) out += String(Math.floor(this.next() * 10));
    return out;
  }
}

// ---------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------

export interface Portfolio {
  asOf: IsoDate;
  rows: SnapshotRow[];
}

export interface PortfolioOptions {
  seed: number;
  /** Number of customers (CR Party IDs); each has 1–4 deployments of 1–6 use cases. */
  customers: number;
  /** The snapshot date: days in stage, "added in the last 30 days" etc. are relative to it. */
  asOf: IsoDate;
  /** CSMs deployments are assigned to (~10% of deployments stay unassigned). */
  csmEmails: readonly string[];
  /** The partner's own email domain: partner contacts are never in it. */
  partnerDomain: string;
  /** Segmentation tags to draw from; default ["Enterprise","Commercial","Public Sector","Strategic"]. */
  tags?: readonly string[];
  /** Stop after this many rows (for benchmarks wanting an exact row count). */
  maxRows?: number;
  /** The adoption partner name written on most rows; default derived from partnerDomain. */
  partnerName?: string;
}

export interface NextDayOptions {
  seed: number;
  /** The date of the new snapshot (after the portfolio's asOf). */
  asOf: IsoDate;
  /** Share of rows that change (0–1): modified, removed, or followed by a newly added use case. */
  changeRate: number;
}

export const DEFAULT_TAGS: readonly string[] = ["Enterprise", "Commercial", "Public Sector", "Strategic"];

/** Roughly how many rows one customer yields on average (for sizing `customers`). */
export const AVERAGE_ROWS_PER_CUSTOMER = 7;

// ---------------------------------------------------------------------------------------
// Distribution knobs
// ---------------------------------------------------------------------------------------

const STAGE_WEIGHTS: Record<Stage, number> = {
  purchase: 12,
  onboard: 14,
  implement: 18,
  use: 17,
  engage: 14,
  adopt: 13,
  optimize: 12,
};
const STAGE_WEIGHT_LIST = STAGES.map((s) => STAGE_WEIGHTS[s]);
/** Chance a non-Optimize, not recently added row is past its stall threshold (→ ~19% overall). */
const STALL_CHANCE = 0.235;
/** Chance a row was added in the last 30 days. */
const RECENT_CHANCE = 0.08;
const DEPLOYMENT_COUNT_WEIGHTS = [35, 30, 20, 15]; // 1..4
const USE_CASES_PER_DEPLOYMENT_WEIGHTS = [15, 20, 22, 18, 15, 10]; // 1..6
const UNASSIGNED_CSM_CHANCE = 0.1;
const CISCO_BARRED_CHANCE = 0.1;
const PARTNER_BARRED_CHANCE = 0.04;
const NO_USABLE_CONTACT_CHANCE = 0.05;
const CUSTOMER_EXCLUDED_CHANCE = 0.015;
const ROW_EXCLUDED_CHANCE = 0.015;

// ---------------------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------------------

type Lang = "en" | "de" | "fr" | "es" | "it" | "nl" | "pl" | "sv" | "ru";

const CITIES: Record<Lang, readonly string[]> = {
  en: [
    "Austin US", "New York US", "Chicago US", "Seattle US", "Atlanta US", "Denver US", "Boston US",
    "San Jose US", "Dallas US", "Toronto CA", "London GB", "Manchester GB", "Dublin IE", "Sydney AU",
  ],
  de: ["Berlin DE", "Munich DE", "Hamburg DE", "Frankfurt DE", "Stuttgart DE", "Cologne DE", "Vienna AT", "Zurich CH"],
  fr: ["Paris FR", "Lyon FR", "Toulouse FR", "Marseille FR", "Brussels BE", "Geneva CH"],
  es: ["Madrid ES", "Barcelona ES", "Valencia ES", "Seville ES", "Bilbao ES"],
  it: ["Milan IT", "Rome IT", "Turin IT", "Bologna IT", "Naples IT"],
  nl: ["Amsterdam NL", "Rotterdam NL", "Utrecht NL", "Eindhoven NL", "Antwerp BE"],
  pl: ["Warsaw PL", "Krakow PL", "Gdansk PL", "Wroclaw PL", "Poznan PL"],
  sv: ["Stockholm SE", "Gothenburg SE", "Malmo SE", "Oslo NO", "Copenhagen DK", "Helsinki FI"],
  ru: [
    "Moscow RU", "Saint Petersburg RU", "Yekaterinburg RU", "Kazan RU", "Novosibirsk RU",
    "Nizhny Novgorod RU", "Samara RU", "Krasnoyarsk RU",
  ],
};

const EN_PREFIXES = [
  "Northwind", "Contoso", "Fabrikam", "Tailspin", "Woodgrove", "Litware", "Proseware", "Coho", "Lucerne",
  "Adatum", "Alpine", "Blue Yonder", "Wide World", "Fourth Coffee", "Summit", "Pinnacle", "Harbor",
  "Redwood", "Granite", "Silverline", "Evergreen", "Keystone", "Meridian", "Atlas", "Beacon", "Cedar",
  "Horizon", "Lakeside", "Ironbridge", "Oakridge", "Riverside", "Stonegate", "Bluewater", "Clearwater",
  "Highland", "Greenfield", "Westbrook", "Eastgate", "Crescent", "Falcon",
];
const EN_SUFFIXES = [
  "Logistics", "Health", "Retail", "Energy", "Bank", "Insurance", "Manufacturing", "Foods", "Pharma",
  "Airlines", "Telecom", "Motors", "Hotels", "University", "Steel", "Chemicals", "Media", "Capital",
  "Systems", "Utilities", "Hospital", "Schools", "County", "Airport", "Credit Union", "Shipping",
];
const EN_FORMS = ["", "", "", " Inc", " LLC", " Ltd", " plc", " Corp", " & Co"];

/** European companies: [prefixes, suffixes] per language. */
const EU_PARTS: Record<Exclude<Lang, "en" | "ru">, readonly [readonly string[], readonly string[]]> = {
  de: [
    ["Rheinland", "Hanse", "Alpen", "Nordsee", "Spree", "Mainfranken", "Schwarzwald", "Elbtal"],
    ["Logistik GmbH", "Energie AG", "Versicherung AG", "Maschinenbau GmbH", "Kliniken GmbH", "Handel GmbH", "Bau AG", "Stadtwerke GmbH"],
  ],
  fr: [
    ["Lumière", "Provence", "Atlantique", "Garonne", "Beaujolais", "Côte d'Azur"],
    ["Santé", "Énergie SA", "Assurances", "Transports SAS", "Banque", "Distribution SA"],
  ],
  es: [
    ["Ibérica", "Cantábrico", "Levante", "Meseta", "Guadalquivir"],
    ["Logística S.L.", "Energía S.A.", "Seguros", "Alimentación S.A.", "Hospitales"],
  ],
  it: [
    ["Adriatica", "Lombarda", "Toscana", "Dolomiti", "Tirrenica"],
    ["Trasporti S.p.A.", "Energia S.p.A.", "Assicurazioni", "Alimentari S.r.l.", "Banca"],
  ],
  nl: [
    ["Zeeland", "Hollandse", "Amstel", "Maas", "Veluwe"],
    ["Transport B.V.", "Energie N.V.", "Verzekeringen", "Zorggroep", "Havenbedrijf"],
  ],
  pl: [
    ["Wisła", "Mazowsze", "Bałtyk", "Tatry", "Odra"],
    ["Energia S.A.", "Logistyka Sp. z o.o.", "Ubezpieczenia", "Bank", "Szpital"],
  ],
  sv: [
    ["Nordlys", "Fjäll", "Skärgård", "Norrland", "Öresund"],
    ["Energi AB", "Logistik AB", "Försäkring AB", "Sjukhus", "Bank AB"],
  ],
};

/** A few hand-written names exercising CSV quoting (commas, ampersands, apostrophes). */
const SPECIAL_NAMES: ReadonlyArray<readonly [name: string, lang: Lang]> = [
  ["Müller, Schmidt & Partner GmbH", "de"],
  ["Smith, Jones & Associates", "en"],
  ["O'Brien Freight Ltd", "en"],
  ["Margie's Travel", "en"],
  ["Dupont, Martin et Fils", "fr"],
];

const RU_LATIN_PREFIXES = ["Ural", "Volga", "Sibir", "Neva", "Kama", "Altai", "Baikal", "Taiga", "Amur", "Oka"];
const RU_LATIN_SUFFIXES = ["Steel", "Energy", "Telecom", "Logistics", "Pharma", "Bank", "Retail", "Machinery"];
const RU_CYR_PREFIXES = ["Урал", "Волга", "Сибирь", "Нева", "Кама", "Алтай", "Байкал", "Тайга"];
const RU_CYR_SUFFIXES = ["сталь", "энерго", "телеком", "логистик", "фарм", "банк", "ритейл", "маш"];
const RU_FORMS = ["", "", "АО ", "ООО ", "ПАО "];

const FIRST_NAMES: Record<Exclude<Lang, "ru">, readonly string[]> = {
  en: ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Sarah", "Daniel", "Emily", "Chris", "Laura", "Kevin", "Priya"],
  de: ["Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie", "Jürgen", "Katrin"],
  fr: ["Pierre", "Camille", "Julien", "Chloé", "Antoine", "Élodie", "Nicolas", "Manon"],
  es: ["Javier", "Lucía", "Carlos", "María", "Alejandro", "Sofía", "Pablo", "Carmen"],
  it: ["Marco", "Giulia", "Luca", "Francesca", "Matteo", "Chiara", "Andrea", "Sara"],
  nl: ["Jan", "Sanne", "Pieter", "Femke", "Daan", "Lotte", "Bram", "Eva"],
  pl: ["Piotr", "Agnieszka", "Tomasz", "Katarzyna", "Paweł", "Magdalena", "Łukasz", "Anna"],
  sv: ["Erik", "Ingrid", "Lars", "Astrid", "Johan", "Karin", "Nils", "Elin"],
};
const LAST_NAMES: Record<Exclude<Lang, "ru">, readonly string[]> = {
  en: ["Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Clark", "Lewis", "Walker", "Young", "King", "Patel", "Nguyen"],
  de: ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann"],
  fr: ["Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Fontaine", "Rousseau", "Bernard"],
  es: ["García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres"],
  it: ["Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti"],
  nl: ["de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "de Boer", "Mulder"],
  pl: ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański"],
  sv: ["Andersson", "Lindqvist", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson"],
};
const RU_MALE_FIRST = ["Иван", "Алексей", "Дмитрий", "Сергей", "Михаил", "Андрей", "Николай", "Павел"];
const RU_FEMALE_FIRST = ["Анна", "Ольга", "Елена", "Мария", "Наталья", "Татьяна", "Ирина", "Екатерина"];
const RU_LAST: ReadonlyArray<readonly [male: string, female: string]> = [
  ["Смирнов", "Смирнова"], ["Иванов", "Иванова"], ["Кузнецов", "Кузнецова"], ["Попов", "Попова"],
  ["Соколов", "Соколова"], ["Лебедев", "Лебедева"], ["Морозов", "Морозова"], ["Волков", "Волкова"],
  ["Новиков", "Новикова"], ["Фёдоров", "Фёдорова"],
];
/** Role mailboxes, like the sample export's "IT Director" / it.director@… */
const ROLE_CONTACTS: ReadonlyArray<readonly [name: string, local: string]> = [
  ["IT Director", "it.director"],
  ["Network Lead", "netlead"],
  ["Security Operations", "secops"],
  ["IT Service Desk", "servicedesk"],
];

const OTHER_ADOPTION_PARTNERS = ["Northstar Integration GmbH", "Bluewave Networks Ltd", "Сетевые решения", "Iberia Systems S.L."];

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

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function defaultPartnerName(partnerDomain: string): string {
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

interface Person {
  name: string;
  email: string;
}

interface Company {
  name: string;
  cxbu: string | null;
  domain: string;
  lang: Lang;
}

function makeCompany(rng: Rng, partnerDomain: string): Company {
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

function makePerson(rng: Rng, lang: Lang, domain: string, taken: Set<string>): Person {
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

function contactOf(person: Person, barrier: DeliveryBarrier = "none"): SnapshotContact {
  return { name: person.name, email: person.email, barrier };
}

function barredBarrier(rng: Rng): DeliveryBarrier {
  return rng.chance(0.6) ? "hard_bounce" : "unsubscribed";
}

function usable(contact: SnapshotContact | null): boolean {
  return contact !== null && contact.barrier === "none";
}

/** True when the row has at least one contact without a delivery barrier. */
export function hasUsableContact(row: SnapshotRow): boolean {
  return usable(row.ciscoContact) || row.partnerContacts.some(usable);
}

/** Days in stage above the stall threshold for the row's stage (Optimize never stalls). */
export function isStalled(row: SnapshotRow, asOf: IsoDate): boolean {
  const threshold = DEFAULT_STALL_THRESHOLDS[row.stage];
  return threshold !== null && daysBetween(row.stageEnteredOn, asOf) > threshold;
}

// ---------------------------------------------------------------------------------------
// Use-case choice
// ---------------------------------------------------------------------------------------

const CATALOG_BY_DOMAIN = new Map<string, number[]>();
USE_CASE_CATALOG.forEach((entry, i) => {
  const key = `${entry.architecture}\u0000${entry.solutionDomain}`;
  const list = CATALOG_BY_DOMAIN.get(key) ?? [];
  list.push(i);
  CATALOG_BY_DOMAIN.set(key, list);
});
/** Networking and Security are the bulk of LCA; weight them up. */
const CATALOG_WEIGHTS = USE_CASE_CATALOG.map((e) =>
  e.architecture === "Networking" ? 3 : e.architecture === "Security" ? 2 : e.architecture === "Cloud and AI Infrastructure" ? 1.5 : 1,
);

function pickUseCases(rng: Rng, count: number): CatalogUseCase[] {
  const chosen: number[] = [];
  const taken = new Set<number>();
  let guard = 0;
  while (chosen.length < count && guard++ < 200) {
    let index: number;
    const last = chosen[chosen.length - 1];
    if (last !== undefined && rng.chance(0.5)) {
      const entry = USE_CASE_CATALOG[last] as CatalogUseCase;
      const siblings = CATALOG_BY_DOMAIN.get(`${entry.architecture}\u0000${entry.solutionDomain}`) ?? [];
      index = rng.pick(siblings);
    } else {
      index = rng.weighted(CATALOG_WEIGHTS);
    }
    if (taken.has(index)) continue;
    taken.add(index);
    chosen.push(index);
  }
  return chosen.map((i) => USE_CASE_CATALOG[i] as CatalogUseCase);
}

// ---------------------------------------------------------------------------------------
// Dates and stages
// ---------------------------------------------------------------------------------------

interface StageDates {
  stage: Stage;
  stageEnteredOn: IsoDate;
  addedOn: IsoDate;
}

function pickStage(rng: Rng): Stage {
  return STAGES[rng.weighted(STAGE_WEIGHT_LIST)] as Stage;
}

function stageDates(rng: Rng, asOf: IsoDate): StageDates {
  const stage = pickStage(rng);
  if (rng.chance(RECENT_CHANCE)) {
    // Added in the last 30 days (never stalled: every threshold is at least 30 days).
    const addedAgo = rng.int(0, 27);
    return { stage, addedOn: addDays(asOf, -addedAgo), stageEnteredOn: addDays(asOf, -rng.int(0, addedAgo)) };
  }
  const threshold = DEFAULT_STALL_THRESHOLDS[stage];
  let daysInStage: number;
  if (threshold === null) daysInStage = rng.int(0, 400);
  else if (rng.chance(STALL_CHANCE)) daysInStage = threshold + 1 + rng.int(0, threshold * 2);
  else daysInStage = rng.int(0, threshold);
  const stageEnteredOn = addDays(asOf, -daysInStage);
  const stageIdx = STAGES.indexOf(stage);
  // Earlier stages took time; the row is in the export since at least 45 days.
  const before = rng.int(0, 20 + stageIdx * 45);
  const addedAgo = Math.max(daysInStage + before, 45 + rng.int(0, 30));
  return { stage, stageEnteredOn, addedOn: addDays(asOf, -addedAgo) };
}

// ---------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------

const CUSTOMER_STREAM = 0x0c057;

/**
 * Yields the rows of a portfolio one by one, without building the array; the same rows
 * (in the same order) `generatePortfolio` returns for the same options.
 */
export function* generateRowStream(options: PortfolioOptions): Generator<SnapshotRow> {
  const tags = options.tags ?? DEFAULT_TAGS;
  const partnerName = options.partnerName ?? defaultPartnerName(options.partnerDomain);
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const seed = options.seed >>> 0;
  const partyOffset = mixSeed(seed, 0x9a27) % 100_000_000;
  let rowNumber = 2;

  for (let c = 0; c < options.customers; c++) {
    if (rowNumber - 2 >= maxRows) return;
    const rng = new Rng(mixSeed(seed, CUSTOMER_STREAM, c));
    // 9 digits, unique per customer index: 7919 is coprime with 10^8.
    const crPartyId = String(300_000_000 + ((partyOffset + c * 7919) % 100_000_000));
    const company = makeCompany(rng, options.partnerDomain);
    const homeCity = rng.pick(CITIES[company.lang]);
    const ea = rng.chance(0.05) ? null : rng.chance(0.25);
    const customerExcluded = rng.chance(CUSTOMER_EXCLUDED_CHANCE);
    const primaryCsm = options.csmEmails.length > 0 ? rng.pick(options.csmEmails) : null;
    const customerTags: string[] = [];
    if (tags.length > 0) {
      const count = rng.weighted([25, 55, 20]);
      for (let i = 0; i < count; i++) {
        const tag = rng.pick(tags);
        if (!customerTags.includes(tag)) customerTags.push(tag);
      }
    }
    const takenEmails = new Set<string>();
    const people: Person[] = [];
    const peopleCount = rng.int(3, 6);
    for (let i = 0; i < peopleCount; i++) people.push(makePerson(rng, company.lang, company.domain, takenEmails));

    const deployments = 1 + rng.weighted(DEPLOYMENT_COUNT_WEIGHTS);
    for (let d = 0; d < deployments; d++) {
      const deploymentId = `DPL${c + 1}${pad(d + 1, 2)}X${rng.int(100, 999)}`;
      const installSite = rng.chance(0.03) ? null : rng.chance(0.7) ? homeCity : rng.pick(CITIES[company.lang]);
      const csmEmail =
        options.csmEmails.length === 0 || rng.chance(UNASSIGNED_CSM_CHANCE)
          ? null
          : rng.chance(0.7)
            ? primaryCsm
            : rng.pick(options.csmEmails);
      const adoptionPartner = rng.chance(0.85) ? partnerName : rng.chance(0.67) ? rng.pick(OTHER_ADOPTION_PARTNERS) : null;
      const ciscoPerson = rng.chance(0.9) ? rng.pick(people) : null;
      const partnerPeople: Person[] = [];
      const partnerCount = rng.weighted([30, 45, 25]);
      for (let i = 0; i < partnerCount; i++) {
        const person = rng.pick(people);
        if (person !== ciscoPerson && !partnerPeople.includes(person)) partnerPeople.push(person);
      }
      const telemetryBias = rng.chance(0.8);

      const useCases = pickUseCases(rng, 1 + rng.weighted(USE_CASES_PER_DEPLOYMENT_WEIGHTS));
      for (const useCase of useCases) {
        if (rowNumber - 2 >= maxRows) return;
        const dates = stageDates(rng, options.asOf);
        const telemetry = rng.chance(telemetryBias ? 0.9 : 0.3);

        let ciscoContact: SnapshotContact | null =
          ciscoPerson && rng.chance(0.95)
            ? contactOf(ciscoPerson, rng.chance(CISCO_BARRED_CHANCE) ? barredBarrier(rng) : "none")
            : null;
        let partnerContacts: SnapshotContact[] = [];
        for (const person of partnerPeople) {
          if (rng.chance(0.85)) partnerContacts.push(contactOf(person, rng.chance(PARTNER_BARRED_CHANCE) ? barredBarrier(rng) : "none"));
        }
        if (rng.chance(NO_USABLE_CONTACT_CHANCE)) {
          if (rng.chance(0.7)) {
            ciscoContact = null;
            partnerContacts = [];
          } else {
            if (!ciscoContact) ciscoContact = contactOf(rng.pick(people), "none");
            ciscoContact.barrier = barredBarrier(rng);
            for (const contact of partnerContacts) contact.barrier = barredBarrier(rng);
          }
        } else if (!usable(ciscoContact) && !partnerContacts.some(usable)) {
          // The partner has added a working contact where Cisco's is missing or barred.
          const used = new Set([ciscoContact?.email, ...partnerContacts.map((p) => p.email)]);
          const person = people.find((p) => !used.has(p.email)) ?? makePerson(rng, company.lang, company.domain, takenEmails);
          if (partnerContacts.length >= 2) partnerContacts.pop();
          partnerContacts.push(contactOf(person));
        }

        yield {
          rowNumber: rowNumber++,
          crPartyId,
          crPartyName: company.name,
          cxbu: company.cxbu,
          deploymentId,
          installSite,
          serialNumber: `FOC${rng.digits(8)}`,
          contractNumber: `${rng.int(1, 9)}${rng.digits(8)}`,
          architecture: useCase.architecture,
          solutionDomain: useCase.solutionDomain,
          useCase: useCase.useCase,
          stage: dates.stage,
          stageEnteredOn: dates.stageEnteredOn,
          addedOn: dates.addedOn,
          telemetry,
          dcc: rng.chance(telemetry ? 0.55 : 0.2),
          adoptionPartner,
          ea,
          cpiEligible: useCase.cpiAvailable ? rng.chance(0.8) : false,
          renewalOn: addDays(options.asOf, rng.int(15, 1100)),
          csmEmail,
          ciscoContact,
          partnerContacts,
          tags: customerTags.length > 0 && rng.chance(0.9) ? [...customerTags] : [],
          excluded: customerExcluded || rng.chance(ROW_EXCLUDED_CHANCE),
        };
      }
    }
  }
}

/** The streaming form under the name the benchmark uses. */
export const generateRows = generateRowStream;

export function generatePortfolio(options: PortfolioOptions): Portfolio {
  const rows: SnapshotRow[] = [];
  for (const row of generateRowStream(options)) rows.push(row);
  return { asOf: options.asOf, rows };
}

// ---------------------------------------------------------------------------------------
// The next snapshot
// ---------------------------------------------------------------------------------------

function cloneRow(row: SnapshotRow): SnapshotRow {
  return {
    ...row,
    ciscoContact: row.ciscoContact ? { ...row.ciscoContact } : null,
    partnerContacts: row.partnerContacts.map((c) => ({ ...c })),
    tags: [...row.tags],
  };
}

/** The identity of a row in a snapshot: (Deployment ID, Architecture, Solution Domain, Use Case). */
export function rowKey(row: { deploymentId: string; architecture: string; solutionDomain: string; useCase: string }): string {
  return `${row.deploymentId}\u0000${catalogKey(row)}`;
}

type Change = "progress" | "regress" | "bounce" | "fix" | "data" | "remove" | "add";
const CHANGES: readonly Change[] = ["progress", "regress", "bounce", "fix", "data", "remove", "add"];
const CHANGE_WEIGHTS = [40, 7, 13, 12, 16, 6, 6];

/**
 * The following snapshot: about `changeRate` of the rows change (stage progressions and
 * regressions with stage entered date = asOf, contact bounces and fixes, other data changes,
 * rows removed as ineligible, use cases newly added with added date = asOf). The input is
 * not mutated; rows are renumbered.
 */
export function nextDay(portfolio: Portfolio, options: NextDayOptions): Portfolio {
  const rng = new Rng(mixSeed(options.seed >>> 0, 0x0d4e));
  const asOf = options.asOf;

  // What a deployment already holds, each customer's email domain, the CSMs in play.
  const byDeployment = new Map<string, Set<string>>();
  const domainByParty = new Map<string, string>();
  const csms: string[] = [];
  const csmSeen = new Set<string>();
  const allTags = new Set<string>();
  for (const row of portfolio.rows) {
    let keys = byDeployment.get(row.deploymentId);
    if (!keys) byDeployment.set(row.deploymentId, (keys = new Set()));
    keys.add(catalogKey(row));
    if (!domainByParty.has(row.crPartyId)) {
      const email = row.ciscoContact?.email ?? row.partnerContacts[0]?.email;
      if (email) domainByParty.set(row.crPartyId, email.slice(email.indexOf("@") + 1));
    }
    if (row.csmEmail && !csmSeen.has(row.csmEmail)) {
      csmSeen.add(row.csmEmail);
      csms.push(row.csmEmail);
    }
    for (const tag of row.tags) allTags.add(tag);
  }
  const tagList = allTags.size > 0 ? [...allTags] : [...DEFAULT_TAGS];

  const newPerson = (row: SnapshotRow): SnapshotContact => {
    const domain = domainByParty.get(row.crPartyId) ?? `${asciiSlug(row.crPartyName, "-") || "customer"}.example`;
    const lang: Lang = /[\u0400-\u04ff]/.test(row.crPartyName) || row.installSite?.endsWith(" RU") ? "ru" : "en";
    const taken = new Set<string>([row.ciscoContact?.email ?? "", ...row.partnerContacts.map((c) => c.email)]);
    const person = makePerson(rng, lang, domain, taken);
    return contactOf(person);
  };

  const bounce = (row: SnapshotRow): boolean => {
    const candidates = [row.ciscoContact, ...row.partnerContacts].filter(usable) as SnapshotContact[];
    if (candidates.length === 0) return false;
    rng.pick(candidates).barrier = rng.chance(0.7) ? "hard_bounce" : "unsubscribed";
    return true;
  };

  const fix = (row: SnapshotRow): boolean => {
    const barredPartner = row.partnerContacts.findIndex((c) => c.barrier !== "none");
    if (barredPartner >= 0) {
      row.partnerContacts[barredPartner] = newPerson(row);
      return true;
    }
    if (!hasUsableContact(row) || (row.ciscoContact && row.ciscoContact.barrier !== "none")) {
      // Cisco contacts cannot be changed by partners: add a partner contact instead.
      if (row.partnerContacts.length >= 2) row.partnerContacts[0] = newPerson(row);
      else row.partnerContacts.push(newPerson(row));
      return true;
    }
    return false;
  };

  const dataChange = (row: SnapshotRow): void => {
    switch (rng.int(0, 5)) {
      case 0:
        row.telemetry = !row.telemetry;
        return;
      case 1:
        row.dcc = !row.dcc;
        return;
      case 2: {
        const others = csms.filter((c) => c !== row.csmEmail);
        if (others.length > 0) {
          row.csmEmail = rng.chance(0.2) && row.csmEmail !== null ? null : rng.pick(others);
          return;
        }
        row.telemetry = !row.telemetry;
        return;
      }
      case 3: {
        const tag = rng.pick(tagList);
        row.tags = row.tags.includes(tag) ? row.tags.filter((t) => t !== tag) : [...row.tags, tag];
        return;
      }
      case 4:
        row.renewalOn = addDays(row.renewalOn ?? asOf, 365);
        return;
      default:
        row.excluded = !row.excluded;
    }
  };

  const addUseCase = (row: SnapshotRow): SnapshotRow | null => {
    const keys = byDeployment.get(row.deploymentId) ?? new Set<string>();
    const free = USE_CASE_CATALOG.filter((e) => !keys.has(catalogKey(e)));
    if (free.length === 0) return null;
    const entry = rng.pick(free);
    keys.add(catalogKey(entry));
    const cisco = row.ciscoContact ? { ...row.ciscoContact, barrier: "none" as const } : null;
    const added: SnapshotRow = {
      ...row,
      serialNumber: `FOC${rng.digits(8)}`,
      contractNumber: `${rng.int(1, 9)}${rng.digits(8)}`,
      architecture: entry.architecture,
      solutionDomain: entry.solutionDomain,
      useCase: entry.useCase,
      stage: rng.chance(0.7) ? "purchase" : "onboard",
      stageEnteredOn: asOf,
      addedOn: asOf,
      cpiEligible: entry.cpiAvailable ? rng.chance(0.8) : false,
      renewalOn: addDays(asOf, rng.int(180, 1100)),
      ciscoContact: cisco,
      partnerContacts: row.partnerContacts.filter(usable).map((c) => ({ ...c })),
      tags: [...row.tags],
      excluded: false,
    };
    if (!hasUsableContact(added)) added.partnerContacts.push(newPerson(added));
    return added;
  };

  const out: SnapshotRow[] = [];
  for (const original of portfolio.rows) {
    if (!rng.chance(options.changeRate)) {
      out.push({ ...original, rowNumber: out.length + 2 }); // nested objects are never written to
      continue;
    }
    let change = CHANGES[rng.weighted(CHANGE_WEIGHTS)] as Change;
    if (change === "remove") {
      byDeployment.get(original.deploymentId)?.delete(catalogKey(original));
      continue;
    }
    const row = cloneRow(original);
    if (change === "add") {
      const added = addUseCase(row);
      row.rowNumber = out.length + 2;
      out.push(row);
      if (added) {
        added.rowNumber = out.length + 2;
        out.push(added);
        continue;
      }
      out.pop();
      change = "data";
    }
    if (change === "regress" && row.stage === "purchase") change = "progress";
    if (change === "progress" && row.stage === "optimize") change = rng.chance(0.3) ? "regress" : "data";
    if (change === "bounce" && !bounce(row)) change = "fix";
    if (change === "fix" && !fix(row)) {
      if (!bounce(row)) change = "data";
    }
    if (change === "progress" || change === "regress") {
      const i = STAGES.indexOf(row.stage) + (change === "progress" ? 1 : -1);
      row.stage = STAGES[i] as Stage;
      row.stageEnteredOn = asOf;
    } else if (change === "data") {
      dataChange(row);
    }
    row.rowNumber = out.length + 2;
    out.push(row);
  }
  return { asOf, rows: out };
}
