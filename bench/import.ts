/**
 * `npm run bench -- --import`: times the legacy import (README "Switching over") of 10,000 PMs,
 * 50,000 realtors, 100,000 numbers and 50,000 requests (target: under 2 minutes), then a second
 * run over the unchanged source. Sizes scale with BENCH_IMPORT_PMS (default 10000).
 */
import { Client } from 'pg';
import { main as importLegacy } from '../src/cli/import-legacy';
import { LEGACY_SCHEMA_SQL } from '../test/support/legacy-fixture';

const log = (message: string) => process.stderr.write(`${message}\n`);

export async function importBench(serverUrl: string, targetUrl: string): Promise<Record<string, number>> {
  const pms = Number(process.env.BENCH_IMPORT_PMS ?? 10_000);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS pn_bench_legacy WITH (FORCE)');
  await admin.query('CREATE DATABASE pn_bench_legacy');
  await admin.end();
  const source = new URL(serverUrl);
  source.pathname = '/pn_bench_legacy';
  const client = new Client({ connectionString: source.toString() });
  await client.connect();
  const started = Date.now();
  await client.query(LEGACY_SCHEMA_SQL);
  // Per PM: 5 realtors, 10 numbers (the PM and each realtor hold one; every 7th number written
  // in a national format), 5 requests (some approved, some with a messy area code).
  await client.query(
    `INSERT INTO propertymanager (property_manager_id, auth_user_id, name, email, contact, twilio_contact)
     SELECT p, md5('pm' || p)::uuid, 'PM ' || p, 'pm' || p || '@example.com', '1', 'TBD' FROM generate_series(1, $1) p`,
    [pms],
  );
  await client.query(
    `INSERT INTO realtor (realtor_id, auth_user_id, name, email, contact, property_manager_id, twilio_contact)
     SELECT r, md5('r' || r)::uuid, 'Realtor ' || r, 'r' || r || '@example.com', '1', (r - 1) / 5 + 1, 'TBD' FROM generate_series(1, $1 * 5) r`,
    [pms],
  );
  await client.query(
    `INSERT INTO purchasedphonenumber (purchased_phone_number_id, property_manager_id, phone_number, twilio_sid, vapi_phone_number_id, status, assigned_to_type, assigned_to_id, purchased_at, assigned_at)
     SELECT n, (n - 1) / 10 + 1,
            CASE WHEN n % 7 = 0 THEN '(412) ' || substr((2000000 + n)::text, 1, 3) || '-' || substr((2000000 + n)::text, 4) ELSE '+1412' || (2000000 + n) END,
            'PN' || md5('n' || n), 'vapi-' || n,
            CASE WHEN (n - 1) % 10 < 6 THEN 'assigned' ELSE 'available' END,
            CASE WHEN (n - 1) % 10 = 0 THEN 'property_manager' WHEN (n - 1) % 10 < 6 THEN 'Realtor' END,
            CASE WHEN (n - 1) % 10 = 0 THEN (n - 1) / 10 + 1 WHEN (n - 1) % 10 < 6 THEN ((n - 1) / 10) * 5 + (n - 1) % 10 END,
            timestamp '2024-01-01', CASE WHEN (n - 1) % 10 < 6 THEN timestamp '2024-02-01' END
       FROM generate_series(1, $1 * 10) n`,
    [pms],
  );
  await client.query(
    `INSERT INTO phonenumberrequest (request_id, property_manager_id, country_code, area_code, status, requested_at, fulfilled_at)
     SELECT q, (q - 1) / 5 + 1, CASE WHEN q % 3 = 0 THEN '1' ELSE '+1' END, CASE WHEN q % 4 = 0 THEN '412 ' ELSE '412' END,
            CASE q % 4 WHEN 0 THEN 'approved' WHEN 1 THEN 'pending' WHEN 2 THEN 'fulfilled' ELSE 'cancelled' END,
            timestamp '2024-03-01', CASE WHEN q % 4 = 2 THEN timestamp '2024-03-02' END
       FROM generate_series(1, $1 * 5) q`,
    [pms],
  );
  await client.end();
  log(`legacy source built (${pms} PMs, ${pms * 5} realtors, ${pms * 10} numbers, ${pms * 5} requests) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const env = { ...process.env, DATABASE_URL: targetUrl, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
  const t0 = Date.now();
  const code = await importLegacy(['--source', source.toString()], env);
  const firstSeconds = (Date.now() - t0) / 1000;
  if (code !== 0) throw new Error(`import exited ${code}`);
  const t1 = Date.now();
  const again = await importLegacy(['--source', source.toString()], env);
  const secondSeconds = (Date.now() - t1) / 1000;
  if (again !== 0) throw new Error(`second import exited ${again}`);
  log(`import: ${firstSeconds.toFixed(1)} s (target < 120 s); second run over the unchanged source: ${secondSeconds.toFixed(1)} s`);
  return { property_managers: pms, realtors: pms * 5, numbers: pms * 10, requests: pms * 5, import_seconds: firstSeconds, rerun_seconds: secondSeconds };
}
