import { Client } from 'pg';
import type { SourceData, SourceNumber, SourcePerson, SourceRequest } from './legacy-source';

const ts = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The source tables are missing or not shaped as ORIGIN.md describes. */
export class SourceSchemaError extends Error {}

/**
 * Reads the old system's tables (ORIGIN.md) from `url`, schema `schema`, in one read-only,
 * repeatable-read transaction so the rows agree with each other. Timestamps (UTC in
 * `timestamp without time zone`) come back as ISO strings.
 */
export async function readLegacySource(url: string, schema: string): Promise<SourceData> {
  const client = new Client({ connectionString: url, application_name: 'phone-number-service legacy import' });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const s = quoteIdent(schema);
    const exists = async (table: string) =>
      (await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`${s}.${quoteIdent(table)}`])).rows[0].ok;
    const missing: string[] = [];
    for (const table of ['propertymanager', 'realtor', 'purchasedphonenumber', 'phonenumberrequest']) if (!(await exists(table))) missing.push(table);
    if (missing.length) throw new SourceSchemaError(`The source has no table ${missing.map((t) => `${schema}.${t}`).join(', ')}: is --schema right?`);

    const personColumns = `auth_user_id::text AS "authUserId", name, email, twilio_contact AS "twilioContact", twilio_sid AS "twilioSid",
      purchased_phone_number_id AS "purchasedPhoneNumberId", carrier, coalesce(business_forwarding_enabled, false) AS "businessForwardingEnabled",
      coalesce(after_hours_enabled, false) AS "afterHoursEnabled", vapi_assistant_id AS "vapiAssistantId", ${ts('created_at')} AS "createdAt"`;
    try {
      const pms = await client.query<Omit<SourcePerson, 'table'>>(
        `SELECT property_manager_id AS id, property_manager_id AS "propertyManagerId", company_name AS "companyName", ${personColumns}
         FROM ${s}.propertymanager ORDER BY property_manager_id`,
      );
      const realtors = await client.query<Omit<SourcePerson, 'table'>>(
        `SELECT realtor_id AS id, property_manager_id AS "propertyManagerId", NULL AS "companyName", ${personColumns}
         FROM ${s}.realtor ORDER BY realtor_id`,
      );
      const numbers = await client.query<SourceNumber>(
        `SELECT purchased_phone_number_id AS id, property_manager_id AS "propertyManagerId", phone_number AS "phoneNumber",
                twilio_sid AS "twilioSid", vapi_phone_number_id AS "vapiPhoneNumberId", status, assigned_to_type AS "assignedToType",
                assigned_to_id AS "assignedToId", ${ts('purchased_at')} AS "purchasedAt", ${ts('assigned_at')} AS "assignedAt", notes
         FROM ${s}.purchasedphonenumber ORDER BY purchased_phone_number_id`,
      );
      const requests = await client.query<SourceRequest>(
        `SELECT request_id AS id, property_manager_id AS "propertyManagerId", country_code AS "countryCode", area_code AS "areaCode",
                status, notes, ${ts('requested_at')} AS "requestedAt", ${ts('fulfilled_at')} AS "fulfilledAt"
         FROM ${s}.phonenumberrequest ORDER BY request_id`,
      );
      const events = (await exists('callforwardingevent'))
        ? Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${s}.callforwardingevent`)).rows[0].n)
        : null;
      return {
        propertyManagers: pms.rows.map((r) => ({ ...r, table: 'propertymanager' as const })),
        realtors: realtors.rows.map((r) => ({ ...r, table: 'realtor' as const })),
        numbers: numbers.rows,
        requests: requests.rows,
        callForwardingEvents: events,
      };
    } catch (error) {
      if (error instanceof Error && 'code' in error && (error as { code?: string }).code === '42703') {
        throw new SourceSchemaError(`The source tables are not the old system's: ${error.message}`);
      }
      throw error;
    }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}
