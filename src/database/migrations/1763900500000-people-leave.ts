import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People come and go. A realtor is removed softly (`removed_at`: gone from lists, logins and the
 * chatbot, kept for history and audit), so their email and login may be used again by someone
 * else (the uniqueness holds among people not removed). A PM who leaves is `offboarded_at`.
 *
 * The database refuses what the old system allowed: a number held by someone who no longer
 * exists. A removed realtor can hold no number (a number cannot be given to one; a realtor
 * holding one cannot be removed), and an offboarded PM's numbers are all inactive.
 */
export class PeopleLeave1763900500000 implements MigrationInterface {
  name = 'PeopleLeave1763900500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE realtors ADD COLUMN removed_at timestamptz`);
    await q.query(`ALTER TABLE property_managers ADD COLUMN offboarded_at timestamptz`);

    await q.query(`DROP INDEX uq_realtors_email_per_pm`);
    await q.query(`CREATE UNIQUE INDEX uq_realtors_email_per_pm ON realtors (property_manager_id, lower(email)) WHERE removed_at IS NULL`);
    await q.query(`ALTER TABLE realtors DROP CONSTRAINT uq_realtors_auth_user_id`);
    await q.query(`CREATE UNIQUE INDEX uq_realtors_auth_user_id ON realtors (auth_user_id) WHERE removed_at IS NULL`);
    // A PM's realtor list (and the chatbot's list of them) without the partial index's condition.
    await q.query(`CREATE INDEX ix_realtors_property_manager ON realtors (property_manager_id, id)`);

    await q.query(`ALTER TABLE number_assignment_history DROP CONSTRAINT ck_history_end_reason`);
    await q.query(`ALTER TABLE number_assignment_history ADD CONSTRAINT ck_history_end_reason
                   CHECK (end_reason IN ('unassigned', 'reassigned', 'deactivated', 'released', 'removed'))`);

    await q.query(`
      CREATE FUNCTION numbers_holder_present() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.assigned_realtor_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM realtors r WHERE r.id = NEW.assigned_realtor_id AND r.removed_at IS NOT NULL) THEN
          RAISE EXCEPTION 'realtor % is removed and cannot hold a number', NEW.assigned_realtor_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_numbers_holder_not_removed';
        END IF;
        IF NEW.status <> 'inactive'
           AND EXISTS (SELECT 1 FROM property_managers pm WHERE pm.id = NEW.property_manager_id AND pm.offboarded_at IS NOT NULL) THEN
          RAISE EXCEPTION 'property manager % is offboarded; their numbers stay inactive', NEW.property_manager_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_numbers_owner_not_offboarded';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER tr_numbers_holder_present BEFORE INSERT OR UPDATE ON purchased_phone_numbers
                   FOR EACH ROW EXECUTE FUNCTION numbers_holder_present()`);

    await q.query(`
      CREATE FUNCTION realtors_removed_hold_nothing() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.removed_at IS NOT NULL AND EXISTS (SELECT 1 FROM purchased_phone_numbers n WHERE n.assigned_realtor_id = NEW.id) THEN
          RAISE EXCEPTION 'realtor % still holds a number; free it first', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_realtors_removed_hold_nothing';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER tr_realtors_removed_hold_nothing BEFORE UPDATE OF removed_at ON realtors
                   FOR EACH ROW EXECUTE FUNCTION realtors_removed_hold_nothing()`);

    await q.query(`
      CREATE FUNCTION property_managers_offboarded_hold_nothing() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.offboarded_at IS NOT NULL AND EXISTS (
             SELECT 1 FROM purchased_phone_numbers n WHERE n.property_manager_id = NEW.id AND n.status <> 'inactive') THEN
          RAISE EXCEPTION 'property manager % still has numbers in service', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_property_managers_offboarded_hold_nothing';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER tr_property_managers_offboarded_hold_nothing BEFORE UPDATE OF offboarded_at ON property_managers
                   FOR EACH ROW EXECUTE FUNCTION property_managers_offboarded_hold_nothing()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tr_property_managers_offboarded_hold_nothing ON property_managers`);
    await q.query(`DROP FUNCTION property_managers_offboarded_hold_nothing()`);
    await q.query(`DROP TRIGGER tr_realtors_removed_hold_nothing ON realtors`);
    await q.query(`DROP FUNCTION realtors_removed_hold_nothing()`);
    await q.query(`DROP TRIGGER tr_numbers_holder_present ON purchased_phone_numbers`);
    await q.query(`DROP FUNCTION numbers_holder_present()`);
    await q.query(`ALTER TABLE number_assignment_history DROP CONSTRAINT ck_history_end_reason`);
    await q.query(`ALTER TABLE number_assignment_history ADD CONSTRAINT ck_history_end_reason
                   CHECK (end_reason IN ('unassigned', 'reassigned', 'deactivated', 'released'))`);
    await q.query(`DROP INDEX ix_realtors_property_manager`);
    await q.query(`DROP INDEX uq_realtors_auth_user_id`);
    await q.query(`ALTER TABLE realtors ADD CONSTRAINT uq_realtors_auth_user_id UNIQUE (auth_user_id)`);
    await q.query(`DROP INDEX uq_realtors_email_per_pm`);
    await q.query(`CREATE UNIQUE INDEX uq_realtors_email_per_pm ON realtors (property_manager_id, lower(email))`);
    await q.query(`ALTER TABLE property_managers DROP COLUMN offboarded_at`);
    await q.query(`ALTER TABLE realtors DROP COLUMN removed_at`);
  }
}
