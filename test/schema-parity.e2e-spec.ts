import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { createTestDatabase, SERVER_URL_ENV, withClient, withDatabase } from './support/test-database';

/**
 * The entities describe exactly the schema the migrations build, so `npm run migration:generate`
 * writes a migration only for a real change, never one that drops the indexes, checks and foreign
 * keys the migrations made. Triggers and functions are outside TypeORM's model: it neither sees
 * nor drops them. Two indexes on expressions (`lower(email)`) are declared `synchronize: false`.
 */
describe('entities and migrations agree', () => {
  let migrated: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;

  beforeAll(async () => {
    migrated = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(migrated.url, 2)).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await migrated?.drop();
  });

  it('migration:generate on a migrated database finds nothing to do', async () => {
    // What `migration:generate` writes: the schema builder's diff, without running it.
    const sql = await dataSource.driver.createSchemaBuilder().log();
    const statements = (queries: { query: string }[]) => queries.map((q) => q.query.replace(/\s+/g, ' ').trim());
    expect({ up: statements(sql.upQueries), down: statements(sql.downQueries) }).toEqual({ up: [], down: [] });
  });

  it('the migrated database keeps what TypeORM does not model', async () => {
    const triggers = await dataSource.query(`SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`);
    expect(triggers.map((t: { tgname: string }) => t.tgname)).toEqual([
      'tr_api_keys_notify_lookup',
      'tr_audit_log_no_truncate',
      'tr_audit_log_no_update_delete',
      'tr_numbers_holder_present',
      'tr_numbers_notify_lookup',
      'tr_numbers_owner_answers_insert',
      'tr_numbers_owner_answers_update',
      'tr_numbers_truncate_notify_lookup',
      'tr_property_managers_notify_lookup',
      'tr_property_managers_offboarded_hold_nothing',
      'tr_property_managers_owner_answers_update',
      'tr_realtors_notify_lookup',
      'tr_realtors_owner_answers_delete',
      'tr_realtors_owner_answers_insert',
      'tr_realtors_owner_answers_update',
      'tr_realtors_removed_hold_nothing',
    ]);
  });

  // The diff above compares checks by name and indexes by their column sets only. This one
  // compares the definitions: a database built from the entities alone equals the migrated one
  // (tables, columns, constraints and index definitions), apart from the two expression indexes.
  it('a schema built from the entities alone is the migrated schema', async () => {
    const serverUrl = process.env[SERVER_URL_ENV]!;
    const name = `pn_test_entities_${randomBytes(6).toString('hex')}`;
    await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    const fromEntities = new DataSource({ ...dataSourceOptions(withDatabase(serverUrl, name), 2), migrations: [] });
    try {
      await fromEntities.initialize();
      await fromEntities.synchronize();
      const expected = await describeSchema(dataSource);
      const notModelled = ['uq_property_managers_email', 'uq_realtors_email_per_pm'];
      expected.indexes = expected.indexes.filter((line) => !notModelled.some((index) => line.startsWith(`${index}:`)));
      expect(await describeSchema(fromEntities)).toEqual(expected);
    } finally {
      if (fromEntities.isInitialized) await fromEntities.destroy();
      await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  });
});

/** The public schema's tables, columns, constraints and indexes, as sorted lines of text. */
async function describeSchema(dataSource: DataSource): Promise<{ columns: string[]; constraints: string[]; indexes: string[] }> {
  const lines = async (sql: string) => (await dataSource.query(sql)).map((row: { line: string }) => row.line).sort();
  const ownTables = `NOT IN ('schema_migrations', 'typeorm_metadata')`;
  return {
    columns: await lines(`
      SELECT concat_ws(' ', table_name, column_name, ordinal_position, data_type, udt_name, is_nullable,
                       coalesce(column_default, '-'), is_identity, coalesce(identity_generation, '-')) AS line
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name ${ownTables}`),
    constraints: await lines(`
      SELECT concat_ws(' ', c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)) AS line
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = 'public' AND c.conrelid <> 0 AND c.conrelid::regclass::text ${ownTables}`),
    indexes: await lines(`
      SELECT indexname || ': ' || indexdef AS line FROM pg_indexes
       WHERE schemaname = 'public' AND tablename ${ownTables}`),
  };
}
