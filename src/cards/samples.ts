import type { AlertKind } from "../domain/recommendations.js";
import type { ActivityView, AlertView, CardViews, ListItem } from "../protocol/views.js";

/**
 * One sample view model per card: what validateAllTemplates() renders at start-up, what
 * the tests start from, and what a preview can show. Realistic, not minimal: every optional
 * part a card can show is filled in somewhere.
 */

const LCA = "https://lifecycle.cisco.example/use-cases/5012";

const baseAlert: AlertView = {
  alertId: 701,
  alertVersion: 3,
  kind: "stalled",
  reminder: 0,
  facts: { daysInStage: 62, threshold: 45, stage: "implement" },
  customer: { crPartyId: "100200300", name: "Acme Logistics GmbH" },
  deployment: {
    rowId: 41,
    deploymentId: "DEP8812A",
    version: 2,
    installSite: "Berlin HQ",
    assignedCsm: { name: "Anna Petrova", email: "anna.petrova@partner.example" },
  },
  useCase: {
    id: 5012,
    version: 7,
    architecture: "Networking",
    solutionDomain: "Campus Network",
    name: "Campus Network Automation",
    stage: "implement",
    stageEnteredOn: "2025-01-01",
    addedOn: "2024-11-15",
    telemetry: true,
    tags: ["Enterprise", "DACH"],
    cpiEligible: true,
  },
  lcaUrl: LCA,
};

/** A sample alert of each kind. */
export const SAMPLE_ALERTS: Record<AlertKind, AlertView> = {
  stalled: baseAlert,
  new_use_case: {
    ...baseAlert,
    alertId: 702,
    kind: "new_use_case",
    facts: { stage: "onboard" },
    useCase: { ...baseAlert.useCase, stage: "onboard", stageEnteredOn: "2025-02-20", addedOn: "2025-02-20", tags: [] },
    deployment: { ...baseAlert.deployment, assignedCsm: null },
  },
  bounced_contact: {
    ...baseAlert,
    alertId: 703,
    kind: "bounced_contact",
    facts: { stage: "implement", contactEmail: "it-lead@acme-logistics.example", contactName: "Jonas Weber", barrier: "hard_bounce", contactSlot: 1 },
  },
  missing_contact: {
    ...baseAlert,
    alertId: 704,
    kind: "missing_contact",
    facts: { stage: "use", daysInStage: 12 },
    useCase: { ...baseAlert.useCase, stage: "use", stageEnteredOn: "2025-02-20" },
  },
  regression: {
    ...baseAlert,
    alertId: 705,
    kind: "regression",
    facts: { stage: "implement", fromStage: "use", toStage: "implement", daysInStage: 3 },
    useCase: { ...baseAlert.useCase, stageEnteredOn: "2025-02-28" },
    state: { status: "open", actedBy: "Anna Petrova", lastAction: "meeting_scheduled", at: "2025-03-03T09:15:00Z" },
  },
};

export function sampleListItems(count: number): ListItem[] {
  return Array.from({ length: count }, (_, i) => ({
    useCaseId: 5000 + i,
    customer: { crPartyId: String(100200300 + i), name: `Customer ${i + 1} AG` },
    deploymentId: `DEP${1000 + i}`,
    useCase: { architecture: "Networking", solutionDomain: "Campus Network", name: i % 2 ? "Campus Network Assurance" : "Campus Network Automation" },
    stage: "implement",
    daysInStage: 46 + i,
    threshold: 45,
    stalled: true,
    addedOn: "2025-02-01",
    assignedCsm: i % 3 ? { name: "Anna Petrova", email: "anna.petrova@partner.example" } : null,
    contact: i % 2 ? { email: `ops${i}@customer.example`, barrier: "hard_bounce" } : { barrier: "missing" },
    lcaUrl: `https://lifecycle.cisco.example/use-cases/${5000 + i}`,
  }));
}

/** What people did on the sample use case, newest first: every kind of entry, one of them the bot's. */
const SAMPLE_ACTIVITY: ActivityView = {
  entries: [
    { at: "2025-03-04T09:15:00Z", by: "James Lee", action: "alert.note", chat: "slack", comment: "Asked their partner manager for the network team's contact.", useCase: "Campus Network Automation" },
    { at: "2025-03-03T06:00:00Z", by: null, action: "alert.escalated", detail: "1", chat: null, useCase: "Campus Network Automation" },
    { at: "2025-02-25T10:30:00Z", by: "Anna Petrova", action: "rec.act", detail: "contacted_customer", chat: "webex", comment: "Waiting for their network team.", useCase: "Campus Network Automation" },
    { at: "2025-02-20T08:00:00Z", by: "Anna Petrova", action: "alert.snooze", detail: "2025-02-27T08:00:00Z", chat: "webex", useCase: "Campus Network Automation" },
    { at: "2025-02-19T16:45:00Z", by: "James Lee", action: "usecase.assign", detail: "Anna Petrova", chat: "preview", useCase: null },
    { at: "2025-02-18T12:00:00Z", by: "Anna Petrova", action: "contact.update", detail: "it-lead@acme-logistics.example", chat: "slack", useCase: "Campus Network Automation" },
  ],
  older: 3,
};

