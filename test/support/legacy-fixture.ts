import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SERVER_URL_ENV, withClient, withDatabase } from './test-database';

/**
 * The old system's schema exactly as ORIGIN.md describes it (ORM-created, no migrations,
 * `timestamp without time zone` holding UTC), in a scratch database whose name contains "test".
 */
export const LEGACY_SCHEMA_SQL = `
  CREATE TABLE propertymanager (
    property_manager_id serial PRIMARY KEY,
    auth_user_id uuid,
    name varchar NOT NULL,
    email varchar NOT NULL,
    contact varchar NOT NULL,
    company_name varchar,
    twilio_contact varchar NOT NULL,
    twilio_sid varchar,
    purchased_phone_number_id integer,
    carrier varchar,
    business_forwarding_enabled boolean NOT NULL DEFAULT false,
    after_hours_enabled boolean NOT NULL DEFAULT false,
    last_after_hours_update timestamp,
    business_forwarding_confirmed_at timestamp,
    after_hours_last_enabled_at timestamp,
    after_hours_last_disabled_at timestamp,
    last_forwarding_update timestamp,
    forwarding_failure_reason varchar,
    vapi_assistant_id varchar,
    created_at timestamp DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp DEFAULT (now() AT TIME ZONE 'utc')
  );
  CREATE INDEX ix_propertymanager_auth_user_id ON propertymanager (auth_user_id);
  CREATE INDEX ix_propertymanager_vapi_assistant_id ON propertymanager (vapi_assistant_id);
  CREATE TABLE realtor (
    realtor_id serial PRIMARY KEY,
    auth_user_id uuid,
    name varchar NOT NULL,
    email varchar NOT NULL,
    contact varchar NOT NULL,
    property_manager_id integer NOT NULL REFERENCES propertymanager (property_manager_id),
    twilio_contact varchar NOT NULL,
    twilio_sid varchar,
    purchased_phone_number_id integer,
    carrier varchar,
    business_forwarding_enabled boolean NOT NULL DEFAULT false,
    after_hours_enabled boolean NOT NULL DEFAULT false,
    last_after_hours_update timestamp,
    business_forwarding_confirmed_at timestamp,
    after_hours_last_enabled_at timestamp,
    after_hours_last_disabled_at timestamp,
    last_forwarding_update timestamp,
    forwarding_failure_reason varchar,
    vapi_assistant_id varchar,
    created_at timestamp DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at timestamp DEFAULT (now() AT TIME ZONE 'utc')
  );
  CREATE INDEX ix_realtor_auth_user_id ON realtor (auth_user_id);
  CREATE TABLE purchasedphonenumber (
    purchased_phone_number_id serial PRIMARY KEY,
    property_manager_id integer NOT NULL REFERENCES propertymanager (property_manager_id),
    phone_number varchar NOT NULL UNIQUE,
    twilio_sid varchar NOT NULL UNIQUE,
    vapi_phone_number_id varchar,
    status varchar NOT NULL DEFAULT 'available',
    assigned_to_type varchar,
    assigned_to_id integer,
    purchased_at timestamp DEFAULT (now() AT TIME ZONE 'utc'),
    assigned_at timestamp,
    notes varchar
  );
  ALTER TABLE propertymanager ADD FOREIGN KEY (purchased_phone_number_id) REFERENCES purchasedphonenumber (purchased_phone_number_id);
  ALTER TABLE realtor ADD FOREIGN KEY (purchased_phone_number_id) REFERENCES purchasedphonenumber (purchased_phone_number_id);
  CREATE TABLE phonenumberrequest (
    request_id serial PRIMARY KEY,
    property_manager_id integer NOT NULL REFERENCES propertymanager (property_manager_id),
    country_code varchar,
    area_code varchar,
    status varchar NOT NULL DEFAULT 'pending',
    notes varchar,
    requested_at timestamp DEFAULT (now() AT TIME ZONE 'utc'),
    fulfilled_at timestamp
  );
  CREATE TABLE callforwardingevent (
    event_id serial PRIMARY KEY,
    target_user_type varchar NOT NULL,
    target_user_id integer NOT NULL,
    action varchar NOT NULL,
    initiated_by_user_type varchar,
    initiated_by_user_id integer,
    event_metadata jsonb,
    created_at timestamp DEFAULT (now() AT TIME ZONE 'utc')
  );
`;

