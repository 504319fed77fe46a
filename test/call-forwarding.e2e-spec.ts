import { startStandIns } from './support/provider-stand-ins';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

const NOTHING = { activate: null, deactivate: null, check: null };
const gsm = (n: string) => ({
  carrier_type: 'gsm',
  forward_all: { activate: `**21*${n}#`, deactivate: '##21#', check: '*#21#' },
  no_answer: { activate: `**61*${n}**25#`, deactivate: '##61#', check: '*#61#' },
  custom_ring_time: true,
  ring_time_seconds: 25,
});
/** ORIGIN.md's table, written out for the number n (E.164 for GSM, digits for Verizon and Xfinity). */
const TABLE: Record<string, (n: string) => object> = {
  'AT&T': gsm,
  'T-Mobile': gsm,
  Mint: gsm,
  Metro: gsm,
  'Consumer Cellular': gsm,
  'Ultra Mobile': gsm,
  Verizon: (n) => ({ carrier_type: 'verizon', forward_all: { activate: `*72 ${n.slice(1)}`, deactivate: '*73', check: null }, no_answer: NOTHING, custom_ring_time: false, ring_time_seconds: null }),
  'Xfinity Mobile': (n) => ({
    carrier_type: 'xfinity',
    forward_all: { activate: `*72 ${n.slice(1)}`, deactivate: '*73', check: null },
    no_answer: { activate: `*71 ${n.slice(1)}`, deactivate: '*73', check: null },
    custom_ring_time: false,
    ring_time_seconds: null,
  }),
  'Google Fi': () => ({ carrier_type: 'google_fi', forward_all: NOTHING, no_answer: NOTHING, custom_ring_time: false, ring_time_seconds: null }),
};

