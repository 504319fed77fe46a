import { randomUUID } from 'node:crypto';
import { startStandIns } from './support/provider-stand-ins';
import { expectProvidersAndDatabaseAgree } from './support/purchase-invariants';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

/**
 * The providers' published contracts: the stand-ins refuse what Twilio and VAPI would refuse,
 * and the service handles what their contracts allow them to answer.
 */
describe("providers' published contracts", () => {
  let s: StandIns;
  let t: TestApp;
  let numberSeq = 0;
  const admin = () => ({ apiKey: t.adminKey });
  const nextPhone = () => `+1412555${String(2000 + numberSeq++).padStart(4, '0')}`;

  beforeAll(async () => {
    s = await startStandIns();
    t = await startTestApp({ env: { ...s.env, PROVIDER_TIMEOUT_MS: '1500', PURCHASE_RECONCILE_INTERVAL_MS: '0', PURCHASE_SETTLE_MS: '0' } });
  });
  afterAll(async () => {
    await t.close();
    await s.stop();
  });
  afterEach(() => {
    s.twilio.entriesWithoutNumber = 0;
    s.twilio.buysAnsweredWithoutSid = 0;
  });

  describe('the stand-ins hold requests to the contracts', () => {
    const twilioAuth = () => `Basic ${Buffer.from(`${s.twilio.accountSid}:stand-in-token`).toString('base64')}`;
    const vapiCreate = (name: string) =>
      fetch(`${s.vapi.url}/phone-number`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.vapi.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'twilio', number: nextPhone(), twilioAccountSid: s.twilio.accountSid, twilioAuthToken: 'stand-in-token', name }),
      });

    it("refuses the VAPI name the service used to send (over 40 characters), as VAPI's contract does", async () => {
      const res = await vapiCreate(`PM 1 purchase ${randomUUID()}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string[] }).message).toEqual(['PhoneNumberController_create: /requestBody/name must NOT have more than 40 characters {"limit":40}']);
      expect(s.vapi.takeViolations().map((v) => v.message)).toEqual([expect.stringContaining('name must NOT have more than 40 characters')]);

      const short = await vapiCreate('PM 1 op 0f6e1a2b');
      expect(short.status).toBe(201);
      expect(s.vapi.takeViolations()).toEqual([]);
      s.vapi.numbers.delete(((await short.json()) as { id: string }).id); // registered here only, not by the service
    });

    it("refuses a malformed account SID, a form field over Twilio's stated 64 characters, and a SID outside the contract", async () => {
      const search = await fetch(`${s.twilio.url}/2010-04-01/Accounts/AC123/AvailablePhoneNumbers/US/Local.json?AreaCode=412`, { headers: { authorization: twilioAuth() } });
      expect(search.status).toBe(400);
      const buy = await fetch(`${s.twilio.url}/2010-04-01/Accounts/${s.twilio.accountSid}/IncomingPhoneNumbers.json`, {
        method: 'POST',
        headers: { authorization: twilioAuth(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ PhoneNumber: '412-555-0100', FriendlyName: 'x'.repeat(65), VoiceMethod: 'PUT' }).toString(),
      });
      expect(buy.status).toBe(400);
      const release = await fetch(`${s.twilio.url}/2010-04-01/Accounts/${s.twilio.accountSid}/IncomingPhoneNumbers/PN1234567890abcdef.json`, {
        method: 'DELETE',
        headers: { authorization: twilioAuth() },
      });
      expect(release.status).toBe(400);

      const messages = s.twilio.takeViolations().map((v) => v.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^ListAvailablePhoneNumberLocal: \/path\/AccountSid must match pattern/),
          expect.stringMatching(/^CreateIncomingPhoneNumber: \/requestBody\/PhoneNumber must match format "phone-number"/),
          expect.stringMatching(/^CreateIncomingPhoneNumber: \/requestBody\/VoiceMethod must be equal to one of the allowed values/),
          expect.stringMatching(/^CreateIncomingPhoneNumber: \/requestBody\/FriendlyName must NOT have more than 64 characters/),
          expect.stringMatching(/^DeleteIncomingPhoneNumber: \/path\/Sid must match pattern/),
        ]),
      );
      expect(s.twilio.owned.size).toBe(0);
    });

    it('refuses an operation the contract does not have, and a request without the Basic credentials it requires', async () => {
      const unknown = await fetch(`${s.twilio.url}/2010-04-01/Accounts/${s.twilio.accountSid}/Calls.json`, { headers: { authorization: twilioAuth() } });
      expect(unknown.status).toBe(400);
      const anonymous = await fetch(`${s.twilio.url}/2010-04-01/Accounts/${s.twilio.accountSid}/IncomingPhoneNumbers.json`);
      expect(anonymous.status).toBe(400);
      expect(s.twilio.takeViolations().map((v) => v.message)).toEqual([
        expect.stringContaining("no such operation in twilio's contract"),
        'ListIncomingPhoneNumber: Authorization must use the "basic" scheme',
      ]);
    });

    it('counts every request it checked', async () => {
      const before = s.vapi.validated;
      const res = await fetch(`${s.vapi.url}/phone-number?limit=10`, { headers: { authorization: `Bearer ${s.vapi.apiKey}` } });
      expect(res.status).toBe(200);
      expect(s.vapi.validated).toBe(before + 1);
    });
  });

  describe('answers the contracts allow', () => {
    it('skips search entries without a phone number and buys the first real one', async () => {
      const { pm } = await t.factories.propertyManager();
      const phone = nextPhone();
      s.twilio.forSale = [phone];
      s.twilio.entriesWithoutNumber = 2;

      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, admin());
      expect(res.status).toBe(201);
      expect(res.body.phone_number).toBe(phone);
      expect(s.twilio.requestsFor('buy').slice(-1)[0].body.PhoneNumber).toBe(phone);
      await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
    });

    it('answers 502 (a provider failure, never a 400 blaming the caller) when the search lists only entries without a number', async () => {
      const { pm } = await t.factories.propertyManager();
      s.twilio.forSale = [];
      s.twilio.entriesWithoutNumber = 3;
      const buys = s.twilio.requestsFor('buy').length;

      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, admin());
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.type).toContain('twilio_search_failed');
      expect(res.body.detail).toContain('area code 412');
      expect(s.twilio.requestsFor('buy')).toHaveLength(buys);
      const [op] = await t.dataSource.query(`SELECT state, phone_number FROM purchase_operations WHERE property_manager_id = $1`, [pm.id]);
      expect(op).toEqual({ state: 'failed', phone_number: null });
    });

    it('still answers 409 no_numbers_available when the search lists nothing at all', async () => {
      const { pm } = await t.factories.propertyManager();
      s.twilio.forSale = [];
      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, admin());
      expect(res.status).toBe(409);
      expect(res.body.type).toContain('no_numbers_available');
    });

    it('looks the number up when the buy is answered without a SID, and records it with the SID Twilio lists', async () => {
      const { pm } = await t.factories.propertyManager();
      const phone = nextPhone();
      s.twilio.forSale = [phone];
      s.twilio.buysAnsweredWithoutSid = 1;
      const lookups = s.twilio.requestsFor('lookup').length;

      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, admin());
      expect(res.status).toBe(201);
      expect(res.body.twilio_sid).toBe(s.twilio.owned.get(phone)!.sid);
      expect(s.twilio.requestsFor('lookup').length).toBe(lookups + 1);
      expect(s.twilio.purchases.filter((p) => p.phone_number === phone)).toHaveLength(1);
      await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
    });
  });

  it("releases a number added by hand with ids outside the providers' contracts without sending them a request they would refuse", async () => {
    const { pm } = await t.factories.propertyManager();
    const phone = nextPhone();
    const added = await t.http.post(
      '/admin/add-purchased-number',
      { property_manager_id: pm.id, phone_number: phone, twilio_sid: 'PN1234567890abcdef', vapi_phone_number_id: 'vapi_123' },
      admin(),
    );
    expect(added.status).toBe(201);
    const sent = s.twilio.requests.length + s.vapi.requests.length;

    const res = await t.http.post(`/admin/purchased-numbers/${added.body.purchased_phone_number_id}/release`, {}, admin());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'inactive', released_at: expect.any(String) });
    expect(s.twilio.requests.length + s.vapi.requests.length).toBe(sent);
  });
});