/** auth_user_ids of the fixture's people (uuids, as Supabase makes them). */
export const AUTH = {
  pm1: '00000000-0000-4000-8000-000000000001',
  pm2: '00000000-0000-4000-8000-000000000002',
  pm3: '00000000-0000-4000-8000-000000000003',
  pm4: '00000000-0000-4000-8000-000000000004',
  r11: '00000000-0000-4000-8000-000000000011',
  r12: '00000000-0000-4000-8000-000000000012',
  r13: '00000000-0000-4000-8000-000000000013',
  r14: '00000000-0000-4000-8000-000000000014',
  r15: '00000000-0000-4000-8000-000000000015',
  r16: '00000000-0000-4000-8000-000000000016',
};

/**
 * Every kind of disagreement ORIGIN.md lists, one row each (ids chosen so a test can name them):
 * - PM 1 holds number 101, stored `(412) 555-0101`, `Property Manager`; has call-forwarding data;
 * - realtor 11 holds 102 (`Realtor`, `MANUAL_…` SID, a VAPI id 101 has too);
 * - realtor 12 holds 103 (older) and 104 (newer); their owner row names 103;
 * - number 105 is `assigned` to nobody; realtor 14's owner row names it;
 * - number 106 (PM 2) is assigned to realtor 15 of PM 1; 107 to realtor 99, deleted;
 * - number 108 is `not-a-number`, held by realtor 16;
 * - number 109 is clean (taken as it is);
 * - PM 3 and realtor 13 have a `twilio_contact` with no number row (PM 3 with a SID, 13 without);
 * - PM 2 has `TBD`, PM 4 an unreadable contact;
 * - requests: 201 clean, 202 `approved` with `"412 "` and `"1"`, 203 fulfilled with `"n/a"`, 204 cancelled with nulls;
 * - two call-forwarding events.
 */
export const LEGACY_DATA_SQL = `
  INSERT INTO propertymanager (property_manager_id, auth_user_id, name, email, contact, company_name, twilio_contact, twilio_sid, carrier, business_forwarding_enabled, vapi_assistant_id) VALUES
    (1, '${AUTH.pm1}', 'Alice PM', 'alice@example.com', '4125559001', 'Alice Homes', '(412) 555-0101', 'PN00000000000000000000000000000101', 'AT&T', true, 'asst-alice'),
    (2, '${AUTH.pm2}', 'Bob PM', 'BOB@Example.com', '4125559002', NULL, 'TBD', NULL, NULL, false, NULL),
    (3, '${AUTH.pm3}', 'Carol PM', 'carol@example.com', '4125559003', NULL, '+1 412 555 0199', 'PN00000000000000000000000000000199', NULL, false, NULL),
    (4, '${AUTH.pm4}', 'Dan PM', 'dan@example.com', '4125559004', NULL, 'call me', NULL, NULL, false, NULL);
  INSERT INTO realtor (realtor_id, auth_user_id, name, email, contact, property_manager_id, twilio_contact, twilio_sid) VALUES
    (11, '${AUTH.r11}', 'Rita Realtor', 'rita@example.com', '1', 1, '412-555-0102', 'MANUAL_4125550102'),
    (12, '${AUTH.r12}', 'Sam Realtor', 'sam@example.com', '1', 1, '+14125550103', 'PN00000000000000000000000000000103'),
    (13, '${AUTH.r13}', 'Tess Realtor', 'tess@example.com', '1', 2, '4125550113', NULL),
    (14, '${AUTH.r14}', 'Uma Realtor', 'uma@example.com', '1', 2, 'TBD', NULL),
    (15, '${AUTH.r15}', 'Vic Realtor', 'vic@example.com', '1', 1, '', NULL),
    (16, '${AUTH.r16}', 'Wes Realtor', 'wes@example.com', '1', 2, 'TBD', NULL);
  INSERT INTO purchasedphonenumber (purchased_phone_number_id, property_manager_id, phone_number, twilio_sid, vapi_phone_number_id, status, assigned_to_type, assigned_to_id, purchased_at, assigned_at, notes) VALUES
    (101, 1, '(412) 555-0101', 'PN00000000000000000000000000000101', 'vapi-dup', 'assigned', 'Property Manager', 1, '2024-01-01 10:00:00', '2024-01-02 10:00:00', 'first'),
    (102, 1, '+14125550102', 'MANUAL_4125550102', 'vapi-dup', 'assigned', 'Realtor', 11, '2024-01-01 10:00:00', '2024-01-03 10:00:00', NULL),
    (103, 1, '14125550103', 'PN00000000000000000000000000000103', NULL, 'assigned', 'realtor', 12, '2024-01-01 10:00:00', '2024-01-04 10:00:00', NULL),
    (104, 1, '+14125550104', 'PN00000000000000000000000000000104', 'vapi-104', 'assigned', 'realtor', 12, '2024-01-01 10:00:00', '2024-06-01 10:00:00', NULL),
    (105, 2, '+14125550105', 'PN00000000000000000000000000000105', NULL, 'assigned', NULL, NULL, '2024-01-01 10:00:00', '2024-01-05 10:00:00', NULL),
    (106, 2, '+14125550106', 'PN00000000000000000000000000000106', NULL, 'assigned', 'realtor', 15, '2024-01-01 10:00:00', '2024-01-06 10:00:00', NULL),
    (107, 2, '+14125550107', 'PN00000000000000000000000000000107', NULL, 'assigned', 'realtor', 99, '2024-01-01 10:00:00', '2024-01-07 10:00:00', NULL),
    (108, 2, 'not-a-number', 'PN00000000000000000000000000000108', NULL, 'assigned', 'realtor', 16, '2024-01-01 10:00:00', '2024-01-08 10:00:00', NULL),
    (109, 1, '+14125550109', 'PN00000000000000000000000000000109', 'vapi-109', 'available', NULL, NULL, '2024-01-01 10:00:00', NULL, 'clean');
  -- The owner rows' copies of the assignment (a circular foreign key: set after the numbers exist).
  UPDATE propertymanager SET purchased_phone_number_id = 101 WHERE property_manager_id = 1;
  UPDATE realtor SET purchased_phone_number_id = v.n FROM (VALUES (11, 102), (12, 103), (14, 105), (16, 108)) AS v(r, n) WHERE realtor_id = v.r;
  INSERT INTO phonenumberrequest (request_id, property_manager_id, country_code, area_code, status, notes, requested_at, fulfilled_at) VALUES
    (201, 1, '+1', '412', 'pending', 'clean', '2024-02-01 09:00:00', NULL),
    (202, 1, '1', '412 ', 'approved', NULL, '2024-02-02 09:00:00', NULL),
    (203, 2, '+1', 'n/a', 'fulfilled', NULL, '2024-02-03 09:00:00', '2024-02-04 09:00:00'),
    (204, 2, NULL, NULL, 'cancelled', NULL, '2024-02-05 09:00:00', NULL);
  INSERT INTO callforwardingevent (target_user_type, target_user_id, action, initiated_by_user_type, initiated_by_user_id, event_metadata) VALUES
    ('property_manager', 1, 'business_forwarding_enabled', 'property_manager', 1, '{"carrier": "AT&T"}'),
    ('property_manager', 1, 'confirmation_success', 'property_manager', 1, '{}');
  SELECT setval('propertymanager_property_manager_id_seq', 4), setval('realtor_realtor_id_seq', 16),
         setval('purchasedphonenumber_purchased_phone_number_id_seq', 109), setval('phonenumberrequest_request_id_seq', 204);
`;

