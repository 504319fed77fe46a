import { PurchaseReconciler } from '../src/modules/purchases/purchase-reconciler';
import { startStandIns } from './support/provider-stand-ins';
import { expectProvidersAndDatabaseAgree } from './support/purchase-invariants';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

/** The guide's automated purchase through the real Twilio and VAPI SDKs, against stand-ins. */
describe('POST /admin/purchase-phone-number (live, stand-ins)', () => {
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

  it('searches, buys that number, registers it with VAPI, stores it and fulfils pending requests', async () => {
    const { pm } = await t.factories.propertyManager();
    const request = await t.factories.request(pm);
    s.twilio.forSale = ['+14125550101', '+14125550102'];

    const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id, area_code: '412', notes: 'Purchased via admin endpoint' }, admin());

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Phone number purchased and added successfully',
      purchased_phone_number_id: expect.any(Number),
      phone_number: '+14125550101',
      twilio_sid: expect.stringMatching(/^PN[0-9a-f]{32}$/),
      vapi_phone_number_id: expect.any(String),
      status: 'available',
      property_manager_id: pm.id,
    });

    // What Twilio got: a search for 412, then a buy of that specific number pointed at VAPI.
    const [search] = s.twilio.requestsFor('search');
    expect(search.path).toBe(`/2010-04-01/Accounts/${s.twilio.accountSid}/AvailablePhoneNumbers/US/Local.json`);
    expect(search.query).toMatchObject({ AreaCode: '412' });
    const [buy] = s.twilio.requestsFor('buy');
    expect(buy.path).toBe(`/2010-04-01/Accounts/${s.twilio.accountSid}/IncomingPhoneNumbers.json`);
    expect(buy.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(buy.body).toEqual({
      PhoneNumber: '+14125550101',
      VoiceUrl: `${s.vapi.url}/twilio/inbound_call`,
      SmsUrl: `${s.vapi.url}/twilio/sms`,
      FriendlyName: expect.stringMatching(new RegExp(`^PM ${pm.id} purchase [0-9a-f-]{36}$`)),
    });
    const operationId = /^PM \d+ purchase ([0-9a-f-]{36})$/.exec(buy.body.FriendlyName)![1];
    // What VAPI got: an import of that Twilio number with our webhook and its secret header, named
    // within VAPI's 40 characters by the PM and the operation's first 8 hex digits.
    const [create] = s.vapi.requestsFor('create');
    expect(create.headers.authorization).toBe(`Bearer ${s.vapi.apiKey}`);
    expect(create.body).toEqual({
      provider: 'twilio',
      number: '+14125550101',
      twilioAccountSid: s.twilio.accountSid,
      twilioAuthToken: 'stand-in-token',
      name: `PM ${pm.id} op ${operationId.slice(0, 8)}`,
      assistantId: 'assistant-stand-in',
      server: { url: 'https://pn.example.test/vapi/webhook', headers: { 'x-vapi-secret': 'webhook-secret-stand-in' } },
    });
    expect(s.twilio.requestsFor('buy')).toHaveLength(1);
    expect(s.vapi.requestsFor('create')).toHaveLength(1);
    expect(res.body.vapi_phone_number_id).toBe([...s.vapi.numbers.values()][0].id);

    const listed = await t.http.get(`/admin/all-purchased-numbers?property_manager_id=${pm.id}&status=available`, admin());
    expect(listed.body.purchased_numbers).toEqual([
      expect.objectContaining({ phone_number: '+14125550101', twilio_sid: res.body.twilio_sid, status: 'available', notes: 'Purchased via admin endpoint' }),
    ]);
    const requests = await t.http.get(`/admin/all-phone-number-requests?property_manager_id=${pm.id}`, admin());
    expect(requests.body.requests).toEqual([expect.objectContaining({ request_id: request.id, status: 'fulfilled' })]);

    const ops = await t.http.get('/admin/purchase-operations?state=succeeded', admin());
    expect(ops.status).toBe(200);
    expect(ops.body.purchase_operations[0]).toMatchObject({ operation_id: operationId, state: 'succeeded', phone_number: '+14125550101', purchased_phone_number_id: res.body.purchased_phone_number_id, sandbox: false });
  });

  describe('Idempotency-Key', () => {
    it('returns the first result for a sequential retry and never buys again', async () => {
      const { pm } = await t.factories.propertyManager();
      s.twilio.forSale = ['+14125550201'];
      const body = { property_manager_id: pm.id, area_code: '412' };
      const headers = { 'idempotency-key': `seq-${pm.id}` };
      const first = await t.http.post('/admin/purchase-phone-number', body, { ...admin(), headers });
      const again = await t.http.post('/admin/purchase-phone-number', body, { ...admin(), headers });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(s.twilio.purchases.filter((p) => p.phone_number === '+14125550201')).toHaveLength(1);

      // Same key, another body: refused, nothing bought.
      const other = await t.http.post('/admin/purchase-phone-number', { ...body, notes: 'different' }, { ...admin(), headers });
      expect(other.status).toBe(409);
      expect(other.body.type).toContain('idempotency_key_reused');
    });

    it('buys once when calls with one key arrive together, and all get the same answer', async () => {
      const { pm } = await t.factories.propertyManager();
      s.twilio.forSale = ['+14125550301', '+14125550302'];
      s.twilio.fault('buy', { type: 'slow', ms: 200 });
      const body = { property_manager_id: pm.id };
      const headers = { 'idempotency-key': `conc-${pm.id}` };
      const answers = await Promise.all(Array.from({ length: 4 }, () => t.http.post('/admin/purchase-phone-number', body, { ...admin(), headers })));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(answers.map((a) => a.body.purchased_phone_number_id)).size).toBe(1);
      expect(s.twilio.requestsFor('buy').filter((r) => r.body.FriendlyName.startsWith(`PM ${pm.id} `))).toHaveLength(1);
      const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM purchased_phone_numbers WHERE property_manager_id = $1`, [pm.id]);
      expect(count).toBe(1);
    });

    it('replays a failure as the same failure, without calling Twilio again', async () => {
      const { pm } = await t.factories.propertyManager();
      s.twilio.forSale = ['+14125550401'];
      s.twilio.fault('buy', { type: 'error', status: 400, code: 21422 });
      const body = { property_manager_id: pm.id };
      const headers = { 'idempotency-key': `fail-${pm.id}` };
      const first = await t.http.post('/admin/purchase-phone-number', body, { ...admin(), headers });
      const buys = s.twilio.requestsFor('buy').length;
      const again = await t.http.post('/admin/purchase-phone-number', body, { ...admin(), headers });
      expect(first.status).toBe(502);
      expect(again.status).toBe(502);
      expect(again.body.type).toBe(first.body.type);
      expect(again.body.detail).toBe(first.body.detail);
      expect(s.twilio.requestsFor('buy')).toHaveLength(buys);
    });

    it('rejects a malformed key', async () => {
      const { pm } = await t.factories.propertyManager();
      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, { ...admin(), headers: { 'idempotency-key': 'bad key with spaces' } });
      expect(res.status).toBe(400);
    });
  });

  it('answers 404 for an unknown PM and 400 for a bad area code, buying nothing', async () => {
    const buys = s.twilio.requestsFor('buy').length;
    const missing = await t.http.post('/admin/purchase-phone-number', { property_manager_id: 999999 }, admin());
    expect(missing.status).toBe(404);
    const bad = await t.http.post('/admin/purchase-phone-number', { property_manager_id: 1, area_code: '41' }, admin());
    expect(bad.status).toBe(400);
    expect(s.twilio.requestsFor('buy')).toHaveLength(buys);
  });

  describe('POST /admin/purchased-numbers/{id}/release', () => {
    async function buyOne(phone: string) {
      const pmFixture = await t.factories.propertyManager();
      s.twilio.forSale = [phone];
      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pmFixture.pm.id }, admin());
      expect(res.status).toBe(201);
      return { ...pmFixture, bought: res.body };
    }

    it('gives the number back at VAPI and Twilio, ends the assignment and keeps the row inactive', async () => {
      const { jwt, bought } = await buyOne('+14125550501');
      const assigned = await t.http.post('/assign-phone-number', { purchased_phone_number_id: bought.purchased_phone_number_id, assign_to_type: 'property_manager' }, { jwt });
      expect(assigned.status).toBeLessThan(300);

      const res = await t.http.post(`/admin/purchased-numbers/${bought.purchased_phone_number_id}/release`, {}, admin());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'inactive', assigned_to_type: null, released_at: expect.any(String), phone_number: '+14125550501' });
      expect(s.twilio.owned.has('+14125550501')).toBe(false);
      expect(s.vapi.numbers.has(bought.vapi_phone_number_id)).toBe(false);
      const [deleteCall] = s.twilio.requestsFor('release').slice(-1);
      expect(deleteCall.path).toBe(`/2010-04-01/Accounts/${s.twilio.accountSid}/IncomingPhoneNumbers/${bought.twilio_sid}.json`);
      const history = await t.dataSource.query(`SELECT end_reason FROM number_assignment_history WHERE purchased_phone_number_id = $1`, [bought.purchased_phone_number_id]);
      expect(history).toEqual([{ end_reason: 'released' }]);
      const audit = await t.dataSource.query(`SELECT outcome FROM audit_log WHERE action = 'purchased_number.release' AND target_id = $1`, [String(bought.purchased_phone_number_id)]);
      expect(audit).toEqual([{ outcome: 'success' }]);

      const again = await t.http.post(`/admin/purchased-numbers/${bought.purchased_phone_number_id}/release`, {}, admin());
      expect(again.status).toBe(409);
      const reactivate = await t.http.post(`/admin/purchased-numbers/${bought.purchased_phone_number_id}/reactivate`, {}, admin());
      expect(reactivate.status).toBe(409);
    });

    it('changes nothing when a provider fails, and a retry completes it', async () => {
      const { bought } = await buyOne('+14125550601');
      const id = bought.purchased_phone_number_id;

      s.vapi.fault('delete', { type: '5xx' });
      const vapiDown = await t.http.post(`/admin/purchased-numbers/${id}/release`, {}, admin());
      expect(vapiDown.status).toBe(502);
      expect(vapiDown.headers.get('content-type')).toContain('application/problem+json');

      s.twilio.fault('release', { type: 'hang' });
      const twilioSlow = await t.http.post(`/admin/purchased-numbers/${id}/release`, {}, admin());
      expect(twilioSlow.status).toBe(504);
      const forRequest = await t.dataSource.query(`SELECT action, outcome FROM audit_log WHERE request_id = $1`, [twilioSlow.headers.get('x-request-id')]);
      expect(forRequest).toEqual([{ action: 'purchased_number.release', outcome: 'failure' }]);

      const [row] = await t.dataSource.query(`SELECT status, released_at FROM purchased_phone_numbers WHERE id = $1`, [id]);
      expect(row).toEqual({ status: 'available', released_at: null });
      expect(s.twilio.owned.has('+14125550601')).toBe(true);

      const retry = await t.http.post(`/admin/purchased-numbers/${id}/release`, {}, admin());
      expect(retry.status).toBe(200);
      expect(s.twilio.owned.has('+14125550601')).toBe(false);
      const failures = await t.dataSource.query(`SELECT outcome FROM audit_log WHERE action = 'purchased_number.release' AND target_id = $1 ORDER BY id`, [String(id)]);
      expect(failures.map((f: { outcome: string }) => f.outcome)).toEqual(['failure', 'failure', 'success']);
    });
  });

  it('keeps the providers and our database in agreement after all of the above', async () => {
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });
});

describe('telephony modes', () => {
  it('sandbox buys nothing and says so in the response', async () => {
    const t = await startTestApp({ env: { TELEPHONY_MODE: 'sandbox' } });
    try {
      const { pm } = await t.factories.propertyManager();
      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id, area_code: '305' }, { apiKey: t.adminKey });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ sandbox: true, status: 'available', phone_number: expect.stringMatching(/^\+1305555\d{4}$/), twilio_sid: expect.stringMatching(/^SB/) });
      const released = await t.http.post(`/admin/purchased-numbers/${res.body.purchased_phone_number_id}/release`, {}, { apiKey: t.adminKey });
      expect(released.status).toBe(200);
      const [op] = (await t.http.get('/admin/purchase-operations', { apiKey: t.adminKey })).body.purchase_operations;
      expect(op).toMatchObject({ state: 'succeeded', sandbox: true });

      // The sandbox reconciler closes an interrupted sandbox purchase but never touches a live one.
      const insertOp = (id: string, sandbox: boolean) =>
        t.dataSource.query(
          `INSERT INTO purchase_operations (id, request_hash, property_manager_id, area_code, sandbox, state, phone_number, actor, created_at, updated_at)
           VALUES ($1, 'h', $2, '412', $3, 'buying', $4, '{"actorType":"api_key","actorId":"x","credential":"x","requestId":"r","clientIp":"127.0.0.1"}', now() - interval '1 hour', now() - interval '1 hour')`,
          [id, pm.id, sandbox, sandbox ? '+14125550901' : '+14125550902'],
        );
      await insertOp('00000000-0000-4000-8000-000000000001', true);
      await insertOp('00000000-0000-4000-8000-000000000002', false);
      await t.app.get(PurchaseReconciler).runOnce();
      const states = await t.dataSource.query(`SELECT sandbox, state FROM purchase_operations WHERE id::text LIKE '00000000-%' ORDER BY id`);
      expect(states).toEqual([{ sandbox: true, state: 'failed' }, { sandbox: false, state: 'buying' }]);

      const docs = await t.http.get('/docs-json');
      const purchase = docs.body.paths['/admin/purchase-phone-number'].post;
      expect(purchase.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
      expect(docs.body.paths['/admin/purchased-numbers/{id}/release']).toBeDefined();
      expect(docs.body.paths['/admin/purchase-operations']).toBeDefined();
    } finally {
      await t.close();
    }
  });

  it('in production without credentials, a purchase answers 503 instead of falling back to sandbox', async () => {
    const t = await startTestApp({ env: { NODE_ENV: 'production', TELEPHONY_MODE: '' } });
    try {
      expect(t.config.telephony.mode).toBe('live');
      const { pm } = await t.factories.propertyManager();
      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, { apiKey: t.adminKey });
      expect(res.status).toBe(503);
      expect(res.body.type).toContain('telephony_not_configured');
      expect(res.body.detail).toContain('TWILIO_ACCOUNT_SID');
      const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM purchase_operations`);
      expect(count).toBe(0);
      const audit = await t.dataSource.query(`SELECT outcome, details->>'code' AS code FROM audit_log WHERE action = 'purchased_number.purchase'`);
      expect(audit).toEqual([{ outcome: 'failure', code: 'telephony_not_configured' }]);
      // One request, one record: the filter does not add a second, route-named one.
      const forRequest = await t.dataSource.query(`SELECT action FROM audit_log WHERE request_id = $1`, [res.headers.get('x-request-id')]);
      expect(forRequest).toEqual([{ action: 'purchased_number.purchase' }]);
    } finally {
      await t.close();
    }
  });
});
