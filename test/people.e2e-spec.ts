import { randomUUID } from 'node:crypto';
import { startStandIns } from './support/provider-stand-ins';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

describe('people come and go', () => {
  let t: TestApp;
  let chatbotKey: string;
  const admin = () => ({ apiKey: t.adminKey });

  beforeAll(async () => {
    t = await startTestApp();
    chatbotKey = (await t.factories.apiKey(['chatbot'])).key;
  });
  afterAll(() => t.close());

  const lookup = (phone: string) => t.http.get(`/chatbot/lookup?phone_number=${encodeURIComponent(phone)}`, { apiKey: chatbotKey });

  describe('PATCH /property-manager/realtors/{id}', () => {
    it('changes a realtor of the calling PM; another PM gets 404; nothing to change is 400; a taken email 409', async () => {
      const a = await t.factories.propertyManager();
      const b = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(a.pm);
      const other = await t.factories.realtor(a.pm);

      const changed = await t.http.patch(`/property-manager/realtors/${realtor.realtor.id}`, { name: ' Jane Q ', email: 'jane.q@example.com' }, { jwt: a.jwt });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ realtor_id: realtor.realtor.id, name: 'Jane Q', email: 'jane.q@example.com' });

      const foreign = await t.http.patch(`/property-manager/realtors/${realtor.realtor.id}`, { name: 'Hijack' }, { jwt: b.jwt });
      expect(foreign.status).toBe(404);
      const empty = await t.http.patch(`/property-manager/realtors/${realtor.realtor.id}`, {}, { jwt: a.jwt });
      expect(empty.status).toBe(400);
      expect(empty.body.code).toBe('no_fields');
      const taken = await t.http.patch(`/property-manager/realtors/${other.realtor.id}`, { email: 'JANE.Q@example.com' }, { jwt: a.jwt });
      expect(taken.status).toBe(409);
      expect(taken.body.code).toBe('email_exists');
      const [row] = await t.dataSource.query('SELECT name, email FROM realtors WHERE id = $1', [realtor.realtor.id]);
      expect(row).toEqual({ name: 'Jane Q', email: 'jane.q@example.com' });
    });
  });

  describe('DELETE /property-manager/realtors/{id}', () => {
    it('removes a realtor holding a number: the number is available, the lookup 404s at once, history and the row are kept', async () => {
      const a = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(a.pm, { email: 'leaver@example.com' });
      const number = await t.factories.number(a.pm, { assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
      expect((await lookup(number.phoneNumber)).status).toBe(200);
      expect((await t.http.get('/my-number', { jwt: realtor.jwt })).status).toBe(200);

      const removed = await t.http.delete(`/property-manager/realtors/${realtor.realtor.id}`, { jwt: a.jwt });
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({ realtor_id: realtor.realtor.id, removed_at: expect.any(String), freed_purchased_phone_number_id: number.id });

      const [after] = await t.dataSource.query('SELECT status, assigned_realtor_id FROM purchased_phone_numbers WHERE id = $1', [number.id]);
      expect(after).toEqual({ status: 'available', assigned_realtor_id: null });
      expect((await lookup(number.phoneNumber)).status).toBe(404);
      const history = await t.dataSource.query('SELECT realtor_id, end_reason FROM number_assignment_history WHERE purchased_phone_number_id = $1', [number.id]);
      expect(history).toEqual([{ realtor_id: realtor.realtor.id, end_reason: 'removed' }]);
      const [kept] = await t.dataSource.query('SELECT removed_at FROM realtors WHERE id = $1', [realtor.realtor.id]);
      expect(kept.removed_at).not.toBeNull();

      // Their dashboard access stops; they vanish from the PM's list; their email is free again.
      expect((await t.http.get('/my-number', { jwt: realtor.jwt })).status).toBe(403);
      const list = await t.http.get('/property-manager/realtors?limit=200', { jwt: a.jwt });
      expect(list.body.realtors.map((r: { realtor_id: number }) => r.realtor_id)).not.toContain(realtor.realtor.id);
      const again = await t.http.post('/property-manager/realtors', { name: 'New Hire', email: 'LEAVER@example.com', auth_user_id: realtor.realtor.authUserId }, { jwt: a.jwt });
      expect(again.status).toBe(201);
      // Removed is gone: a second removal, an edit or an assignment to them is 404.
      expect((await t.http.delete(`/property-manager/realtors/${realtor.realtor.id}`, { jwt: a.jwt })).status).toBe(404);
      expect((await t.http.patch(`/property-manager/realtors/${realtor.realtor.id}`, { name: 'X' }, { jwt: a.jwt })).status).toBe(404);
      const assign = await t.http.post('/assign-phone-number', { purchased_phone_number_id: number.id, assign_to_type: 'realtor', assign_to_id: realtor.realtor.id }, { jwt: a.jwt });
      expect(assign.status).toBe(404);
    });

    it('removes a realtor holding nothing; a realtor of another PM is 404 and stays', async () => {
      const a = await t.factories.propertyManager();
      const b = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(a.pm);
      const foreign = await t.http.delete(`/property-manager/realtors/${realtor.realtor.id}`, { jwt: b.jwt });
      expect(foreign.status).toBe(404);
      const [stays] = await t.dataSource.query('SELECT removed_at FROM realtors WHERE id = $1', [realtor.realtor.id]);
      expect(stays.removed_at).toBeNull();
      const removed = await t.http.delete(`/property-manager/realtors/${realtor.realtor.id}`, { jwt: a.jwt });
      expect(removed.status).toBe(200);
      expect(removed.body.freed_purchased_phone_number_id).toBeNull();
    });

    it('the PM lookup no longer lists a removed realtor', async () => {
      const a = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(a.pm);
      const number = await t.factories.number(a.pm, { assignTo: { type: 'property_manager' } });
      expect((await lookup(number.phoneNumber)).body.realtor_ids).toEqual([realtor.realtor.id]);
      await t.http.delete(`/property-manager/realtors/${realtor.realtor.id}`, { jwt: a.jwt });
      expect((await lookup(number.phoneNumber)).body.realtor_ids).toEqual([]);
    });
  });

  describe('the database refuses a number held by someone who left', () => {
    it('refuses, by raw SQL, to give a number to a removed realtor, to remove a realtor holding one, or to put an offboarded PM\'s number back in service', async () => {
      const a = await t.factories.propertyManager();
      const holder = await t.factories.realtor(a.pm);
      const held = await t.factories.number(a.pm, { assignTo: { type: 'realtor', realtorId: holder.realtor.id } });
      await expect(t.dataSource.query('UPDATE realtors SET removed_at = now() WHERE id = $1', [holder.realtor.id])).rejects.toThrow(/still holds a number/);

      const gone = await t.factories.realtor(a.pm, { removedAt: new Date() });
      const free = await t.factories.number(a.pm);
      await expect(
        t.dataSource.query(`UPDATE purchased_phone_numbers SET status = 'assigned', assigned_to_type = 'realtor', assigned_realtor_id = $1, assigned_at = now() WHERE id = $2`, [gone.realtor.id, free.id]),
      ).rejects.toThrow(/is removed and cannot hold a number/);

      await expect(t.dataSource.query('UPDATE property_managers SET offboarded_at = now() WHERE id = $1', [a.pm.id])).rejects.toThrow(/still has numbers in service/);
      const offboarded = await t.factories.propertyManager();
      const number = await t.factories.number(offboarded.pm, { status: 'inactive' });
      await t.dataSource.query('UPDATE property_managers SET offboarded_at = now() WHERE id = $1', [offboarded.pm.id]);
      await expect(t.dataSource.query(`UPDATE purchased_phone_numbers SET status = 'available' WHERE id = $1`, [number.id])).rejects.toThrow(/offboarded/);
      const [unchanged] = await t.dataSource.query('SELECT status FROM purchased_phone_numbers WHERE id = $1', [held.id]);
      expect(unchanged.status).toBe('assigned');
    });
  });

  describe('GET|PATCH /admin/property-managers/{id}', () => {
    it('shows one PM with counts of realtors, numbers by status and pending requests', async () => {
      const a = await t.factories.propertyManager({ companyName: 'Acme' });
      const r1 = await t.factories.realtor(a.pm);
      await t.factories.realtor(a.pm);
      await t.factories.realtor(a.pm, { removedAt: new Date() });
      await t.factories.number(a.pm, { assignTo: { type: 'realtor', realtorId: r1.realtor.id } });
      await t.factories.number(a.pm);
      await t.factories.number(a.pm);
      await t.factories.number(a.pm, { status: 'inactive' });
      await t.factories.request(a.pm);
      await t.factories.request(a.pm, { status: 'cancelled', cancelledAt: new Date() });

      const res = await t.http.get(`/admin/property-managers/${a.pm.id}`, admin());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        property_manager_id: a.pm.id,
        name: a.pm.name,
        email: a.pm.email,
        auth_user_id: a.pm.authUserId,
        company_name: 'Acme',
        created_at: expect.any(String),
        offboarded_at: null,
        counts: { realtors: 2, numbers: { available: 2, assigned: 1, inactive: 1 }, pending_requests: 1 },
      });
      expect((await t.http.get('/admin/property-managers/999999', admin())).status).toBe(404);
      expect((await t.http.get('/admin/property-managers/abc', admin())).status).toBe(400);
    });

    it('changes name, email and company name; audited; a taken email is 409; nothing to change 400', async () => {
      const a = await t.factories.propertyManager();
      const b = await t.factories.propertyManager();
      const res = await t.http.patch(`/admin/property-managers/${a.pm.id}`, { name: 'Renamed', email: 'renamed@example.com', company_name: 'New Co' }, admin());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ property_manager_id: a.pm.id, name: 'Renamed', email: 'renamed@example.com', company_name: 'New Co' });
      const taken = await t.http.patch(`/admin/property-managers/${b.pm.id}`, { email: 'RENAMED@example.com' }, admin());
      expect(taken.status).toBe(409);
      expect((await t.http.patch(`/admin/property-managers/${b.pm.id}`, {}, admin())).status).toBe(400);
      expect((await t.http.patch(`/admin/property-managers/${b.pm.id}`, { role: 'admin' }, admin())).status).toBe(400);
      expect((await t.http.patch('/admin/property-managers/999999', { name: 'X' }, admin())).status).toBe(404);
      const audit = await t.dataSource.query(`SELECT outcome FROM audit_log WHERE action = 'property_manager.update' AND target_id = $1`, [String(a.pm.id)]);
      expect(audit).toEqual([{ outcome: 'success' }]);
    });
  });

  describe('POST /admin/property-managers/{id}/offboard (keeping the numbers)', () => {
    it('cancels pending requests, removes realtors, deactivates numbers; the PM cannot log in; idempotent and audited', async () => {
      const a = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(a.pm);
      const pmNumber = await t.factories.number(a.pm, { assignTo: { type: 'property_manager' } });
      const realtorNumber = await t.factories.number(a.pm, { assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
      const spare = await t.factories.number(a.pm);
      const request = await t.factories.request(a.pm);
      expect((await t.http.get('/my-number', { jwt: a.jwt })).status).toBe(200);

      const res = await t.http.post(`/admin/property-managers/${a.pm.id}/offboard`, { release_numbers: false }, admin());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        property_manager: expect.objectContaining({ property_manager_id: a.pm.id, offboarded_at: expect.any(String) }),
        cancelled_request_ids: [request.id],
        removed_realtor_ids: [realtor.realtor.id],
        deactivated_number_ids: [pmNumber.id, realtorNumber.id, spare.id],
        released_number_ids: [],
        release_failures: [],
        complete: true,
      });
      const numbers = await t.dataSource.query('SELECT status, released_at FROM purchased_phone_numbers WHERE property_manager_id = $1 ORDER BY id', [a.pm.id]);
      expect(numbers).toEqual([0, 1, 2].map(() => ({ status: 'inactive', released_at: null })));
      const [req] = await t.dataSource.query('SELECT status FROM phone_number_requests WHERE id = $1', [request.id]);
      expect(req.status).toBe('cancelled');
      expect((await lookup(pmNumber.phoneNumber)).status).toBe(404);
      expect((await t.http.get('/my-number', { jwt: a.jwt })).status).toBe(403);
      expect((await t.http.get('/my-number', { jwt: realtor.jwt })).status).toBe(403);

      // Nothing new for them.
      const add = await t.http.post('/admin/add-purchased-number', { property_manager_id: a.pm.id, phone_number: '+14125559911' }, admin());
      expect(add.status).toBe(409);
      expect(add.body.code).toBe('property_manager_offboarded');
      expect((await t.http.post(`/admin/purchased-numbers/${spare.id}/reactivate`, {}, admin())).status).toBe(409);

      const again = await t.http.post(`/admin/property-managers/${a.pm.id}/offboard`, {}, admin());
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ cancelled_request_ids: [], removed_realtor_ids: [], deactivated_number_ids: [], complete: true });
      expect(again.body.property_manager.offboarded_at).toBe(res.body.property_manager.offboarded_at);

      const detail = await t.http.get(`/admin/property-managers/${a.pm.id}`, admin());
      expect(detail.body.counts).toEqual({ realtors: 0, numbers: { available: 0, assigned: 0, inactive: 3 }, pending_requests: 0 });
      const audit = await t.dataSource.query(`SELECT outcome FROM audit_log WHERE action = 'property_manager.offboard' AND target_id = $1`, [String(a.pm.id)]);
      expect(audit).toEqual([{ outcome: 'success' }, { outcome: 'success' }]);
    });

    it('is refused (409) while a purchase for the PM is in progress, and goes through once it ended', async () => {
      const a = await t.factories.propertyManager();
      const number = await t.factories.number(a.pm);
      const id = randomUUID();
      await t.dataSource.query(
        `INSERT INTO purchase_operations (id, request_hash, property_manager_id, area_code, sandbox, state, actor)
         VALUES ($1, 'people', $2, '412', true, 'started', '{}'::jsonb)`,
        [id, a.pm.id],
      );
      const refused = await t.http.post(`/admin/property-managers/${a.pm.id}/offboard`, {}, admin());
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('purchase_in_progress');
      const [unchanged] = await t.dataSource.query('SELECT status FROM purchased_phone_numbers WHERE id = $1', [number.id]);
      expect(unchanged.status).toBe('available');
      const failures = await t.dataSource.query(`SELECT outcome FROM audit_log WHERE action LIKE '%offboard%' AND target_id = $1`, [String(a.pm.id)]);
      expect(failures).toEqual([{ outcome: 'failure' }]);

      await t.dataSource.query(`UPDATE purchase_operations SET state = 'failed', finished_at = now() WHERE id = $1`, [id]);
      expect((await t.http.post(`/admin/property-managers/${a.pm.id}/offboard`, {}, admin())).status).toBe(200);
    });

    it('answers 404 for an unknown PM and 400 for a bad body', async () => {
      expect((await t.http.post('/admin/property-managers/999999/offboard', {}, admin())).status).toBe(404);
      const a = await t.factories.propertyManager();
      expect((await t.http.post(`/admin/property-managers/${a.pm.id}/offboard`, { release_numbers: 'yes' }, admin())).status).toBe(400);
      expect((await t.http.post(`/admin/property-managers/${a.pm.id}/offboard`, { everything: true }, admin())).status).toBe(400);
    });
  });
});

