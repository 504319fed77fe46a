import { startStandIns } from './support/provider-stand-ins';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

/** The guide's automated purchase through the real Twilio and VAPI SDKs, against stand-ins. */
describe('POST /admin/purchase-phone-number (live, stand-ins)', () => {
  let s: StandIns;
  let t: TestApp;
  const admin = () => ({ apiKey: t.adminKey });

  beforeAll(async () => {
    s = await startStandIns();
    t = await startTestApp({ env: { ...s.env, PROVIDER_TIMEOUT_MS: '400', PURCHASE_RECONCILE_INTERVAL_MS: '0', PURCHASE_SETTLE_MS: '0' } });
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
    // What VAPI got: an import of that Twilio number with our webhook and its secret header.
    const [create] = s.vapi.requestsFor('create');
    expect(create.headers.authorization).toBe(`Bearer ${s.vapi.apiKey}`);
    expect(create.body).toEqual({
      provider: 'twilio',
      number: '+14125550101',
      twilioAccountSid: s.twilio.accountSid,
      twilioAuthToken: 'stand-in-token',
      name: buy.body.FriendlyName,
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
    expect(ops.body.purchase_operations[0]).toMatchObject({ state: 'succeeded', phone_number: '+14125550101', purchased_phone_number_id: res.body.purchased_phone_number_id, sandbox: false });
  });
});
