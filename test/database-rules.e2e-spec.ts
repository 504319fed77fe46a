import { Client } from 'pg';
import { QueryFailedError } from 'typeorm';
import { startTestApp, TestApp } from './support/test-app';

/** The invariants hold even for writes that bypass the services. */
describe('rules the database enforces', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const rejects = (sql: string, params: unknown[], constraint: RegExp) =>
    expect(t.dataSource.query(sql, params)).rejects.toThrow(expect.objectContaining({ constructor: QueryFailedError, message: expect.stringMatching(constraint) }));

  it('a PM holds at most one number', async () => {
    const { pm } = await t.factories.propertyManager();
    await t.factories.number(pm, { assignTo: { type: 'property_manager' } });
    const second = await t.factories.number(pm);
    await rejects(`UPDATE purchased_phone_numbers SET status = 'assigned', assigned_to_type = 'property_manager', assigned_at = now() WHERE id = $1`, [second.id], /uq_numbers_one_per_property_manager/);
  });

  it('a realtor holds at most one number, and only one of their PM\'s', async () => {
    const { pm } = await t.factories.propertyManager();
    const { pm: other } = await t.factories.propertyManager();
    const { realtor } = await t.factories.realtor(pm);
    await t.factories.number(pm, { assignTo: { type: 'realtor', realtorId: realtor.id } });
    const second = await t.factories.number(pm);
    await rejects(
      `UPDATE purchased_phone_numbers SET status = 'assigned', assigned_to_type = 'realtor', assigned_realtor_id = $2, assigned_at = now() WHERE id = $1`,
      [second.id, realtor.id],
      /uq_numbers_one_per_realtor/,
    );
    const othersNumber = await t.factories.number(other);
    const { realtor: free } = await t.factories.realtor(pm);
    await rejects(
      `UPDATE purchased_phone_numbers SET status = 'assigned', assigned_to_type = 'realtor', assigned_realtor_id = $2, assigned_at = now() WHERE id = $1`,
      [othersNumber.id, free.id],
      /fk_numbers_assigned_realtor/,
    );
  });

  it('status and assignee agree', async () => {
    const { pm } = await t.factories.propertyManager();
    const number = await t.factories.number(pm);
    await rejects(`UPDATE purchased_phone_numbers SET status = 'assigned' WHERE id = $1`, [number.id], /ck_numbers_assignment_matches_status/);
    await rejects(`UPDATE purchased_phone_numbers SET status = 'sold' WHERE id = $1`, [number.id], /ck_numbers_status/);
    await rejects(`UPDATE purchased_phone_numbers SET phone_number = '4125551234' WHERE id = $1`, [number.id], /ck_numbers_e164/);
  });

  it('a phone number and a SID exist once', async () => {
    const { pm } = await t.factories.propertyManager();
    const number = await t.factories.number(pm);
    await rejects(
      `INSERT INTO purchased_phone_numbers (property_manager_id, phone_number, twilio_sid) VALUES ($1, $2, 'PNother')`,
      [pm.id, number.phoneNumber],
      /uq_numbers_phone_number/,
    );
    await rejects(
      `INSERT INTO purchased_phone_numbers (property_manager_id, phone_number, twilio_sid) VALUES ($1, '+14125550999', $2)`,
      [pm.id, number.twilioSid],
      /uq_numbers_twilio_sid/,
    );
  });

  it('request statuses and timestamps agree', async () => {
    const { pm } = await t.factories.propertyManager();
    const request = await t.factories.request(pm);
    await rejects(`UPDATE phone_number_requests SET status = 'fulfilled' WHERE id = $1`, [request.id], /ck_requests_fulfilled/);
    await rejects(`UPDATE phone_number_requests SET status = 'done' WHERE id = $1`, [request.id], /ck_requests_status/);
  });

  it('the audit log is append-only', async () => {
    await t.dataSource.query(`INSERT INTO audit_log (actor_type, action, outcome) VALUES ('test', 'test.action', 'success')`);
    await rejects(`UPDATE audit_log SET outcome = 'failure'`, [], /append-only/);
    await rejects(`DELETE FROM audit_log`, [], /append-only/);
    await rejects(`TRUNCATE audit_log`, [], /append-only/);
  });

  describe("the chatbot's answers (chatbot_owner_answers) follow every write", () => {
    const answerOf = async (numberId: number): Promise<string | undefined> =>
      (await t.dataSource.query(`SELECT answer FROM chatbot_owner_answers WHERE purchased_phone_number_id = $1`, [numberId]))[0]?.answer;
    // The whole table against its definition: nothing missing, nothing extra, nothing stale.
    const drift = () =>
      t.dataSource.query(`
        (SELECT * FROM chatbot_owner_answers EXCEPT SELECT * FROM chatbot_owner_answer_rows())
        UNION ALL (SELECT * FROM chatbot_owner_answer_rows() EXCEPT SELECT * FROM chatbot_owner_answers)`);

    it('is the JSON JSON.stringify writes, whatever the names hold', async () => {
      const name = 'Zoë "Z" O\'Brien \\ \u0001\t\n/ 🏠 \u2028';
      const { pm } = await t.factories.propertyManager({ name, companyName: 'Ünïcode & <Co> "Ltd"' });
      const number = await t.factories.number(pm, { assignTo: { type: 'property_manager' } });
      const { realtor } = await t.factories.realtor(pm, { name: 'R \\"quoted\\"' });
      expect(await answerOf(number.id)).toBe(
        JSON.stringify({
          phone_number: number.phoneNumber,
          owner_type: 'property_manager',
          owner_id: pm.id,
          owner_name: name,
          owner_email: pm.email,
          property_manager_id: pm.id,
          property_manager_name: name,
          company_name: 'Ünïcode & <Co> "Ltd"',
          realtor_ids: [realtor.id],
          purchased_phone_number_id: number.id,
          vapi_phone_number_id: number.vapiPhoneNumberId,
        }),
      );
    });

    it('through assignments, renames, realtors joining and leaving, releases and deletes made in plain SQL', async () => {
      const { pm } = await t.factories.propertyManager();
      const mine = await t.factories.number(pm);
      expect(await answerOf(mine.id)).toBeUndefined(); // available: nobody owns it

      await t.dataSource.query(`UPDATE purchased_phone_numbers SET status = 'assigned', assigned_to_type = 'property_manager', assigned_at = now() WHERE id = $1`, [mine.id]);
      expect(JSON.parse((await answerOf(mine.id))!)).toMatchObject({ owner_type: 'property_manager', owner_id: pm.id, realtor_ids: [] });

      await t.dataSource.query(`UPDATE property_managers SET name = 'Renamed PM', company_name = 'New Co' WHERE id = $1`, [pm.id]);
      expect(JSON.parse((await answerOf(mine.id))!)).toMatchObject({ owner_name: 'Renamed PM', property_manager_name: 'Renamed PM', company_name: 'New Co' });

      const { realtor: first } = await t.factories.realtor(pm);
      const { realtor: second } = await t.factories.realtor(pm);
      expect(JSON.parse((await answerOf(mine.id))!).realtor_ids).toEqual([first.id, second.id].sort((a, b) => a - b));

      const theirs = await t.factories.number(pm, { assignTo: { type: 'realtor', realtorId: second.id } });
      await t.dataSource.query(`UPDATE realtors SET name = 'Renamed realtor', email = 'new@example.com' WHERE id = $1`, [second.id]);
      expect(JSON.parse((await answerOf(theirs.id))!)).toMatchObject({
        owner_type: 'realtor', owner_id: second.id, owner_name: 'Renamed realtor', owner_email: 'new@example.com',
        property_manager_name: 'Renamed PM', realtor_ids: null,
      });

      await t.dataSource.query(`UPDATE realtors SET removed_at = now() WHERE id = $1`, [first.id]);
      expect(JSON.parse((await answerOf(mine.id))!).realtor_ids).toEqual([second.id]);

      await t.dataSource.query(`UPDATE purchased_phone_numbers SET vapi_phone_number_id = 'vapi-moved' WHERE id = $1`, [theirs.id]);
      const byVapi = await t.dataSource.query(`SELECT purchased_phone_number_id AS id FROM chatbot_owner_answers WHERE vapi_phone_number_id = 'vapi-moved'`);
      expect(byVapi).toEqual([{ id: theirs.id }]);

      await t.dataSource.query(
        `UPDATE purchased_phone_numbers SET status = 'inactive', assigned_to_type = NULL, assigned_realtor_id = NULL, assigned_at = NULL, released_at = now() WHERE id = $1`,
        [theirs.id],
      );
      expect(await answerOf(theirs.id)).toBeUndefined();

      await t.dataSource.query(`DELETE FROM number_assignment_history WHERE purchased_phone_number_id = $1`, [mine.id]);
      await t.dataSource.query(`DELETE FROM purchased_phone_numbers WHERE id = $1`, [mine.id]);
      expect(await answerOf(mine.id)).toBeUndefined();
      expect(await drift()).toEqual([]);
    });

    // Two transactions on one PM: each trigger computes from its own snapshot, so without taking
    // turns the number's answer would miss the realtor who joined meanwhile.
    describe('while a realtor joins and the PM\'s number is assigned at the same time', () => {
      const assignToPm = `UPDATE purchased_phone_numbers SET status = 'assigned', assigned_to_type = 'property_manager', assigned_at = now() WHERE id = $1`;
      const addRealtor = `INSERT INTO realtors (property_manager_id, name, email) VALUES ($1, 'Joins meanwhile', $2) RETURNING id`;

      async function race(first: 'realtor' | 'number') {
        const { pm } = await t.factories.propertyManager();
        const number = await t.factories.number(pm);
        const [a, b] = [new Client({ connectionString: t.databaseUrl }), new Client({ connectionString: t.databaseUrl })];
        await Promise.all([a.connect(), b.connect()]);
        try {
          await a.query('BEGIN');
          await b.query('BEGIN');
          const joins = () => b.query(addRealtor, [pm.id, `joins-${number.id}@example.com`]);
          const assigns = () => b.query(assignToPm, [number.id]);
          // `a` goes first and stays open while `b` makes the other change.
          if (first === 'realtor') await a.query(addRealtor, [pm.id, `joins-${number.id}@example.com`]);
          else await a.query(assignToPm, [number.id]);
          const second = first === 'realtor' ? assigns() : joins();
          await new Promise((r) => setTimeout(r, 200));
          await a.query('COMMIT');
          await second;
          await b.query('COMMIT');
        } finally {
          await Promise.all([a.end(), b.end()]);
        }
        const [{ id: realtorId }] = await t.dataSource.query(`SELECT id FROM realtors WHERE property_manager_id = $1`, [pm.id]);
        expect(JSON.parse((await answerOf(number.id))!).realtor_ids).toEqual([realtorId]);
        expect(await drift()).toEqual([]);
      }

      it('the realtor first', () => race('realtor'));
      it('the number first', () => race('number'));
    });

    it('a bulk write takes one lock for all PMs, not one per PM', async () => {
      const runner = t.dataSource.createQueryRunner();
      try {
        await runner.startTransaction();
        const pms: { id: number }[] = await runner.query(
          `INSERT INTO property_managers (name, email) SELECT 'Bulk ' || g, 'bulk-' || g || '-' || $1 || '@example.com' FROM generate_series(1, 1001) g RETURNING id`,
          [Date.now()],
        );
        await runner.query(`INSERT INTO realtors (property_manager_id, name, email) SELECT unnest($1::int[]), 'Bulk realtor', 'bulk-realtor@example.com'`, [pms.map((p) => p.id)]);
        const held = async () => (await runner.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 17639015 AND pid = pg_backend_pid()`))[0].n;
        expect(await held()).toBe(1);
        await runner.commitTransaction();
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
      expect(await drift()).toEqual([]);
    });

    it('can be rebuilt after a load with triggers off', async () => {
      const { pm } = await t.factories.propertyManager();
      const number = await t.factories.number(pm, { assignTo: { type: 'property_manager' } });
      const runner = t.dataSource.createQueryRunner();
      try {
        await runner.query(`SET session_replication_role = replica`);
        await runner.query(`UPDATE property_managers SET name = 'Loaded behind its back' WHERE id = $1`, [pm.id]);
        await runner.query(`RESET session_replication_role`);
      } finally {
        await runner.release();
      }
      expect(JSON.parse((await answerOf(number.id))!).owner_name).toBe(pm.name);
      await t.dataSource.query(`SELECT rebuild_chatbot_owner_answers()`);
      expect(JSON.parse((await answerOf(number.id))!).owner_name).toBe('Loaded behind its back');
      expect(await drift()).toEqual([]);
    });
  });
});
