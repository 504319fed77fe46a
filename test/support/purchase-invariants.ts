import { DataSource } from 'typeorm';
import type { TwilioStandIn, VapiStandIn } from './provider-stand-ins';

/**
 * Money is never lost: what Twilio says we own is exactly what our database holds as not
 * released, VAPI knows exactly those numbers, and no number was ever bought twice.
 */
export async function expectProvidersAndDatabaseAgree(dataSource: DataSource, twilio: TwilioStandIn, vapi: VapiStandIn): Promise<void> {
  const rows: Array<{ phone_number: string; twilio_sid: string; vapi_phone_number_id: string | null }> = await dataSource.query(
    `SELECT phone_number, twilio_sid, vapi_phone_number_id FROM purchased_phone_numbers WHERE released_at IS NULL AND twilio_sid LIKE 'PN%' ORDER BY phone_number`,
  );
  const owned = [...twilio.owned.values()].map((n) => ({ phone_number: n.phone_number, twilio_sid: n.sid })).sort((a, b) => a.phone_number.localeCompare(b.phone_number));
  expect(rows.map(({ phone_number, twilio_sid }) => ({ phone_number, twilio_sid }))).toEqual(owned);
  expect(rows.map((r) => r.vapi_phone_number_id).sort()).toEqual([...vapi.numbers.keys()].sort());
  const bought = twilio.purchases.map((p) => p.phone_number);
  expect(new Set(bought).size).toBe(bought.length);
  const unfinished = await dataSource.query(`SELECT id, state FROM purchase_operations WHERE state NOT IN ('succeeded', 'failed')`);
  expect(unfinished).toEqual([]);
}
