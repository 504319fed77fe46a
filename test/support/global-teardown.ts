import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CONFORMANCE_COUNT_ENV } from './openapi-conformance';
import type { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server';
import { CONTRACT_TALLY_DIR_ENV, readTally } from './contract-ledger';
import { SERVER_URL_ENV, TEMPLATE_ENV, withClient } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const tallyDir = process.env[CONTRACT_TALLY_DIR_ENV];
  if (tallyDir) {
    const tally = readTally(tallyDir);
    // One line for the record: how many requests the service sent to the stand-ins, all checked against the contracts.
    process.stdout.write(
      `\nprovider contracts: ${tally.twilio + tally.vapi} requests validated (Twilio ${tally.twilio}, VAPI ${tally.vapi}), ${tally.violations} violations\n`,
    );
    rmSync(tallyDir, { recursive: true, force: true });
  }
  const countFile = process.env[CONFORMANCE_COUNT_ENV];
  if (countFile) {
    const marks = readFileSync(countFile, 'utf8');
    const checked = marks.split('c').length - 1;
    process.stdout.write(`\nOpenAPI conformance: ${checked} responses checked against the document (${marks.length - checked} to routes it does not describe)\n`);
    rmSync(dirname(countFile), { recursive: true, force: true });
  }
  const serverUrl = process.env[SERVER_URL_ENV];
  const template = process.env[TEMPLATE_ENV];
  if (serverUrl && template) {
    await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`)).catch(() => undefined);
  }
  const globals = globalThis as Record<string, unknown>;
  const server = globals.__embeddedPostgres as EmbeddedPostgresServer | undefined;
  if (server) {
    await server.stop();
    rmSync(globals.__embeddedPostgresDir as string, { recursive: true, force: true });
  }
}
