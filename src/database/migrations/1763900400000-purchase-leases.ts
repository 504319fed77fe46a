import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Purchase operations are owned through a lease column instead of a session advisory lock: the
 * owner holds no connection while it waits on Twilio or VAPI, so concurrent purchases can never
 * starve the pool. Stored results become the domain outcome (the response is built from it at the
 * edge), so an API change no longer rewrites how old operations replay.
 */
export class PurchaseLeases1763900400000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purchase_operations ADD COLUMN lease_owner uuid, ADD COLUMN lease_expires_at timestamptz`);
    await q.query(`ALTER TABLE purchase_operations ADD CONSTRAINT ck_purchase_ops_lease
                   CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))`);
    await q.query(`
      UPDATE purchase_operations
         SET result = jsonb_build_object(
               'purchasedPhoneNumberId', result->'purchased_phone_number_id',
               'phoneNumber', result->'phone_number',
               'twilioSid', result->'twilio_sid',
               'vapiPhoneNumberId', result->'vapi_phone_number_id',
               'status', result->'status',
               'propertyManagerId', result->'property_manager_id',
               'sandbox', COALESCE(result->'sandbox', 'false'::jsonb))
       WHERE result ? 'purchased_phone_number_id'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE purchase_operations
         SET result = jsonb_strip_nulls(jsonb_build_object(
               'message', 'Phone number purchased and added successfully',
               'purchased_phone_number_id', result->'purchasedPhoneNumberId',
               'phone_number', result->'phoneNumber',
               'twilio_sid', result->'twilioSid',
               'vapi_phone_number_id', result->'vapiPhoneNumberId',
               'status', result->'status',
               'property_manager_id', result->'propertyManagerId',
               'sandbox', CASE WHEN (result->>'sandbox')::boolean THEN 'true'::jsonb END))
       WHERE result ? 'purchasedPhoneNumberId'`);
    await q.query(`ALTER TABLE purchase_operations DROP CONSTRAINT ck_purchase_ops_lease,
                   DROP COLUMN lease_owner, DROP COLUMN lease_expires_at`);
  }
}