/** The problem rows a test expects the report to name, as `table:id`. */
export const EXPECTED_PROBLEM_ROWS = [
  'propertymanager:1', // forwarding + assistant not imported
  'propertymanager:3', // recovered
  'propertymanager:4', // unreadable contact
  'realtor:12', // owner row names 103
  'realtor:13', // recovered
  'realtor:14', // owner row names 105
  'realtor:16', // owner row names 108 (skipped)
  'purchasedphonenumber:101', // reformatted, respelled
  'purchasedphonenumber:102', // respelled, duplicate vapi id
  'purchasedphonenumber:103', // reformatted, overruled by 104
  'purchasedphonenumber:105', // assigned to nobody
  'purchasedphonenumber:106', // realtor of another PM
  'purchasedphonenumber:107', // deleted realtor
  'purchasedphonenumber:108', // unparseable
  'phonenumberrequest:202',
  'phonenumberrequest:203',
  'phonenumberrequest:204',
];

export interface LegacySource {
  url: string;
  query(sql: string, params?: unknown[]): Promise<unknown[]>;
  drop(): Promise<void>;
}

/** A scratch source database on the test server, with the schema and, unless `empty`, the rows above. */
export async function createLegacySource(options: { empty?: boolean } = {}): Promise<LegacySource> {
  const serverUrl = process.env[SERVER_URL_ENV];
  if (!serverUrl) throw new Error('The jest global setup did not run (no test database server).');
  const name = `pn_test_legacy_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(serverUrl, name);
  await withClient(url, async (c) => {
    await c.query(LEGACY_SCHEMA_SQL);
    if (!options.empty) await c.query(LEGACY_DATA_SQL);
  });
  return {
    url,
    query: (sql, params) => withClient(url, async (c: Client) => (await c.query(sql, params as unknown[])).rows),
    drop: () => withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
