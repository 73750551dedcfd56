/**
 * A deterministic generator of LCA use-case portfolios (full snapshots, see
 * ../../shared/lca-export-format.md), for the demo data set, tests and benchmarks.
 *
 * Pure: no I/O, no clock, no Math.random. The same options always give the same rows.
 * Each customer draws from its own PRNG stream derived from (seed, customer index), so a
 * customer's rows do not depend on how many customers come before it, and the streaming
 * form (`generateRowStream`) yields exactly the rows `generatePortfolio` returns.
 */
import { addDays } from "../domain/dates.js";
import type { SnapshotContact, SnapshotRow } from "../domain/snapshot.js";
import {
  CISCO_BARRED_CHANCE,
  CUSTOMER_EXCLUDED_CHANCE,
  DEPLOYMENT_COUNT_WEIGHTS,
  NO_USABLE_CONTACT_CHANCE,
  PARTNER_BARRED_CHANCE,
  pickUseCases,
  ROW_EXCLUDED_CHANCE,
  stageDates,
  UNASSIGNED_CSM_CHANCE,
  USE_CASES_PER_DEPLOYMENT_WEIGHTS,
} from "./portfolio-distribution.js";
import { barredBarrier, contactOf, defaultPartnerName, makeCompany, makePerson, pad, usable, type Person } from "./portfolio-people.js";
import { mixSeed, Rng } from "./portfolio-random.js";
import { DEFAULT_TAGS, type Portfolio, type PortfolioOptions } from "./portfolio-types.js";
import { CITIES, OTHER_ADOPTION_PARTNERS } from "./portfolio-words.js";

// The parts, for the callers that import them from here.
export { isStalled } from "./portfolio-distribution.js";
export { nextDay, rowKey } from "./portfolio-next-day.js";
export { asciiSlug, hasUsableContact } from "./portfolio-people.js";
export { mixSeed, mulberry32, Rng } from "./portfolio-random.js";
export * from "./portfolio-types.js";

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