export const SAMPLE_VIEWS: CardViews = {
  "alert.new_use_case": SAMPLE_ALERTS.new_use_case,
  "alert.stalled": SAMPLE_ALERTS.stalled,
  "alert.bounced_contact": SAMPLE_ALERTS.bounced_contact,
  "alert.missing_contact": SAMPLE_ALERTS.missing_contact,
  "alert.regression": SAMPLE_ALERTS.regression,
  "usecase.detail": {
    customer: baseAlert.customer,
    deployment: { ...baseAlert.deployment, lead: true },
    useCase: { ...baseAlert.useCase, dcc: true, adoptionPartner: "Partner Example Ltd", renewalOn: "2026-06-30", excluded: false },
    daysInStage: 62,
    threshold: 45,
    stalled: true,
    contacts: [
      { source: "cisco", slot: 0, email: "procurement@acme-logistics.example", barrier: "none" },
      { source: "partner", slot: 1, name: "Jonas Weber", email: "it-lead@acme-logistics.example", barrier: "hard_bounce" },
    ],
    recommendation: {
      kind: "find_adoption_barrier",
      status: "open",
      actions: [{ action: "contacted_customer", by: "Anna Petrova", at: "2025-02-25T10:30:00Z", comment: "Waiting for their network team." }],
    },
    openAlert: { alertId: 701, version: 3, kind: "stalled" },
    history: [
      { fromStage: null, toStage: "onboard", enteredOn: "2024-11-15" },
      { fromStage: "onboard", toStage: "implement", enteredOn: "2025-01-01" },
    ],
    activity: SAMPLE_ACTIVITY,
    lcaUrl: LCA,
  },
  escalation: {
    alertId: 701,
    kind: "stalled",
    step: 1,
    customer: baseAlert.customer,
    useCase: baseAlert.useCase,
    deployment: baseAlert.deployment,
    openedOn: "2025-02-17",
    daysOpen: 15,
    csms: [
      { name: "Anna Petrova", email: "anna.petrova@partner.example" },
      { name: "James Lee", email: "james.lee@partner.example" },
    ],
    lcaUrl: LCA,
  },
  history: { customer: baseAlert.customer, deploymentId: "DEP8812A", activity: SAMPLE_ACTIVITY },
  "customer.summary": {
    customer: { crPartyId: "100200300", name: "Acme Logistics GmbH", cxbu: "Acme Group", ea: true, theater: "EMEA" },
    deployments: [
      {
        rowId: 41,
        deploymentId: "DEP8812A",
        installSite: "Berlin HQ",
        assignedCsm: { name: "Anna Petrova", email: "anna.petrova@partner.example" },
        lead: true,
        useCases: [
          { id: 5012, architecture: "Networking", solutionDomain: "Campus Network", name: "Campus Network Automation", stage: "implement", daysInStage: 62, threshold: 45, stalled: true, cpiEligible: true },
          { id: 5013, architecture: "Networking", solutionDomain: "Campus Network", name: "Campus Network Assurance", stage: "use", daysInStage: 21, threshold: 60, stalled: false },
        ],
      },
      {
        rowId: 42,
        deploymentId: "DEP8813B",
        installSite: null,
        assignedCsm: null,
        useCases: [{ id: 5020, architecture: "Security", solutionDomain: "Zero Trust", name: "Secure Access", stage: "onboard", daysInStage: 1, threshold: 30, stalled: false }],
      },
    ],
    lcaUrl: LCA,
  },
  list: { kind: "stalled", query: "stalled", page: 1, pageCount: 3, total: 25, items: sampleListItems(10) },
  "form.contact": {
    useCaseId: 5012,
    useCaseVersion: 7,
    customer: baseAlert.customer,
    useCase: baseAlert.useCase,
    partnerContacts: [{ slot: 1, email: "it-lead@acme-logistics.example", name: "Jonas Weber", barrier: "hard_bounce" }],
  },
  "form.action": { alertId: 701, alertVersion: 3, kind: "stalled", customer: baseAlert.customer, useCase: baseAlert.useCase },
  "form.assign": {
    deployment: baseAlert.deployment,
    customer: baseAlert.customer,
    csms: [
      { name: "Anna Petrova", email: "anna.petrova@partner.example" },
      { name: "Ivan Sokolov", email: "ivan.sokolov@partner.example" },
    ],
  },
  help: {
    commands: [
      { command: "stalled", description: { key: "cards.list.title.stalled" } },
      { command: "new", description: { key: "cards.list.title.new" } },
      { command: "contacts", description: { key: "cards.list.title.contacts" } },
      { command: "mine", description: { key: "cards.list.title.mine" } },
    ],
    note: { key: "commands.help.mention", params: { example: "@LCA stalled" } },
  },
  receipt: {
    outcome: { key: "assigned", params: { name: "Anna Petrova" } },
    actorName: "Anna Petrova",
    at: "2025-03-04T13:02:00Z",
    subject: { customer: "Acme Logistics GmbH", useCase: "Campus Network Automation" },
  },
  digest: {
    date: "2025-03-04",
    counts: { stalled: 12, new_use_case: 3, bounced_contact: 2, missing_contact: 1, regression: 1 },
    top: [
      { alertId: 701, kind: "stalled", customer: baseAlert.customer, useCase: baseAlert.useCase, stage: "implement", daysInStage: 62, threshold: 45, lcaUrl: LCA },
      { alertId: 703, kind: "bounced_contact", customer: baseAlert.customer, useCase: baseAlert.useCase, stage: "implement", contactEmail: "it-lead@acme-logistics.example", barrier: "hard_bounce" },
      { alertId: 705, kind: "regression", customer: baseAlert.customer, useCase: baseAlert.useCase, stage: "implement", fromStage: "use", toStage: "implement" },
    ],
  },
  summary: {
    counts: { new_use_case: 2, stalled: 3, bounced_contact: 1, missing_contact: 0, regression: 1 },
    items: [
      SAMPLE_ALERTS.stalled,
      { ...SAMPLE_ALERTS.stalled, alertId: 702, state: { status: "open", actedBy: "Anna Petrova", lastAction: "assigned", at: "2025-03-04T12:00:00Z" } },
      { ...SAMPLE_ALERTS.stalled, alertId: 704 },
      SAMPLE_ALERTS.new_use_case,
      { ...SAMPLE_ALERTS.new_use_case, alertId: 706 },
      SAMPLE_ALERTS.bounced_contact,
      SAMPLE_ALERTS.regression,
    ],
    page: 1,
    pages: 1,
  },
  notice: { tone: "warning", title: { key: "cards.alertKind.missing_contact" }, text: { key: "cards.recommendation.update_contact" } },
  welcome: { partner: "Partner Example Ltd", help: "@LCA help", serves: true, teamSpace: "Team Enterprise" },
  home: {
    csmName: "Anna Petrova",
    counts: { new_use_case: 1, stalled: 4, bounced_contact: 1, missing_contact: 0, regression: 1 },
    urgent: [SAMPLE_ALERTS.stalled, SAMPLE_ALERTS.regression, SAMPLE_ALERTS.bounced_contact, SAMPLE_ALERTS.new_use_case],
    settings: { locale: "en", digestEnabled: true, digestTime: "08:00", timeZone: "Europe/Berlin", subscribedKinds: ["stalled", "bounced_contact", "regression"] },
  },
  team: {
    date: "2025-03-03",
    week: "2025-W10",
    csms: [
      {
        name: "Anna Petrova",
        email: "anna.petrova@partner.example",
        counts: { new_use_case: 1, stalled: 4, bounced_contact: 1, missing_contact: 0, regression: 1 },
        oldestStalled: { customer: baseAlert.customer, useCase: baseAlert.useCase, deploymentId: "DEP8812A", stage: "implement", daysOver: 17 },
      },
      { name: "James Lee", email: "james.lee@partner.example", counts: { new_use_case: 2, stalled: 0, bounced_contact: 0, missing_contact: 1, regression: 0 }, oldestStalled: null },
    ],
    totals: { new_use_case: 4, stalled: 6, bounced_contact: 1, missing_contact: 2, regression: 1 },
    unassigned: { count: 3, top: [{ deploymentId: "DEP9001C", customer: { crPartyId: "100200399", name: "Nordwind Shipping AG" }, openAlerts: 2 }] },
    funnel: [
      { stage: "purchase", count: 12 },
      { stage: "onboard", count: 30 },
      { stage: "implement", count: 41 },
      { stage: "use", count: 25 },
      { stage: "engage", count: 14 },
      { stage: "adopt", count: 9 },
      { stage: "optimize", count: 4 },
    ],
    weeks: [
      { week: "2025-W03", monday: "2025-01-13", stalled: null },
      { week: "2025-W04", monday: "2025-01-20", stalled: null },
      { week: "2025-W05", monday: "2025-01-27", stalled: 3 },
      { week: "2025-W06", monday: "2025-02-03", stalled: 5 },
      { week: "2025-W07", monday: "2025-02-10", stalled: 4 },
      { week: "2025-W08", monday: "2025-02-17", stalled: 7 },
      { week: "2025-W09", monday: "2025-02-24", stalled: 6 },
      { week: "2025-W10", monday: "2025-03-03", stalled: 6 },
    ],
  },
};

/** The render context the samples are meant for: times fall on "today". */
export const SAMPLE_NOW = new Date("2025-03-04T15:00:00Z");
