import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The durable record of every automated purchase, written before any money is spent and
 * updated after every step, so a crash at any point leaves a state the reconciler can finish
 * or compensate. Checks keep each state's facts present; one active purchase per phone number.
 */
export class PurchaseOperations1763900100000 implements MigrationInterface {
  name = 'PurchaseOperations1763900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE purchase_operations (
        id                        uuid PRIMARY KEY,
        idempotency_key           text,
        request_hash              text NOT NULL,
        property_manager_id       integer NOT NULL REFERENCES property_managers (id),
        area_code                 text NOT NULL CONSTRAINT ck_purchase_ops_area_code CHECK (area_code ~ '^[0-9]{3}$'),
        notes                     text,
        sandbox                   boolean NOT NULL,
        state                     text NOT NULL CONSTRAINT ck_purchase_ops_state
                                  CHECK (state IN ('started', 'buying', 'registering', 'recording', 'releasing', 'succeeded', 'failed')),
        phone_number              text,
        twilio_sid                text,
        vapi_phone_number_id      text,
        purchased_phone_number_id integer REFERENCES purchased_phone_numbers (id),
        actor                     jsonb NOT NULL,
        result                    jsonb,
        error                     jsonb,
        last_error                text,
        attempts                  integer NOT NULL DEFAULT 0,
        created_at                timestamptz NOT NULL DEFAULT now(),
        updated_at                timestamptz NOT NULL DEFAULT now(),
        finished_at               timestamptz,
        CONSTRAINT uq_purchase_ops_idempotency_key UNIQUE (idempotency_key),
        CONSTRAINT ck_purchase_ops_number_chosen CHECK (state IN ('started', 'failed') OR phone_number IS NOT NULL),
        CONSTRAINT ck_purchase_ops_bought CHECK (state NOT IN ('registering', 'recording') OR twilio_sid IS NOT NULL),
        CONSTRAINT ck_purchase_ops_registered CHECK (state <> 'recording' OR vapi_phone_number_id IS NOT NULL),
        CONSTRAINT ck_purchase_ops_succeeded CHECK ((state = 'succeeded') = (purchased_phone_number_id IS NOT NULL AND result IS NOT NULL)),
        CONSTRAINT ck_purchase_ops_finished CHECK ((state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL))
      )`);
    // Two purchases running at once never chase the same number.
    await q.query(`CREATE UNIQUE INDEX uq_purchase_ops_active_number ON purchase_operations (phone_number)
                   WHERE state NOT IN ('succeeded', 'failed')`);
    await q.query(`CREATE INDEX ix_purchase_ops_unfinished ON purchase_operations (updated_at)
                   WHERE state NOT IN ('succeeded', 'failed')`);
    await q.query(`CREATE INDEX ix_purchase_ops_created ON purchase_operations (created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE purchase_operations`);
  }
}
