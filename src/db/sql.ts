import type pg from "pg";

/** A pg client or pool: anything that runs a query (a transaction's client, mostly). */
export type Queryable = Pick<pg.PoolClient, "query">;

/** Runs `work` in one transaction on one client: committed whole or rolled back whole. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Splits an array into chunks of `size` (batched multi-row statements). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * SQL twin of `inPartnerDomains` (src/domain/contacts.ts): true when the email expression has
 * exactly one "@" and its domain is one of the text[] parameter's domains or a subdomain of one.
 */
export function inPartnerDomainsSql(email: string, domainsParam: string): string {
  return `(${email} ~ '^[^@]+@[^@]+$' AND EXISTS (SELECT 1 FROM unnest(${domainsParam}::text[]) AS partner_domain(d)
    WHERE lower(split_part(${email}, '@', 2)) = partner_domain.d OR lower(split_part(${email}, '@', 2)) LIKE '%.' || partner_domain.d))`;
}

/** Runs `COPY … FROM '/dev/blob'` with the blob on the database's own session (PGlite's `blob` option). */
export type BlobCopy = (sql: string, blob: Blob) => Promise<void>;

const blobCopies = new WeakMap<pg.Pool, BlobCopy>();

/**
 * The embedded database's direct COPY path, for a pool served by its socket server (which
 * cannot carry COPY FROM STDIN). PGlite has one session, so a statement run on it directly
 * joins the transaction the pool's client holds open. Undefined for PostgreSQL.
 */
export function directCopy(pool: pg.Pool): BlobCopy | undefined {
  return blobCopies.get(pool);
}

export function registerDirectCopy(pool: pg.Pool, copy: BlobCopy): void {
  blobCopies.set(pool, copy);
}
