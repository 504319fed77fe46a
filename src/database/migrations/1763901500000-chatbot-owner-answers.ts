import { MigrationInterface, QueryRunner } from 'typeorm';

// The first key of the advisory locks on a PM's answers (the second is the PM's id; 0 stands for
// all of them: shared by every writer, exclusive for a bulk write).
const ANSWERS_LOCK_SPACE = 17_639_015;
// More PMs than this in one statement is a bulk write.
const BULK_PMS = 1000;

/**
 * The chatbot's answer for every assigned number, kept as one row of JSON text, so a lookup the
 * cache cannot serve is a single-row select on a unique index (what `pgbench -S` measures), not a
 * three-table join with a sub-select.
 *
 * Kept by the database, not by each use case: statement-level triggers on the numbers, realtors
 * and property managers rewrite the rows a statement touched (any writer — the API, the legacy
 * import, a tech on psql — keeps it right, inside its own transaction). `chatbot_owner_answer_rows()`
 * is the one definition of the answer; the JSON it builds is byte for byte what `JSON.stringify`
 * writes for `OwnerLookupDto`, keys in its order. After a load with triggers off
 * (`session_replication_role = replica`), `SELECT rebuild_chatbot_owner_answers()` rebuilds it.
 */
export class ChatbotOwnerAnswers1763901500000 implements MigrationInterface {
  name = 'ChatbotOwnerAnswers1763901500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chatbot_owner_answers (
        purchased_phone_number_id integer PRIMARY KEY
          CONSTRAINT chatbot_owner_answers_purchased_phone_number_id_fkey REFERENCES purchased_phone_numbers (id) ON DELETE CASCADE,
        phone_number         text NOT NULL,
        vapi_phone_number_id text,
        property_manager_id  integer NOT NULL,
        answer               text NOT NULL,
        CONSTRAINT uq_chatbot_owner_answers_phone_number UNIQUE (phone_number),
        CONSTRAINT uq_chatbot_owner_answers_vapi_phone_number_id UNIQUE (vapi_phone_number_id)
      )`);
    await q.query(`CREATE INDEX ix_chatbot_owner_answers_property_manager ON chatbot_owner_answers (property_manager_id)`);

    // A set-returning SQL function with one SELECT: PostgreSQL inlines it into the caller, so a
    // filter on its columns reaches the indexes (a view would do the same, but TypeORM would see it).
    await q.query(`
      CREATE FUNCTION chatbot_owner_answer_rows()
      RETURNS TABLE (purchased_phone_number_id integer, phone_number text, vapi_phone_number_id text,
                     property_manager_id integer, answer text)
      LANGUAGE sql STABLE AS $$
        SELECT n.id, n.phone_number, n.vapi_phone_number_id, n.property_manager_id,
               '{"phone_number":' || to_json(n.phone_number)::text
            || ',"owner_type":' || to_json(n.assigned_to_type)::text
            || ',"owner_id":' || CASE WHEN n.assigned_to_type = 'realtor' THEN r.id ELSE pm.id END
            || ',"owner_name":' || to_json(CASE WHEN n.assigned_to_type = 'realtor' THEN r.name ELSE pm.name END)::text
            || ',"owner_email":' || to_json(CASE WHEN n.assigned_to_type = 'realtor' THEN r.email ELSE pm.email END)::text
            || ',"property_manager_id":' || pm.id
            || ',"property_manager_name":' || to_json(pm.name)::text
            || ',"company_name":' || coalesce(to_json(pm.company_name)::text, 'null')
            || ',"realtor_ids":' || CASE WHEN n.assigned_to_type = 'realtor' THEN 'null' ELSE array_to_json(ARRAY(
                 SELECT x.id FROM realtors x WHERE x.property_manager_id = n.property_manager_id AND x.removed_at IS NULL ORDER BY x.id))::text END
            || ',"purchased_phone_number_id":' || n.id
            || ',"vapi_phone_number_id":' || coalesce(to_json(n.vapi_phone_number_id)::text, 'null')
            || '}'
          FROM purchased_phone_numbers n
          JOIN property_managers pm ON pm.id = n.property_manager_id
          LEFT JOIN realtors r ON r.id = n.assigned_realtor_id
         WHERE n.status = 'assigned'
      $$`);

    await q.query(`
      CREATE FUNCTION rebuild_chatbot_owner_answers() RETURNS void LANGUAGE sql AS $$
        DELETE FROM chatbot_owner_answers;
        INSERT INTO chatbot_owner_answers (purchased_phone_number_id, phone_number, vapi_phone_number_id, property_manager_id, answer)
        SELECT * FROM chatbot_owner_answer_rows();
      $$`);

    // Writers of one PM's answers take turns: without it, a realtor joining while the PM's number
    // is assigned would leave that number's answer without them (each transaction computes from a
    // snapshot without the other's change). Held to the end of the transaction, taken in PM order
    // (no deadlock between two writers of several PMs); each statement after it reads afresh
    // (READ COMMITTED), so it sees what the transaction it waited for committed.
    await q.query(`
      CREATE FUNCTION lock_chatbot_owner_answers(property_manager_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF cardinality(property_manager_ids) > ${BULK_PMS} THEN
          -- A bulk write (the legacy import: one transaction, every PM) takes them all at once
          -- instead of a lock per PM, which would fill the server's lock table.
          PERFORM pg_advisory_xact_lock(${ANSWERS_LOCK_SPACE}, 0);
        ELSE
          PERFORM pg_advisory_xact_lock_shared(${ANSWERS_LOCK_SPACE}, 0);
          PERFORM pg_advisory_xact_lock(${ANSWERS_LOCK_SPACE}, id) FROM (SELECT DISTINCT unnest(property_manager_ids) AS id ORDER BY 1) ordered;
        END IF;
      END $$`);

    // The numbers a statement inserted or updated: their rows are written again (or gone when
    // the number is no longer assigned). Deleted numbers go by the foreign key's cascade.
    await q.query(`
      CREATE FUNCTION chatbot_owner_answers_of_numbers() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM lock_chatbot_owner_answers(ARRAY(SELECT DISTINCT property_manager_id FROM changed_numbers));
        DELETE FROM chatbot_owner_answers a USING changed_numbers c WHERE a.purchased_phone_number_id = c.id;
        INSERT INTO chatbot_owner_answers (purchased_phone_number_id, phone_number, vapi_phone_number_id, property_manager_id, answer)
        SELECT s.* FROM chatbot_owner_answer_rows() s WHERE s.purchased_phone_number_id IN (SELECT id FROM changed_numbers);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_numbers_owner_answers_insert AFTER INSERT ON purchased_phone_numbers
                   REFERENCING NEW TABLE AS changed_numbers FOR EACH STATEMENT EXECUTE FUNCTION chatbot_owner_answers_of_numbers()`);
    await q.query(`CREATE TRIGGER tr_numbers_owner_answers_update AFTER UPDATE ON purchased_phone_numbers
                   REFERENCING NEW TABLE AS changed_numbers FOR EACH STATEMENT EXECUTE FUNCTION chatbot_owner_answers_of_numbers()`);

    // A person's name, email or company, or a PM's realtors (joined, removed), change the answers
    // of every number of that PM: rewrite those whose text differs.
    await q.query(`
      CREATE FUNCTION refresh_chatbot_owner_answers(property_manager_ids integer[]) RETURNS void LANGUAGE sql AS $$
        UPDATE chatbot_owner_answers a SET answer = s.answer
          FROM chatbot_owner_answer_rows() s
         WHERE a.property_manager_id = ANY(property_manager_ids)
           -- Redundant, but it lets the planner reach each PM by its key instead of hashing them all.
           AND s.property_manager_id = a.property_manager_id
           AND s.purchased_phone_number_id = a.purchased_phone_number_id
           AND s.answer IS DISTINCT FROM a.answer;
      $$`);
    await q.query(`
      CREATE FUNCTION chatbot_owner_answers_of_people() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids integer[];
      BEGIN
        IF TG_TABLE_NAME = 'property_managers' THEN
          ids := ARRAY(SELECT id FROM new_people);
        ELSIF TG_OP = 'INSERT' THEN
          ids := ARRAY(SELECT DISTINCT property_manager_id FROM new_people);
        ELSIF TG_OP = 'DELETE' THEN
          ids := ARRAY(SELECT DISTINCT property_manager_id FROM old_people);
        ELSE
          ids := ARRAY(SELECT property_manager_id FROM old_people UNION SELECT property_manager_id FROM new_people);
        END IF;
        PERFORM lock_chatbot_owner_answers(ids);
        PERFORM refresh_chatbot_owner_answers(ids);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_realtors_owner_answers_insert AFTER INSERT ON realtors
                   REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION chatbot_owner_answers_of_people()`);
    await q.query(`CREATE TRIGGER tr_realtors_owner_answers_update AFTER UPDATE ON realtors
                   REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION chatbot_owner_answers_of_people()`);
    await q.query(`CREATE TRIGGER tr_realtors_owner_answers_delete AFTER DELETE ON realtors
                   REFERENCING OLD TABLE AS old_people FOR EACH STATEMENT EXECUTE FUNCTION chatbot_owner_answers_of_people()`);
    await q.query(`CREATE TRIGGER tr_property_managers_owner_answers_update AFTER UPDATE ON property_managers
                   REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION chatbot_owner_answers_of_people()`);

    await q.query(`SELECT rebuild_chatbot_owner_answers()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tr_property_managers_owner_answers_update ON property_managers`);
    await q.query(`DROP TRIGGER tr_realtors_owner_answers_delete ON realtors`);
    await q.query(`DROP TRIGGER tr_realtors_owner_answers_update ON realtors`);
    await q.query(`DROP TRIGGER tr_realtors_owner_answers_insert ON realtors`);
    await q.query(`DROP FUNCTION chatbot_owner_answers_of_people()`);
    await q.query(`DROP FUNCTION refresh_chatbot_owner_answers(integer[])`);
    await q.query(`DROP TRIGGER tr_numbers_owner_answers_update ON purchased_phone_numbers`);
    await q.query(`DROP TRIGGER tr_numbers_owner_answers_insert ON purchased_phone_numbers`);
    await q.query(`DROP FUNCTION chatbot_owner_answers_of_numbers()`);
    await q.query(`DROP FUNCTION lock_chatbot_owner_answers(integer[])`);
    await q.query(`DROP FUNCTION rebuild_chatbot_owner_answers()`);
    await q.query(`DROP FUNCTION chatbot_owner_answer_rows()`);
    await q.query(`DROP TABLE chatbot_owner_answers`);
  }
}
