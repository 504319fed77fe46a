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
});
