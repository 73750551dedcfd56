import type pg from "pg";

/** A claim left unfinished this long is a crashed instance's: another may take it over. */
const STALE_CLAIM = "30 minutes";

export interface OnceOptions<T> {
  /** false: the work ran but the slot stays open for a later attempt (e.g. the day's export has not arrived yet). */
  settled?: (result: T) => boolean;
}

/**
 * Runs a scheduled job once per cluster: every instance's timer fires, the first to record
 * (job, slot) runs it, the others see the row and skip. A database row, not a timer race.
 * A run that failed, was left unsettled, or was abandoned by a crash can be claimed again.
 */
export async function runOncePerCluster<T>(pool: pg.Pool, job: string, slot: string, instance: string, work: () => Promise<T>, options: OnceOptions<T> = {}): Promise<{ ran: true; result: T } | { ran: false; by: string }> {
  const claim = await pool.query<{ instance: string }>(
    `INSERT INTO job_run (job, slot, instance) VALUES ($1, $2, $3)
     ON CONFLICT (job, slot) DO UPDATE SET instance = EXCLUDED.instance, started_at = now(), finished_at = NULL, outcome = NULL
       WHERE job_run.outcome = 'unsettled' OR job_run.outcome LIKE 'error%'
          OR (job_run.finished_at IS NULL AND job_run.started_at < now() - interval '${STALE_CLAIM}')
     RETURNING instance`,
    [job, slot, instance],
  );
  if (claim.rowCount === 0) {
    const { rows } = await pool.query<{ instance: string }>(`SELECT instance FROM job_run WHERE job = $1 AND slot = $2`, [job, slot]);
    return { ran: false, by: rows[0]?.instance ?? "another instance" };
  }
  try {
    const result = await work();
    const outcome = options.settled && !options.settled(result) ? "unsettled" : "ok";
    await pool.query(`UPDATE job_run SET finished_at = now(), outcome = $3 WHERE job = $1 AND slot = $2`, [job, slot, outcome]);
    return { ran: true, result };
  } catch (error) {
    await pool.query(`UPDATE job_run SET finished_at = now(), outcome = $3 WHERE job = $1 AND slot = $2`, [job, slot, `error: ${(error as Error).message}`.slice(0, 500)]);
    throw error;
  }
}
