import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change that can alter who owns a number (or whether an API key still works) is announced
 * on the `lookup_changes` channel, whoever makes it: this service, another module, another
 * instance or raw SQL. Instances listen and drop what they cached. NOTIFY is transactional: it is
 * delivered after the commit, never for a rolled-back change.
 *
 * Payloads (JSON): `{"t":"number","p":[phones],"v":[vapi ids]}` for a number row (old and new
 * values, so a moved phone or VAPI id is dropped under both keys), `{"t":"directory"}` for a PM or
 * realtor change (names and realtor lists feed every owner record), `{"t":"api_key","id":…}`
 * for a key whose revocation or scopes changed. `last_used_at` updates are deliberately silent.
 */
export class LookupChangeNotifications1763900200000 implements MigrationInterface {
  name = 'LookupChangeNotifications1763900200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_number_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        phones text[] := ARRAY[]::text[];
        vapi_ids text[] := ARRAY[]::text[];
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          phones := phones || OLD.phone_number;
          IF OLD.vapi_phone_number_id IS NOT NULL THEN vapi_ids := vapi_ids || OLD.vapi_phone_number_id; END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          IF NOT (NEW.phone_number = ANY(phones)) THEN phones := phones || NEW.phone_number; END IF;
          IF NEW.vapi_phone_number_id IS NOT NULL AND NOT (NEW.vapi_phone_number_id = ANY(vapi_ids)) THEN
            vapi_ids := vapi_ids || NEW.vapi_phone_number_id;
          END IF;
        END IF;
        PERFORM pg_notify('lookup_changes', json_build_object('t', 'number', 'p', phones, 'v', vapi_ids)::text);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_numbers_notify_lookup AFTER INSERT OR UPDATE OR DELETE ON purchased_phone_numbers
                   FOR EACH ROW EXECUTE FUNCTION notify_number_change()`);

    await q.query(`
      CREATE FUNCTION notify_directory_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Identical payloads within one transaction are folded into one notification.
        PERFORM pg_notify('lookup_changes', '{"t":"directory"}');
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_property_managers_notify_lookup AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON property_managers
                   FOR EACH STATEMENT EXECUTE FUNCTION notify_directory_change()`);
    await q.query(`CREATE TRIGGER tr_realtors_notify_lookup AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON realtors
                   FOR EACH STATEMENT EXECUTE FUNCTION notify_directory_change()`);
    await q.query(`CREATE TRIGGER tr_numbers_truncate_notify_lookup AFTER TRUNCATE ON purchased_phone_numbers
                   FOR EACH STATEMENT EXECUTE FUNCTION notify_directory_change()`);

    await q.query(`
      CREATE FUNCTION notify_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('lookup_changes', json_build_object('t', 'api_key', 'id', OLD.id)::text);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_api_keys_notify_lookup AFTER UPDATE OF revoked_at, scopes, key_hash OR DELETE ON api_keys
                   FOR EACH ROW EXECUTE FUNCTION notify_api_key_change()`);

    // The lookup by VAPI id is covered by uq_numbers_vapi_phone_number_id and by phone by
    // uq_numbers_phone_number; a PM's realtor list needs an index led by property_manager_id,
    // which uq_realtors_email_per_pm (property_manager_id, lower(email)) already is.
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tr_api_keys_notify_lookup ON api_keys`);
    await q.query(`DROP FUNCTION notify_api_key_change()`);
    await q.query(`DROP TRIGGER tr_numbers_truncate_notify_lookup ON purchased_phone_numbers`);
    await q.query(`DROP TRIGGER tr_realtors_notify_lookup ON realtors`);
    await q.query(`DROP TRIGGER tr_property_managers_notify_lookup ON property_managers`);
    await q.query(`DROP FUNCTION notify_directory_change()`);
    await q.query(`DROP TRIGGER tr_numbers_notify_lookup ON purchased_phone_numbers`);
    await q.query(`DROP FUNCTION notify_number_change()`);
  }
}
