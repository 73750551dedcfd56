/**
 * The LCA Customer Success use-case catalog, as published in the LCA FAQ (seed 000,
 * "Architecture | Solution Domain | Use Case | Available in CPI"). Every row of that table,
 * with the spelling kept exactly as published (including its typos: "Visbility", "Formely",
 * "Respond", "SD- Routing", "Phishing- Resistant"), because exports carry these exact names.
 *
 * Pure data: no I/O, no database types.
 */
export interface CatalogUseCase {
  architecture: string;
  solutionDomain: string;
  useCase: string;
  /** "Available in CPI" (Cisco Partner Incentive) in the seed table. */
  cpiAvailable: boolean;
}

type Row = readonly [solutionDomain: string, useCase: string, cpiAvailable: boolean];

/** Architecture → rows, in the seed's order. */
const TABLE: ReadonlyArray<readonly [architecture: string, rows: readonly Row[]]> = [
  [
    "Cloud and AI Infrastructure",
    [
      ["Data Center Compute", "Hyperconverged Infrastructure", false],
      ["Data Center Compute", "Simplified Operations", true],
      ["Data Center Compute", "Workload Optimization", false],
      ["Data Center Networking", "Data Center Network Operations", true],
      ["Data Center Networking", "Distributed Networking", true],
      ["Data Center Networking", "Distributed Networking with NDFC (DCNM)", true],
      ["Data Center Networking", "Fabric Provisioning and Operations with NDFC (DCNM)", true],
      ["Data Center Networking", "Software Image Management with NDFC (DCNM)", false],
      ["Data Center Networking", "Network Provisioning and Operations", true],
      ["Full Stack Observability", "Hybrid Application Monitoring", false],
    ],
  ],
  [
    "Networking",
    [
      ["Campus Network", "Campus Network Automation", true],
      ["Campus Network", "Campus Network Observability and Insights", true],
      ["Campus Network", "Campus Network Programmability and Integrations", true],
      ["Campus Network", "Campus Network Segmentation", true],
      ["Campus Network", "Campus Network Visibility", true],
      ["Campus Network", "Cloud Management for Catalyst (Formely Cloud Monitoring for Catalyst )", true],
      ["Campus Network", "Internet and Cloud Visbility", true],
      ["Campus Network", "Location Based Intelligence", true],
      ["Meraki Network", "Foundational Networking and Security for Meraki", true],
      ["Meraki Network", "Programmability and Integrations for Meraki", true],
      ["WAN", "SD- Routing", true],
      ["WAN", "Secure Automated WAN", true],
      ["WAN", "Secure Direct Internet Access", false],
    ],
  ],
  [
    "Security",
    [
      ["Cloud & Network Security", "DNS Security", true],
      ["Cloud & Network Security", "Public Cloud Security Policy and Access", true],
      ["Cloud & Network Security", "Internet Edge Protection", true],
      ["Cloud & Network Security", "Data Center Firewall Operations", true],
      ["Integrated Secure Operations", "Endpoint Detection and Respond", false],
      ["Integrated Secure Operations", "Endpoint Protection", false],
      ["Integrated Secure Operations", "Extended Detection and Response", false],
      ["Integrated Secure Operations", "Network Security Analytics", true],
      ["Security Service Edge", "Secure Internet Access", false],
      ["Security Service Edge", "Secure Private Access", false],
      ["Zero Trust", "Network Access Control", true],
      ["Zero Trust", "Protect Cloud Applications with SSO", false],
      ["Zero Trust", "Secure Application Access with Phishing- Resistant MFA", true],
    ],
  ],
  [
    "Internet and Mass Scale Infrastructure",
    [["Service Provider Networking", "XR Flexible Consumption Model", false]],
  ],
];

export const USE_CASE_CATALOG: readonly CatalogUseCase[] = Object.freeze(
  TABLE.flatMap(([architecture, rows]) =>
    rows.map(([solutionDomain, useCase, cpiAvailable]) =>
      Object.freeze({ architecture, solutionDomain, useCase, cpiAvailable }),
    ),
  ),
);

/** The key a use case is identified by in an export: Architecture / Solution Domain / Use Case. */
export function catalogKey(entry: { architecture: string; solutionDomain: string; useCase: string }): string {
  return `${entry.architecture}\u0000${entry.solutionDomain}\u0000${entry.useCase}`;
}
