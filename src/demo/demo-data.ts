/**
 * The demo data set a newcomer meets: a partner (domain partner.example) with six CSMs, two
 * of them Russian speakers, and a few hundred use-case deployments across the whole catalog,
 * every stage, some stalled, some with bounced or missing contacts, some just added.
 * Pure and deterministic: the same asOf always gives the same portfolio.
 */
import { catalogKey, USE_CASE_CATALOG } from "../domain/catalog.js";
import type { IsoDate } from "../domain/dates.js";
import type { SnapshotRow } from "../domain/snapshot.js";
import { generatePortfolio, type Portfolio } from "./portfolio.js";

export interface DemoCsm {
  email: string;
  name: string;
  locale: "en" | "ru";
  timeZone: string;
}

export const DEMO_PARTNER_DOMAIN = "partner.example";
export const DEMO_PARTNER_NAME = "Partner Example Ltd";

export const DEMO_CSMS: readonly DemoCsm[] = Object.freeze([
  { email: "anna.petrova@partner.example", name: "Анна Петрова", locale: "ru", timeZone: "Europe/Moscow" },
  { email: "james.lee@partner.example", name: "James Lee", locale: "en", timeZone: "America/New_York" },
  { email: "dmitry.sokolov@partner.example", name: "Дмитрий Соколов", locale: "ru", timeZone: "Europe/Moscow" },
  { email: "sophie.mueller@partner.example", name: "Sophie Müller", locale: "en", timeZone: "Europe/Berlin" },
  { email: "maria.garcia@partner.example", name: "María García", locale: "en", timeZone: "Europe/Madrid" },
  { email: "oliver.brown@partner.example", name: "Oliver Brown", locale: "en", timeZone: "Europe/London" },
] satisfies DemoCsm[]);

export const DEMO_TAGS: readonly string[] = ["Enterprise", "Commercial", "Public Sector", "Strategic"];

const DEMO_SEED = 20_261_117;
const DEMO_CUSTOMERS = 60;
const DEMO_ROWS = 380;

/** A few hundred use-case deployments for the demo CSMs, relative to `asOf`. */
export function demoPortfolio(asOf: IsoDate): Portfolio {
  const portfolio = generatePortfolio({
    seed: DEMO_SEED,
    customers: DEMO_CUSTOMERS,
    maxRows: DEMO_ROWS,
    asOf,
    csmEmails: DEMO_CSMS.map((c) => c.email),
    partnerDomain: DEMO_PARTNER_DOMAIN,
    partnerName: DEMO_PARTNER_NAME,
    tags: DEMO_TAGS,
  });
  coverWholeCatalog(portfolio.rows);
  return portfolio;
}

/**
 * Makes sure every catalog use case appears at least once: a use case the draw missed takes
 * the place of a row whose use case is plentiful, in a deployment that lacks the missing one.
 */
function coverWholeCatalog(rows: SnapshotRow[]): void {
  const counts = new Map<string, number>();
  const byDeployment = new Map<string, Set<string>>();
  for (const row of rows) {
    const key = catalogKey(row);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    let keys = byDeployment.get(row.deploymentId);
    if (!keys) byDeployment.set(row.deploymentId, (keys = new Set()));
    keys.add(key);
  }
  let cursor = 0;
  for (const entry of USE_CASE_CATALOG) {
    const missing = catalogKey(entry);
    if (counts.has(missing)) continue;
    for (let tries = 0; tries < rows.length; tries++, cursor = (cursor + 7) % rows.length) {
      const row = rows[cursor] as SnapshotRow;
      const key = catalogKey(row);
      const deploymentKeys = byDeployment.get(row.deploymentId) as Set<string>;
      if ((counts.get(key) ?? 0) < 3 || deploymentKeys.has(missing)) continue;
      counts.set(key, (counts.get(key) ?? 0) - 1);
      counts.set(missing, 1);
      deploymentKeys.delete(key);
      deploymentKeys.add(missing);
      row.architecture = entry.architecture;
      row.solutionDomain = entry.solutionDomain;
      row.useCase = entry.useCase;
      if (!entry.cpiAvailable) row.cpiEligible = false;
      break;
    }
  }
}