describe('offboarding with release_numbers at Twilio and VAPI', () => {
  let s: StandIns;
  let t: TestApp;
  const admin = () => ({ apiKey: t.adminKey });

  beforeAll(async () => {
    s = await startStandIns();
    t = await startTestApp({ env: { ...s.env, PROVIDER_TIMEOUT_MS: '1500', PURCHASE_RECONCILE_INTERVAL_MS: '0', PURCHASE_SETTLE_MS: '0' } });
  });
  afterAll(async () => {
    await t.close();
    await s.stop();
  });

  async function buy(pmId: number, phones: string[]): Promise<Array<{ id: number; sid: string; vapiId: string; phone: string }>> {
    s.twilio.forSale = phones;
    const bought = [];
    for (const phone of phones) {
      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pmId, area_code: '412' }, admin());
      expect(res.status).toBe(201);
      expect(res.body.phone_number).toBe(phone);
      bought.push({ id: res.body.purchased_phone_number_id, sid: res.body.twilio_sid, vapiId: res.body.vapi_phone_number_id, phone });
    }
    return bought;
  }

  it('releases every number once at each provider', async () => {
    const { pm } = await t.factories.propertyManager();
    const numbers = await buy(pm.id, ['+14125550601', '+14125550602']);
    const twilioBefore = s.twilio.requestsFor('release').length;
    const vapiBefore = s.vapi.requestsFor('delete').length;

    const res = await t.http.post(`/admin/property-managers/${pm.id}/offboard`, { release_numbers: true }, admin());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ released_number_ids: numbers.map((n) => n.id), release_failures: [], complete: true });

    const twilioCalls = s.twilio.requestsFor('release').slice(twilioBefore).map((r) => r.path.split('/').pop());
    expect(twilioCalls.sort()).toEqual(numbers.map((n) => `${n.sid}.json`).sort());
    const vapiCalls = s.vapi.requestsFor('delete').slice(vapiBefore).map((r) => r.path.split('/').pop());
    expect(vapiCalls.sort()).toEqual(numbers.map((n) => n.vapiId).sort());
    for (const n of numbers) expect(s.twilio.ownedNumbers()).not.toContain(n.phone);
    const rows = await t.dataSource.query('SELECT status, released_at IS NOT NULL AS released FROM purchased_phone_numbers WHERE property_manager_id = $1', [pm.id]);
    expect(rows).toEqual([{ status: 'inactive', released: true }, { status: 'inactive', released: true }]);

    // Run again: nothing left to release, no provider called.
    const again = await t.http.post(`/admin/property-managers/${pm.id}/offboard`, { release_numbers: true }, admin());
    expect(again.body).toMatchObject({ released_number_ids: [], release_failures: [], complete: true });
    expect(s.twilio.requestsFor('release').length).toBe(twilioBefore + 2);
  });

  it('a provider failure mid-offboard leaves every number released or listed with its failure; running again finishes', async () => {
    const { pm } = await t.factories.propertyManager();
    const numbers = await buy(pm.id, ['+14125550701', '+14125550702', '+14125550703']);
    // The first release goes through; the second fails at Twilio.
    s.twilio.fault('release', { type: 'slow', ms: 1 }).fault('release', { type: '5xx' });

    const res = await t.http.post(`/admin/property-managers/${pm.id}/offboard`, { release_numbers: true }, admin());
    expect(res.status).toBe(200);
    expect(res.body.released_number_ids).toEqual([numbers[0].id, numbers[2].id]);
    expect(res.body.release_failures).toEqual([
      { purchased_phone_number_id: numbers[1].id, phone_number: numbers[1].phone, code: 'release_failed', detail: expect.any(String) },
    ]);
    expect(res.body.complete).toBe(false);
    const rows = await t.dataSource.query('SELECT id, status, released_at IS NOT NULL AS released FROM purchased_phone_numbers WHERE property_manager_id = $1 ORDER BY id', [pm.id]);
    expect(rows).toEqual([
      { id: numbers[0].id, status: 'inactive', released: true },
      { id: numbers[1].id, status: 'inactive', released: false },
      { id: numbers[2].id, status: 'inactive', released: true },
    ]);
    expect(s.twilio.ownedNumbers()).toContain(numbers[1].phone);

    const retry = await t.http.post(`/admin/property-managers/${pm.id}/offboard`, { release_numbers: true }, admin());
    expect(retry.body).toMatchObject({ released_number_ids: [numbers[1].id], release_failures: [], complete: true });
    for (const n of numbers) expect(s.twilio.ownedNumbers()).not.toContain(n.phone);
    // Twilio gave each number back exactly once.
    for (const n of numbers) expect(s.twilio.released.has(n.phone)).toBe(true);
    const audit = await t.dataSource.query(`SELECT outcome FROM audit_log WHERE action = 'purchased_number.release' AND target_id = $1 ORDER BY id`, [String(numbers[1].id)]);
    expect(audit).toEqual([{ outcome: 'failure' }, { outcome: 'success' }]);
  });
});
