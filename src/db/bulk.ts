import type { Queryable } from "./sql.js";

/**
 * Loads an empty table with its secondary indexes and foreign keys set aside: on the first
 * snapshot (200,000 use cases, 600,000 contacts) keeping a GIN index and a foreign-key check
 * per row up to date costs far more than building the index once and validating the key
 * with one join afterwards. The indexes and constraints come back under the same names and
 * definitions (pg_get_indexdef, pg_get_constraintdef), in the same transaction: a failure
 * rolls back to the table as it was. A table with rows is loaded as it is. `load` is told
 * which, so that it can leave out what only rows already there need (ON CONFLICT).
 * `keepIndexes`: only the foreign keys are set aside, for a load that reads the table as it goes.
 */
export async function loadIntoEmptyTable<T>(client: Queryable, table: string, load: (empty: boolean) => Promise<T>, options: { keepIndexes?: boolean } = {}): Promise<T> {
  const { rows: [state] } = await client.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS empty`);
  if (!state?.empty) return load(false);
  const { rows: indexes } = await client.query<{ name: string; def: string }>(`
    SELECT quote_ident(i.relname) AS name, pg_get_indexdef(i.oid) AS def
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = $1::regclass AND NOT x.indisunique AND NOT x.indisprimary AND NOT $2
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)`, [table, options.keepIndexes ?? false]);
  const { rows: keys } = await client.query<{ name: string; def: string }>(`
    SELECT quote_ident(conname) AS name, pg_get_constraintdef(oid) AS def
    FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'`, [table]);
  for (const key of keys) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT ${key.name}`);
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
  const result = await load(true);
  for (const index of indexes) await client.query(index.def);
  for (const key of keys) await client.query(`ALTER TABLE ${table} ADD CONSTRAINT ${key.name} ${key.def}`);
  return result;
}

/**
 * ANALYZE for the tables whose statistics a merge made stale: never analyzed (an empty
 * installation's first snapshot: without statistics the planner reads a just-filled table as
 * empty and turns joins into nested scans), or this transaction wrote (`written`, per table)
 * more than a tenth of their rows. A next-day snapshot with a few percent changed analyzes
 * nothing: on PostgreSQL autovacuum keeps up between snapshots, and on the embedded database
 * the first load's statistics stay representative of a portfolio that changes by a few
 * percent a day. (pg_stat's n_mod_since_analyze is no guide here: it counts the first load's
 * own rows, written before its ANALYZE but reported at commit, so the next day would analyze
 * again.) Counted per table, not in one sum: a day's 2,000 changed use cases are not a tenth
 * of 28,000 customers, and analyzing those cost a next-day snapshot half a second.
 */
export async function analyzeStale(client: Queryable, written: Readonly<Record<string, number>>): Promise<string[]> {
  const tables = Object.keys(written);
  const { rows } = await client.query<{ name: string }>(`
    SELECT quote_ident(c.relname) AS name FROM pg_class c
    JOIN unnest($1::text[], $2::int[]) AS t(name, written) ON c.oid = to_regclass(t.name)
    WHERE c.reltuples < 0 OR t.written > 0.1 * greatest(c.reltuples, 1000)
    ORDER BY c.relname`, [tables, tables.map((t) => written[t])]);
  if (rows.length > 0) await client.query(`ANALYZE ${rows.map((r) => r.name).join(", ")}`);
  return rows.map((r) => r.name);
}
