import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrateWithLock } from '../../src/database/data-source-options';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server';
import { SERVER_URL_ENV, TEMPLATE_ENV, withClient, withDatabase } from './test-database';
import { freePort } from './free-port';
import { CONTRACT_TALLY_DIR_ENV } from './contract-ledger';
import { CONFORMANCE_COUNT_ENV } from './openapi-conformance';

/**
 * Starts an embedded PostgreSQL (or uses TEST_DATABASE_URL) and builds a migrated template
 * database that each test file clones.
 */
export default async function globalSetup(): Promise<void> {
  const countFile = join(mkdtempSync(join(tmpdir(), 'pn-openapi-')), 'checked');
  writeFileSync(countFile, '');
  process.env[CONFORMANCE_COUNT_ENV] = countFile;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const dataDir = mkdtempSync(join(tmpdir(), 'pn-test-pg-'));
    chmodSync(dataDir, 0o755); // the server may run as the `postgres` OS user
    const server = new EmbeddedPostgresServer({ dataDir, port: await freePort(), database: 'pn_test_server' });
    serverUrl = await server.start();
    (globalThis as Record<string, unknown>).__embeddedPostgres = server;
    (globalThis as Record<string, unknown>).__embeddedPostgresDir = dataDir;
  }
  const template = `pn_test_template_${process.pid}`;
  await withClient(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${template}`);
    await c.query(`CREATE DATABASE ${template}`);
  });
  const dataSource = await new DataSource({ ...dataSourceOptions(withDatabase(serverUrl, template)), entities: [] }).initialize();
  try {
    await migrateWithLock(dataSource);
  } finally {
    await dataSource.destroy();
  }
  process.env[CONTRACT_TALLY_DIR_ENV] = mkdtempSync(join(tmpdir(), 'pn-provider-contracts-'));
  process.env[SERVER_URL_ENV] = serverUrl;
  process.env[TEMPLATE_ENV] = template;
}
