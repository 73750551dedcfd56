import { Router } from "express";
import type pg from "pg";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { LCA_CHANGE_STATUSES } from "./domain/writeback.js";
import type { AlertKind } from "./domain/recommendations.js";
import type { Logger } from "./log.js";

/**
 * Prometheus metrics of one process, in its own registry (nothing global from prom-client).
 * Counters are incremented where things happen; the outbox gauges are read from the
 * database on each scrape, so every instance reports the cluster's outbox.
 */
export const registry = new Registry();
registry.setDefaultLabels({ service: "lca-bot" });
// The standard names (process_*, nodejs_*), which dashboards and alerts expect.
collectDefaultMetrics({ register: registry });

export const alertsOpened = new Counter({
  name: "lca_alerts_opened_total",
  help: "Alerts opened, by alert kind.",
  labelNames: ["kind"] as const,
  registers: [registry],
});

export const alertsResolved = new Counter({
  name: "lca_alerts_resolved_total",
  help: "Alerts resolved, by alert kind.",
  labelNames: ["kind"] as const,
  registers: [registry],
});

/** outcome: sent | superseded | retry | rate_limited | dead | released. */
export const sends = new Counter({
  name: "lca_outbox_sends_total",
  help: "Outbox messages handled by the dispatcher, by chat channel and outcome.",
  labelNames: ["channel", "outcome"] as const,
  registers: [registry],
});

export const retries = new Counter({
  name: "lca_outbox_retries_total",
  help: "Sends scheduled to be tried again after a retryable failure (5xx, network, timeout, 429).",
  labelNames: ["channel"] as const,
  registers: [registry],
});

export const rateLimited = new Counter({
  name: "lca_chat_rate_limited_total",
  help: "429 answers received from a chat API.",
  labelNames: ["channel"] as const,
  registers: [registry],
});

export const takeover = new Histogram({
  name: "lca_outbox_takeover_seconds",
  help: "From an instance's last lease renewal (heartbeat) to another instance taking over a message it held: how long a crash stalls a destination.",
  buckets: [0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60],
  registers: [registry],
});

export const skippedResolved = new Counter({
  name: "lca_outbox_skipped_resolved_total",
  help: "Alert cards not sent because the alert was resolved by the time of the last check before the chat call.",
  labelNames: ["channel"] as const,
  registers: [registry],
});

export const cardActionDuration = new Histogram({
  name: "lca_card_action_duration_seconds",
  help: "From a card action (button, form) arriving to its answer being handed back to the chat.",
  labelNames: ["channel", "action"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
  registers: [registry],
});

export const ingestDuration = new Histogram({
  name: "lca_ingest_duration_seconds",
  help: "Duration of applying one LCA snapshot (read, validate, write, alert engine), by what started it.",
  labelNames: ["trigger"] as const,
  buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
  registers: [registry],
});

const OUTBOX_STATES = ["pending", "sending", "failed", "dead"] as const;

export const outboxDepth = new Gauge({
  name: "lca_outbox_depth",
  help: "Outbox messages not yet delivered, by status (read from the database at scrape time).",
  labelNames: ["status"] as const,
  registers: [registry],
});

export const outboxOldestAge = new Gauge({
  name: "lca_outbox_oldest_age_seconds",
  help: "Age of the oldest undelivered (pending, sending or failed) outbox message; 0 when there is none.",
  registers: [registry],
});

export const writebackChanges = new Gauge({
  name: "lca_writeback_changes",
  help: "Changes made in chat for LCA, by status (pending, confirmed, overridden, stale, superseded; read from the database at scrape time).",
  labelNames: ["status"] as const,
  registers: [registry],
});

/** Reads the write-back gauge from the database (also called on each scrape). */
export async function collectWritebackGauge(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ status: string; n: number }>(`SELECT status::text, count(*)::int AS n FROM pending_lca_change GROUP BY status`);
  for (const status of LCA_CHANGE_STATUSES) writebackChanges.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
}

/** Ingest summaries carry counts per alert kind: the lead adds them after each applied snapshot. */
export function countAlerts(summary: { opened: Partial<Record<AlertKind, number>>; resolved: Partial<Record<AlertKind, number>> }): void {
  for (const [kind, n] of Object.entries(summary.opened)) if (n) alertsOpened.inc({ kind }, n);
  for (const [kind, n] of Object.entries(summary.resolved)) if (n) alertsResolved.inc({ kind }, n);
}

/** `trigger`: what applied the snapshot ("refresh", "cli", "demo"): a few values, never a file name. */
export function observeIngest(durationMs: number, trigger: "refresh" | "cli" | "demo" = "refresh"): void {
  ingestDuration.observe({ trigger }, durationMs / 1000);
}

export function observeCardAction(durationMs: number, labels: { channel: string; action: string }): void {
  cardActionDuration.observe(labels, durationMs / 1000);
}

/** Starts a timer for one card action; call the returned function when the answer is out. */
export function startCardActionTimer(labels: { channel: string; action: string }): () => void {
  const started = performance.now();
  return () => observeCardAction(performance.now() - started, labels);
}

/** Reads the outbox gauges from the database (also called on each scrape). */
export async function collectOutboxGauges(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ status: string; n: number; oldest_s: number | null }>(`
    SELECT status::text, count(*)::int AS n,
           extract(epoch FROM now() - min(created_at))::float8 AS oldest_s
    FROM outbox_message
    WHERE status IN ('pending', 'sending', 'failed', 'dead')
    GROUP BY status`);
  for (const status of OUTBOX_STATES) outboxDepth.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
  const ages = rows.filter((r) => r.status !== "dead").map((r) => r.oldest_s ?? 0);
  outboxOldestAge.set(ages.length > 0 ? Math.max(0, ...ages) : 0);
}

/**
 * `GET /metrics` in the Prometheus text format. Mount at "/metrics". When the database does
 * not answer, the outbox gauges are left out of that scrape (absent, not stale) and the
 * failure is logged; the process metrics are still served.
 */
export function metricsRouter(options: { pool: pg.Pool; log?: Logger }): Router {
  const router = Router();
  router.get("/", async (_req, res) => {
    try {
      await collectOutboxGauges(options.pool);
      await collectWritebackGauge(options.pool);
    } catch (error) {
      options.log?.warn({ err: error }, "metrics: cannot read the outbox gauges from the database");
      outboxDepth.reset();
      outboxOldestAge.reset();
      writebackChanges.reset();
    }
    res.setHeader("Content-Type", registry.contentType);
    res.send(await registry.metrics());
  });
  router.all("/", (_req, res) => {
    res.setHeader("Allow", "GET, HEAD");
    res.status(405).json({ error: "method not allowed" });
  });
  router.use((_req, res) => void res.status(404).json({ error: "not found" }));
  return router;
}