describe('call forwarding', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('GET /call-forwarding-carriers lists every carrier with its type and notes', async () => {
    const pm = await t.factories.propertyManager();
    const res = await t.http.get('/call-forwarding-carriers', { jwt: pm.jwt });
    expect(res.status).toBe(200);
    expect(res.body.carriers.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual(
      Object.entries(TABLE).map(([name, row]) => [name, (row('+14125550000') as { carrier_type: string }).carrier_type]),
    );
    expect(res.body.carriers.every((c: { notes: string }) => c.notes.length > 0)).toBe(true);
    expect((await t.http.get('/call-forwarding-carriers')).status).toBe(401);
  });

  it('a person never set up: everything off, no number, every code null (as AT&T)', async () => {
    const pm = await t.factories.propertyManager();
    const res = await t.http.get('/call-forwarding-state', { jwt: pm.jwt });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user_type: 'property_manager',
      user_id: pm.pm.id,
      twilio_number: null,
      forwarding_state: {
        carrier: null,
        business_forwarding_enabled: false,
        after_hours_enabled: false,
        last_after_hours_update: null,
        business_forwarding_confirmed_at: null,
        after_hours_last_enabled_at: null,
        after_hours_last_disabled_at: null,
        forwarding_failure_reason: null,
        last_forwarding_update: null,
      },
      forwarding_codes: expect.objectContaining({ carrier: 'AT&T', carrier_type: 'gsm', forward_all: NOTHING, no_answer: NOTHING }),
    });
  });

  describe.each(Object.keys(TABLE).map((carrier, i) => [carrier, `+1412555${7100 + i}`]))('dial codes for %s', (carrier, number) => {
    it('with the number assigned now, and every code null without one', async () => {
      const pm = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(pm.pm);
      // The PM holds another number; the codes are the realtor's own number's.
      await t.factories.number(pm.pm, { assignTo: { type: 'property_manager' } });
      const held = await t.factories.number(pm.pm, { assignTo: { type: 'realtor', realtorId: realtor.realtor.id }, phoneNumber: number });
      const set = await t.http.patch('/call-forwarding-state', { carrier, realtor_id: realtor.realtor.id }, { jwt: pm.jwt });
      expect(set.status).toBe(200);
      expect(set.body.twilio_number).toBe(number);
      expect(set.body.forwarding_codes).toMatchObject({ carrier, ...TABLE[carrier](number) });
      const mine = await t.http.get('/call-forwarding-state', { jwt: realtor.jwt });
      expect(mine.body).toMatchObject({ user_type: 'realtor', user_id: realtor.realtor.id, twilio_number: number, forwarding_state: { carrier } });
      expect(mine.body.forwarding_codes).toEqual(set.body.forwarding_codes);

      // Unassigned: no number, no codes (never a stale one).
      const unassigned = await t.http.post('/unassign-phone-number', { purchased_phone_number_id: held.id }, { jwt: pm.jwt });
      expect(unassigned.status).toBe(200);
      const none = await t.http.get(`/call-forwarding-state?realtor_id=${realtor.realtor.id}`, { jwt: pm.jwt });
      expect(none.body.twilio_number).toBeNull();
      expect(none.body.forwarding_codes).toMatchObject({ carrier, forward_all: NOTHING, no_answer: NOTHING });
    });
  });

  it('applies ORIGIN.md\'s rules and records each change as an event', async () => {
    const pm = await t.factories.propertyManager();
    const patch = (body: object) => t.http.patch('/call-forwarding-state', body, { jwt: pm.jwt });

    const none = await patch({});
    expect(none.status).toBe(400);
    expect((await patch({ realtor_id: undefined })).status).toBe(400);
    const unknown = await patch({ carrier: 'Sprint' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('unknown_carrier');
    expect((await patch({ confirmation_status: 'maybe' })).status).toBe(400);
    expect((await patch({ business_forwarding_enabled: 'yes' })).status).toBe(400);

    const on = await patch({ carrier: 'verizon', business_forwarding_enabled: true, after_hours_enabled: true, confirmation_status: 'success' });
    expect(on.status).toBe(200);
    const s1 = on.body.forwarding_state;
    expect(s1).toMatchObject({ carrier: 'Verizon', business_forwarding_enabled: true, after_hours_enabled: true, forwarding_failure_reason: null });
    expect(s1.business_forwarding_confirmed_at).not.toBeNull();
    expect(s1.after_hours_last_enabled_at).not.toBeNull();
    expect(s1.last_after_hours_update).not.toBeNull();
    expect(s1.last_forwarding_update).not.toBeNull();

    const failed = await patch({ confirmation_status: 'failure' });
    expect(failed.body.forwarding_state.forwarding_failure_reason).toBe('Carrier did not confirm forwarding.');
    const off = await patch({ business_forwarding_enabled: false, after_hours_enabled: false, notes: 'leaving for the day' });
    expect(off.body.forwarding_state).toMatchObject({ business_forwarding_enabled: false, business_forwarding_confirmed_at: null, after_hours_enabled: false });
    expect(off.body.forwarding_state.after_hours_last_disabled_at).not.toBeNull();

    const events = await t.http.get('/call-forwarding-events', { jwt: pm.jwt });
    expect(events.status).toBe(200);
    expect(events.body.events.map((e: { action: string }) => e.action)).toEqual(['forwarding_updated', 'forwarding_failed', 'forwarding_confirmed']);
    expect(events.body.events[0]).toEqual({
      event_id: expect.any(Number),
      target_user_type: 'property_manager',
      target_user_id: pm.pm.id,
      property_manager_id: pm.pm.id,
      action: 'forwarding_updated',
      initiated_by_user_type: 'property_manager',
      initiated_by_user_id: pm.pm.id,
      event_metadata: { business_forwarding_enabled: false, after_hours_enabled: false, notes: 'leaving for the day' },
      created_at: expect.any(String),
    });
    // Refused changes leave no event.
    const [count] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM call_forwarding_events e JOIN call_forwarding_states s ON s.id = e.state_id WHERE s.property_manager_id = $1`,
      [pm.pm.id],
    );
    expect(count.n).toBe(3);
  });

  it('a PM manages only their own realtors; a realtor only themselves', async () => {
    const a = await t.factories.propertyManager();
    const b = await t.factories.propertyManager();
    const ra = await t.factories.realtor(a.pm);
    const ra2 = await t.factories.realtor(a.pm);
    const rb = await t.factories.realtor(b.pm);

    expect((await t.http.get(`/call-forwarding-state?realtor_id=${rb.realtor.id}`, { jwt: a.jwt })).status).toBe(404);
    expect((await t.http.patch('/call-forwarding-state', { carrier: 'Mint', realtor_id: rb.realtor.id }, { jwt: a.jwt })).status).toBe(404);
    expect((await t.http.patch('/call-forwarding-state', { carrier: 'Mint', realtor_id: ra2.realtor.id }, { jwt: ra.jwt })).status).toBe(404);
    expect((await t.http.get(`/call-forwarding-state?realtor_id=${ra2.realtor.id}`, { jwt: ra.jwt })).status).toBe(404);
    const self = await t.http.patch('/call-forwarding-state', { carrier: 'Mint', realtor_id: ra.realtor.id }, { jwt: ra.jwt });
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ user_type: 'realtor', user_id: ra.realtor.id });
    const [rows] = await t.dataSource.query(`SELECT count(*)::int AS n FROM call_forwarding_states WHERE realtor_id = ANY($1)`, [[rb.realtor.id, ra2.realtor.id]]);
    expect(rows.n).toBe(0);

    // A removed realtor is gone here too.
    await t.http.delete(`/property-manager/realtors/${ra.realtor.id}`, { jwt: a.jwt });
    expect((await t.http.get(`/call-forwarding-state?realtor_id=${ra.realtor.id}`, { jwt: a.jwt })).status).toBe(404);

    // Events: the realtor's own; the PM's own and their realtors'; admins all, by PM.
    await t.http.patch('/call-forwarding-state', { carrier: 'Metro' }, { jwt: a.jwt });
    await t.http.patch('/call-forwarding-state', { carrier: 'Metro', realtor_id: ra2.realtor.id }, { jwt: a.jwt });
    await t.http.patch('/call-forwarding-state', { carrier: 'Metro' }, { jwt: b.jwt });
    const ofA = await t.http.get('/call-forwarding-events', { jwt: a.jwt });
    expect(ofA.body.events.map((e: { target_user_type: string; target_user_id: number }) => `${e.target_user_type}:${e.target_user_id}`)).toEqual([
      `realtor:${ra2.realtor.id}`,
      `property_manager:${a.pm.id}`,
      `realtor:${ra.realtor.id}`,
    ]);
    const ofRa2 = await t.http.get('/call-forwarding-events', { jwt: ra2.jwt });
    expect(ofRa2.body.events.map((e: { target_user_id: number }) => e.target_user_id)).toEqual([ra2.realtor.id]);
    expect(ofRa2.body.events[0]).toMatchObject({ initiated_by_user_type: 'property_manager', initiated_by_user_id: a.pm.id });

    const admin = await t.http.get(`/admin/call-forwarding-events?property_manager_id=${b.pm.id}`, { apiKey: t.adminKey });
    expect(admin.status).toBe(200);
    expect(admin.body.events.map((e: { property_manager_id: number }) => e.property_manager_id)).toEqual([b.pm.id]);
    const paged = await t.http.get(`/admin/call-forwarding-events?property_manager_id=${a.pm.id}&limit=2`, { apiKey: t.adminKey });
    expect(paged.body.events).toHaveLength(2);
    const rest = await t.http.get(`/admin/call-forwarding-events?property_manager_id=${a.pm.id}&limit=2&cursor=${paged.body.next_cursor}`, { apiKey: t.adminKey });
    expect(rest.body.events).toHaveLength(1);
    expect(rest.body.next_cursor).toBeNull();
    expect((await t.http.get('/admin/call-forwarding-events', { jwt: a.jwt })).status).toBe(403);
    expect((await t.http.get('/call-forwarding-events', { apiKey: t.adminKey })).status).toBe(403);
  });

  it('11 concurrent changes for one person: 10 succeed, 1 gets 429 with Retry-After; another person is not affected', async () => {
    const pm = await t.factories.propertyManager();
    const other = await t.factories.realtor(pm.pm);
    const results = await Promise.all(
      Array.from({ length: 11 }, (_, i) => t.http.patch('/call-forwarding-state', { after_hours_enabled: i % 2 === 0 }, { jwt: pm.jwt })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const refused = results.find((r) => r.status === 429)!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const [count] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM call_forwarding_events e JOIN call_forwarding_states s ON s.id = e.state_id WHERE s.property_manager_id = $1 AND s.realtor_id IS NULL`,
      [pm.pm.id],
    );
    expect(count.n).toBe(10);
    expect((await t.http.patch('/call-forwarding-state', { carrier: 'Mint', realtor_id: other.realtor.id }, { jwt: pm.jwt })).status).toBe(200);
    // An hour later the window has moved on.
    await t.dataSource.query(
      `UPDATE call_forwarding_events SET created_at = created_at - interval '61 minutes' WHERE state_id = (SELECT id FROM call_forwarding_states WHERE property_manager_id = $1 AND realtor_id IS NULL)`,
      [pm.pm.id],
    );
    expect((await t.http.patch('/call-forwarding-state', { carrier: 'Mint' }, { jwt: pm.jwt })).status).toBe(200);
  });
});

