import { DataSource } from 'typeorm';

// Any constant works; it namespaces our advisory locks from others (e.g. the migration lock).
const PURCHASE_LOCK_NAMESPACE = 71_142_555; // int4: the two-key advisory lock form

/**
 * One owner per purchase operation, across every instance: a session advisory lock held on its
 * own connection. A crashed owner's connection closes and PostgreSQL frees the lock at once,
 * so the reconciler can take over without waiting for a lease to expire.
 */
export async function withOperationLock<T>(
  dataSource: DataSource,
  operationId: string,
  run: () => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [{ ok }] = await runner.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [PURCHASE_LOCK_NAMESPACE, operationId]);
    if (!ok) return { acquired: false };
    try {
      return { acquired: true, value: await run() };
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [PURCHASE_LOCK_NAMESPACE, operationId]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
