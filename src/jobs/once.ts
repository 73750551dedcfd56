import type pg from "pg";

/**
 * Runs a scheduled job once per cluster: every instance's timer fires, the first to record
 * (job, slot) runs it, the others see the row and skip. A database row, not a timer race.
 */
export async function runOncePerCluster<T>(pool: pg.Pool, job: string, slot: string, instance: string, work: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false; by: string }> {
  const claim = await pool.query<{ instance: string }>(
    `INSERT INTO job_run (job, slot, instance) VALUES ($1, $2, $3) ON CONFLICT (job, slot) DO NOTHING RETURNING instance`,
    [job, slot, instance],
  );
  if (claim.rowCount === 0) {
    const { rows } = await pool.query<{ instance: string }>(`SELECT instance FROM job_run WHERE job = $1 AND slot = $2`, [job, slot]);
    return { ran: false, by: rows[0]?.instance ?? "another instance" };
  }
  try {
    const result = await work();
    await pool.query(`UPDATE job_run SET finished_at = now(), outcome = 'ok' WHERE job = $1 AND slot = $2`, [job, slot]);
    return { ran: true, result };
  } catch (error) {
    await pool.query(`UPDATE job_run SET finished_at = now(), outcome = $3 WHERE job = $1 AND slot = $2`, [job, slot, `error: ${(error as Error).message}`.slice(0, 500)]);
    throw error;
  }
}
