import { DataSource, DataSourceOptions } from 'typeorm';
import { InitialSchema1763900000000 } from './migrations/1763900000000-initial-schema';
import { PurchaseOperations1763900100000 } from './migrations/1763900100000-purchase-operations';
import { LookupChangeNotifications1763900200000 } from './migrations/1763900200000-lookup-change-notifications';
import { AuditLogLookups1763900300000 } from './migrations/1763900300000-audit-log-lookups';
import { PurchaseLeases1763900400000 } from './migrations/1763900400000-purchase-leases';
import { PeopleLeave1763900500000 } from './migrations/1763900500000-people-leave';
import { CallForwarding1763900500100 } from './migrations/1763900500100-call-forwarding';
import { LegacyImportRows1763900700000 } from './migrations/1763900700000-legacy-import-rows';
import { MetricsApiKeyScope1763901400000 } from './migrations/1763901400000-metrics-api-key-scope';
import { ChatbotOwnerAnswers1763901500000 } from './migrations/1763901500000-chatbot-owner-answers';

/** Every migration, in order. Listed explicitly so the app, the CLI and tests run the same set. */
export const migrations = [
  InitialSchema1763900000000,
  PurchaseOperations1763900100000,
  LookupChangeNotifications1763900200000,
  AuditLogLookups1763900300000,
  PurchaseLeases1763900400000,
  PeopleLeave1763900500000,
  CallForwarding1763900500100,
  LegacyImportRows1763900700000,
  MetricsApiKeyScope1763901400000,
  ChatbotOwnerAnswers1763901500000,
];

/**
 * The one definition of how we connect: used by the app (`DatabaseModule`), the TypeORM CLI
 * (`ormconfig.ts`) and the tests. `synchronize` is never on: the schema comes from migrations.
 */
export function dataSourceOptions(url: string, poolSize = 10, poolTimeoutMs = 5_000): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [__dirname + '/../modules/**/entities/*.entity.{ts,js}'],
    migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // A bounded wait for a connection: an exhausted pool answers 503, never hangs its callers.
    extra: { max: poolSize, connectionTimeoutMillis: poolTimeoutMs, application_name: 'phone-number-service' },
  };
}

// Any constant works; it only has to be the same for every instance of this service.
const MIGRATION_LOCK_KEY = 7_114_255_501;

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so instances starting together
 * migrate once and the others wait for it.
 */
export async function migrateWithLock(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
