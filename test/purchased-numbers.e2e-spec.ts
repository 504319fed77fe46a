import { nextPhoneNumber, PmFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('purchased numbers', () => {
  let t: TestApp;
  let pm: PmFixture;
  const admin = () => ({ apiKey: t.adminKey });

  beforeAll(async () => {
    t = await startTestApp();
    pm = await t.factories.propertyManager({ name: 'John Smith', email: `john-${Date.now()}@example.com` });
  });
  afterAll(() => t.close());

  describe('POST /admin/add-purchased-number', () => {
    it('records the number, fulfils exactly that PM\'s pending requests, and audits it', async () => {
      const other = await t.factories.propertyManager();
      const pending = [await t.factories.request(pm.pm), await t.factories.request(pm.pm)];
      const cancelled = await t.factories.request(pm.pm, { status: 'cancelled', cancelledAt: new Date() });
      const othersRequest = await t.factories.request(other.pm);
      const phoneNumber = nextPhoneNumber();

      const res = await t.http.post('/admin/add-purchased-number', { property_manager_id: pm.pm.id, phone_number: phoneNumber }, admin());
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        phone_number: phoneNumber,
        status: 'available',
        property_manager_id: pm.pm.id,
        pm_name: 'John Smith',
        pm_email: pm.pm.email,
        vapi_phone_number_id: null,
        fulfilled_request_ids: pending.map((r) => r.id),
      });
      // No SID given: one is generated, unique and unmistakable for Twilio's.
      expect(res.body.twilio_sid).toMatch(/^local-[0-9a-f]{32}$/);

      const statuses = await t.dataSource.query(
        'SELECT id, status, fulfilled_by_number_id FROM phone_number_requests WHERE id = ANY($1) ORDER BY id',
        [[...pending.map((r) => r.id), cancelled.id, othersRequest.id]],
      );
      expect(statuses).toEqual([
        { id: pending[0].id, status: 'fulfilled', fulfilled_by_number_id: res.body.purchased_phone_number_id },
        { id: pending[1].id, status: 'fulfilled', fulfilled_by_number_id: res.body.purchased_phone_number_id },
        { id: cancelled.id, status: 'cancelled', fulfilled_by_number_id: null },
        { id: othersRequest.id, status: 'pending', fulfilled_by_number_id: null },
      ]);

      const audit = await t.dataSource.query(`SELECT actor_type, credential, action, target_id, outcome, request_id FROM audit_log WHERE action = 'purchased_number.add' AND target_id = $1`, [String(res.body.purchased_phone_number_id)]);
      expect(audit).toEqual([{ actor_type: 'api_key', credential: expect.stringMatching(/^api_key:/), action: 'purchased_number.add', target_id: String(res.body.purchased_phone_number_id), outcome: 'success', request_id: res.headers.get('x-request-id') }]);
    });

    it.each([
      ['4125551234', 'no country code'],
      ['+1412555123', 'too short'],
      ['abc', 'not a number'],
      ['+1 412 555 1234', 'not E.164'],
      ['+19995551234', 'not a real area code'],
    ])('refuses %s (%s) and stores nothing', async (phoneNumber) => {
      const res = await t.http.post('/admin/add-purchased-number', { property_manager_id: pm.pm.id, phone_number: phoneNumber }, admin());
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, title: 'Invalid request', code: 'invalid_input' });
      expect(res.body.errors).toEqual([{ field: 'phone_number', message: expect.stringContaining('E.164') }]);
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM purchased_phone_numbers WHERE phone_number = $1', [phoneNumber]);
      expect(count).toBe(0);
    });

    it.each([
      ['missing PM', { phone_number: '+14125550111' }, 'property_manager_id'],
      ['PM id as text', { property_manager_id: 'one', phone_number: '+14125550111' }, 'property_manager_id'],
      ['malformed SID', { property_manager_id: 1, phone_number: '+14125550111', twilio_sid: 'XX123' }, 'twilio_sid'],
      ['unknown field', { property_manager_id: 1, phone_number: '+14125550111', pm_name: 'x' }, 'pm_name'],
      ['notes as a number', { property_manager_id: 1, phone_number: '+14125550111', notes: 5 }, 'notes'],
    ])('refuses a body with %s', async (_label, body, field) => {
      const res = await t.http.post('/admin/add-purchased-number', body, admin());
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('answers 404 for an unknown PM', async () => {
      const res = await t.http.post('/admin/add-purchased-number', { property_manager_id: 987654, phone_number: nextPhoneNumber() }, admin());
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('property_manager_not_found');
    });

    it('answers 409 for a number or SID that exists, and keeps the first', async () => {
      const phoneNumber = nextPhoneNumber();
      const first = await t.http.post('/admin/add-purchased-number', { property_manager_id: pm.pm.id, phone_number: phoneNumber, twilio_sid: 'PNaaaaaaaaaaaaaaaa' }, admin());
      expect(first.status).toBe(201);
      const sameNumber = await t.http.post('/admin/add-purchased-number', { property_manager_id: pm.pm.id, phone_number: phoneNumber }, admin());
      expect(sameNumber.status).toBe(409);
      expect(sameNumber.body.code).toBe('phone_number_exists');
      const sameSid = await t.http.post('/admin/add-purchased-number', { property_manager_id: pm.pm.id, phone_number: nextPhoneNumber(), twilio_sid: 'PNaaaaaaaaaaaaaaaa' }, admin());
      expect(sameSid.status).toBe(409);
      expect(sameSid.body.code).toBe('twilio_sid_exists');
      expect(JSON.stringify(sameSid.body)).not.toMatch(/duplicate key|constraint|INSERT/i);
    });

    it('does not fulfil requests when the add fails', async () => {
      const fresh = await t.factories.propertyManager();
      const request = await t.factories.request(fresh.pm);
      const taken = (await t.factories.number(pm.pm)).phoneNumber;
      expect((await t.http.post('/admin/add-purchased-number', { property_manager_id: fresh.pm.id, phone_number: taken }, admin())).status).toBe(409);
      const [row] = await t.dataSource.query('SELECT status FROM phone_number_requests WHERE id = $1', [request.id]);
      expect(row.status).toBe('pending');
    });

    it('is for admins only', async () => {
      const body = { property_manager_id: pm.pm.id, phone_number: nextPhoneNumber() };
      expect((await t.http.post('/admin/add-purchased-number', body)).status).toBe(401);
      expect((await t.http.post('/admin/add-purchased-number', body, { jwt: pm.jwt })).status).toBe(403);
      const chatbot = await t.factories.apiKey(['chatbot']);
      expect((await t.http.post('/admin/add-purchased-number', body, { apiKey: chatbot.key })).status).toBe(403);
    });
  });

  describe('GET /admin/all-purchased-numbers', () => {
    it('filters by PM and status and pages in a stable order', async () => {
      const owner = await t.factories.propertyManager();
      const { realtor } = await t.factories.realtor(owner.pm);
      const available = [await t.factories.number(owner.pm), await t.factories.number(owner.pm), await t.factories.number(owner.pm)];
      const assigned = await t.factories.number(owner.pm, { assignTo: { type: 'realtor', realtorId: realtor.id } });
      const inactive = await t.factories.number(owner.pm, { status: 'inactive' });

      const byStatus = async (status: string) =>
        (await t.http.get(`/admin/all-purchased-numbers?property_manager_id=${owner.pm.id}&status=${status}`, admin())).body.purchased_numbers.map(
          (n: { purchased_phone_number_id: number }) => n.purchased_phone_number_id,
        );
      expect(await byStatus('available')).toEqual(available.map((n) => n.id));
      expect(await byStatus('assigned')).toEqual([assigned.id]);
      expect(await byStatus('inactive')).toEqual([inactive.id]);

      const all = await t.http.get(`/admin/all-purchased-numbers?property_manager_id=${owner.pm.id}&limit=4`, admin());
      expect(all.body.purchased_numbers).toHaveLength(4);
      const rest = await t.http.get(`/admin/all-purchased-numbers?property_manager_id=${owner.pm.id}&limit=4&cursor=${all.body.next_cursor}`, admin());
      expect(rest.body.purchased_numbers.map((n: { purchased_phone_number_id: number }) => n.purchased_phone_number_id)).toEqual([inactive.id]);
      expect(rest.body.next_cursor).toBeNull();
      expect(all.body.purchased_numbers[3]).toMatchObject({ status: 'assigned', assigned_to_type: 'realtor', assigned_to_id: realtor.id, assigned_at: expect.any(String) });
    });

    it.each(['status=sold', 'property_manager_id=-1', 'limit=1000', 'cursor=%%%', 'foo=bar'])('refuses ?%s', async (query) => {
      expect((await t.http.get(`/admin/all-purchased-numbers?${query}`, admin())).status).toBe(400);
    });
  });

  describe('deactivate and reactivate', () => {
    it('deactivates an assigned number, ending its assignment into history', async () => {
      const owner = await t.factories.propertyManager();
      const { realtor, jwt: realtorJwt } = await t.factories.realtor(owner.pm);
      const number = await t.factories.number(owner.pm, { assignTo: { type: 'realtor', realtorId: realtor.id } });

      const res = await t.http.post(`/admin/purchased-numbers/${number.id}/deactivate`, {}, admin());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ purchased_phone_number_id: number.id, status: 'inactive', assigned_to_type: null, assigned_to_id: null });
      expect((await t.http.get('/my-number', { jwt: realtorJwt })).status).toBe(404);
      const history = await t.dataSource.query('SELECT assigned_to_type, realtor_id, end_reason FROM number_assignment_history WHERE purchased_phone_number_id = $1', [number.id]);
      expect(history).toEqual([{ assigned_to_type: 'realtor', realtor_id: realtor.id, end_reason: 'deactivated' }]);

      expect((await t.http.post(`/admin/purchased-numbers/${number.id}/deactivate`, {}, admin())).status).toBe(409);
      const back = await t.http.post(`/admin/purchased-numbers/${number.id}/reactivate`, {}, admin());
      expect(back.status).toBe(200);
      expect(back.body.status).toBe('available');
      expect((await t.http.post(`/admin/purchased-numbers/${number.id}/reactivate`, {}, admin())).status).toBe(409);

      const actions = await t.dataSource.query(`SELECT action FROM audit_log WHERE target_id = $1 AND target_type = 'purchased_phone_number' ORDER BY id`, [String(number.id)]);
      expect(actions.map((a: { action: string }) => a.action)).toEqual(['purchased_number.deactivate', 'purchased_number.reactivate']);
    });

    it('answers 404 for an unknown number and 400 for a bad id', async () => {
      expect((await t.http.post('/admin/purchased-numbers/999999/deactivate', {}, admin())).status).toBe(404);
      expect((await t.http.post('/admin/purchased-numbers/x/reactivate', {}, admin())).status).toBe(400);
    });

    it('never reactivates a released number', async () => {
      const owner = await t.factories.propertyManager();
      const number = await t.factories.number(owner.pm, { status: 'inactive' });
      await t.dataSource.query('UPDATE purchased_phone_numbers SET released_at = now() WHERE id = $1', [number.id]);
      const res = await t.http.post(`/admin/purchased-numbers/${number.id}/reactivate`, {}, admin());
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('number_released');
    });
  });

  describe('GET /purchased-phone-numbers', () => {
    it('shows the PM their numbers, the assignable ones and their realtors — nobody else\'s', async () => {
      const owner = await t.factories.propertyManager();
      const other = await t.factories.propertyManager();
      const { realtor } = await t.factories.realtor(owner.pm);
      await t.factories.realtor(other.pm);
      const free = await t.factories.number(owner.pm);
      const held = await t.factories.number(owner.pm, { assignTo: { type: 'property_manager' } });
      await t.factories.number(other.pm);

      const res = await t.http.get('/purchased-phone-numbers', { jwt: owner.jwt });
      expect(res.status).toBe(200);
      expect(res.body.purchased_numbers.map((n: { purchased_phone_number_id: number }) => n.purchased_phone_number_id)).toEqual([free.id, held.id]);
      expect(res.body.available_for_assignment.map((n: { purchased_phone_number_id: number }) => n.purchased_phone_number_id)).toEqual([free.id]);
      expect(res.body.realtors.map((r: { realtor_id: number }) => r.realtor_id)).toEqual([realtor.id]);
      expect(res.body.purchased_numbers[1]).toMatchObject({ assigned_to_type: 'property_manager', assigned_to_id: owner.pm.id });
    });
  });
});
