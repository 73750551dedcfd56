/** The snapshot after a portfolio: a day's stage moves, bounces, fixes, data changes, removals and additions. */
import { catalogKey, USE_CASE_CATALOG } from "../domain/catalog.js";
import { addDays } from "../domain/dates.js";
import type { SnapshotContact, SnapshotRow } from "../domain/snapshot.js";
import { STAGES, type Stage } from "../domain/stages.js";
import { asciiSlug, contactOf, hasUsableContact, makePerson, usable } from "./portfolio-people.js";
import { mixSeed, Rng } from "./portfolio-random.js";
import { DEFAULT_TAGS, type NextDayOptions, type Portfolio } from "./portfolio-types.js";
import type { Lang } from "./portfolio-words.js";

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