describe('call-forwarding SMS alerts through Twilio', () => {
  let s: StandIns;
  let t: TestApp;
  beforeAll(async () => {
    s = await startStandIns();
    t = await startTestApp({ env: { ...s.env, PROVIDER_TIMEOUT_MS: '1500', PURCHASE_RECONCILE_INTERVAL_MS: '0', FORWARDING_ALERT_NUMBER: '+14125550999', FORWARDING_ALERT_FROM_NUMBER: '+14125550998' } });
  });
  afterAll(async () => {
    await t.close();
    await s.stop();
  });

  it('texts operations on success and failure, not on other changes; a failed text never fails the request', async () => {
    const pm = await t.factories.propertyManager();
    await t.factories.number(pm.pm, { assignTo: { type: 'property_manager' }, phoneNumber: '+14125557301' });
    expect((await t.http.patch('/call-forwarding-state', { carrier: 'T-Mobile' }, { jwt: pm.jwt })).status).toBe(200);
    expect(s.twilio.messages).toHaveLength(0);

    const ok = await t.http.patch('/call-forwarding-state', { business_forwarding_enabled: true, confirmation_status: 'success' }, { jwt: pm.jwt });
    expect(ok.status).toBe(200);
    expect(s.twilio.messages).toEqual([{ sid: expect.stringMatching(/^SM/), to: '+14125550999', from: '+14125550998', body: expect.stringContaining('confirmed') }]);
    expect(s.twilio.messages[0].body).toContain('+14125557301');

    s.twilio.fault('message', { type: '5xx' });
    const failed = await t.http.patch('/call-forwarding-state', { confirmation_status: 'failure', failure_reason: 'No dial tone' }, { jwt: pm.jwt });
    expect(failed.status).toBe(200);
    expect(failed.body.forwarding_state.forwarding_failure_reason).toBe('No dial tone');
    expect(s.twilio.requestsFor('message')).toHaveLength(2);
    expect(s.twilio.messages).toHaveLength(1);
  });
});
