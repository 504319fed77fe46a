import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { InventoryMonitor } from '../src/modules/inventory/inventory-monitor';
import { startStandIns } from './support/provider-stand-ins';
import { expectProvidersAndDatabaseAgree } from './support/purchase-invariants';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

const VOICE_URL = (s: StandIns) => `${s.vapi.url}/twilio/inbound_call`;
const SMS_URL = (s: StandIns) => `${s.vapi.url}/twilio/sms`;
const SERVER_URL = 'https://pn.example.test/vapi/webhook';

/**
 * The drift report and its repairs, with the real twilio and VAPI SDKs talking to the stand-ins:
 * for each kind, make the drift, see it reported exactly once, repair it, see it gone, and the
 * providers and our rows agree; a repeated repair changes nothing.
 */
describe('inventory drift', () => {
  let s: StandIns;
  let t: TestApp;
  let seq = 0;
  const phone = () => `+1412556${String(1000 + seq++).padStart(4, '0')}`;
  const admin = () => ({ apiKey: t.adminKey });

  const drift = async (query = '') => {
    const res = await t.http.get(`/admin/inventory/drift${query}`, admin());
    expect(res.status).toBe(200);
    return res.body;
  };
  const findingsFor = async (number: string) => (await drift()).findings.filter((f: { phone_number: string }) => f.phone_number === number);

  /** A number bought the normal way: at Twilio, registered at VAPI, recorded. */
  const purchase = async () => {
    const { pm } = await t.factories.propertyManager();
    const number = phone();
    s.twilio.forSale = [number];
    const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, admin());
    expect(res.status).toBe(201);
    const [row] = await t.dataSource.query(`SELECT * FROM purchased_phone_numbers WHERE phone_number = $1`, [number]);
    return { pm, number, row };
  };
  /** Provider calls that change something (not the listings). */
  const changingCalls = () =>
    s.twilio.requests.filter((r) => r.method !== 'GET').length + s.vapi.requests.filter((r) => r.method !== 'GET').length;

  beforeAll(async () => {
    s = await startStandIns();
    t = await startTestApp({
      env: { ...s.env, PROVIDER_TIMEOUT_MS: '1000', PURCHASE_RECONCILE_INTERVAL_MS: '0', TWILIO_NUMBER_MONTHLY_PRICE: '1.15' },
    });
  });
  afterAll(async () => {
    await t.close();
    await s.stop();
  });
  afterEach(() => {
    s.twilio.clearFaults();
    s.vapi.clearFaults();
    s.twilio.maxPageSize = 1000;
  });

  it('reports nothing for numbers bought through the purchase flow', async () => {
    const { number } = await purchase();
    const report = await drift();
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({
      total: 0,
      counts: { untracked_at_twilio: 0, missing_at_twilio: 0, not_registered_at_vapi: 0, vapi_id_mismatch: 0, orphan_at_vapi: 0, webhook_misconfigured: 0 },
      untracked_cost: { monthly_amount: 0, currency: 'USD', unpriced: 0 },
    });
    expect(report.summary.inventory.twilio).toBe(s.twilio.owned.size);
    expect(report.sandbox).toBe(false);
    expect(s.twilio.ownedNumbers()).toContain(number);
  });

  it('untracked_at_twilio: reported with its cost, adopted with its real SID for a PM (fulfilling a request), adopting again changes nothing', async () => {
    const { pm } = await t.factories.propertyManager();
    const request = await t.factories.request(pm);
    const number = phone();
    const held = s.twilio.sell(number, 'bought in the Console', { voiceUrl: 'https://demo.twilio.com/welcome/voice/' });

    const [finding] = await findingsFor(number);
    expect(await findingsFor(number)).toHaveLength(1);
    expect(finding).toMatchObject({
      kind: 'untracked_at_twilio',
      ours: null,
      twilio: { sid: held.sid, voice_url: 'https://demo.twilio.com/welcome/voice/', monthly_price: null },
      vapi: [],
      fix: { method: 'POST', path: '/admin/inventory/adopt', body: { phone_number: number } },
    });
    expect((await drift()).summary.untracked_cost).toEqual({ monthly_amount: 1.15, currency: 'USD', unpriced: 0 });

    const adopted = await t.http.post('/admin/inventory/adopt', { phone_number: number, property_manager_id: pm.id, notes: 'from the Console' }, admin());
    expect(adopted.status).toBe(200);
    expect(adopted.body).toMatchObject({ adopted: true, twilio_sid: held.sid, status: 'available', property_manager_id: pm.id, fulfilled_request_ids: [request.id] });
    const registration = [...s.vapi.numbers.values()].find((v) => v.number === number)!;
    expect(adopted.body.vapi_phone_number_id).toBe(registration.id);
    expect(registration.server?.url).toBe(SERVER_URL);
    expect(s.twilio.owned.get(number)).toMatchObject({ voice_url: VOICE_URL(s), sms_url: SMS_URL(s) });
    expect(await findingsFor(number)).toEqual([]);

    const before = changingCalls();
    const again = await t.http.post('/admin/inventory/adopt', { phone_number: number, property_manager_id: pm.id }, admin());
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ adopted: false, purchased_phone_number_id: adopted.body.purchased_phone_number_id, fulfilled_request_ids: [] });
    expect(changingCalls()).toBe(before);
    const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM purchased_phone_numbers WHERE phone_number = $1`, [number]);
    expect(count).toBe(1);
    const audit = await t.dataSource.query(`SELECT outcome FROM audit_log WHERE action = 'inventory.adopt' AND target_id = $1`, [String(adopted.body.purchased_phone_number_id)]);
    expect(audit).toEqual([{ outcome: 'success' }]);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('untracked_at_twilio: released at Twilio instead; releasing again changes nothing; our own numbers are refused (409)', async () => {
    const number = phone();
    const held = s.twilio.sell(number, 'bought by mistake');
    expect((await findingsFor(number)).map((f: { kind: string }) => f.kind)).toEqual(['untracked_at_twilio']);

    const released = await t.http.post('/admin/inventory/release', { twilio_sid: held.sid }, admin());
    expect(released.status).toBe(200);
    expect(released.body).toEqual({ twilio_sid: held.sid, vapi_phone_number_id: null, released: true });
    expect(s.twilio.owned.has(number)).toBe(false);
    expect(await findingsFor(number)).toEqual([]);

    const before = changingCalls();
    const again = await t.http.post('/admin/inventory/release', { twilio_sid: held.sid }, admin());
    expect(again.body.released).toBe(false);
    expect(changingCalls()).toBe(before);

    const ours = await purchase();
    const refused = await t.http.post('/admin/inventory/release', { twilio_sid: ours.row.twilio_sid }, admin());
    expect(refused.status).toBe(409);
    expect(refused.body.type).toContain('number_is_tracked');
    const refusedVapi = await t.http.post('/admin/inventory/release', { vapi_phone_number_id: ours.row.vapi_phone_number_id }, admin());
    expect(refusedVapi.status).toBe(409);
    expect(s.twilio.owned.has(ours.number)).toBe(true);
    expect(s.vapi.numbers.has(ours.row.vapi_phone_number_id)).toBe(true);
    const both = await t.http.post('/admin/inventory/release', { twilio_sid: held.sid, vapi_phone_number_id: 'x' }, admin());
    expect(both.status).toBe(400);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('missing_at_twilio: released in the Console; repair records it released and removes its VAPI registration; again changes nothing', async () => {
    const { number, row } = await purchase();
    s.twilio.owned.delete(number);
    s.twilio.released.add(number);

    const findings = await findingsFor(number);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'missing_at_twilio', ours: { purchased_phone_number_id: row.id }, twilio: null, fix: { path: `/admin/purchased-numbers/${row.id}/repair` } });

    const repaired = await t.http.post(`/admin/purchased-numbers/${row.id}/repair`, {}, admin());
    expect(repaired.status).toBe(200);
    expect(repaired.body.actions).toEqual(['vapi_registration_removed', 'marked_released']);
    expect(repaired.body.number).toMatchObject({ status: 'inactive', notes: expect.stringContaining('Twilio no longer holds this number') });
    expect(repaired.body.number.released_at).not.toBeNull();
    expect(s.vapi.numbers.has(row.vapi_phone_number_id)).toBe(false);
    expect(await findingsFor(number)).toEqual([]);

    const before = changingCalls();
    const again = await t.http.post(`/admin/purchased-numbers/${row.id}/repair`, {}, admin());
    expect(again.status).toBe(200);
    expect(again.body.actions).toEqual([]);
    expect(changingCalls()).toBe(before);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('not_registered_at_vapi: repair registers it and records the new id; again changes nothing', async () => {
    const { number, row } = await purchase();
    s.vapi.numbers.delete(row.vapi_phone_number_id);

    const findings = await findingsFor(number);
    expect(findings.map((f: { kind: string }) => f.kind)).toEqual(['not_registered_at_vapi']);
    expect(findings[0].vapi).toEqual([]);

    const repaired = await t.http.post(`/admin/purchased-numbers/${row.id}/repair`, {}, admin());
    expect(repaired.status).toBe(200);
    expect(repaired.body.actions).toEqual(['vapi_registered']);
    const registration = [...s.vapi.numbers.values()].find((v) => v.number === number)!;
    expect(repaired.body.number.vapi_phone_number_id).toBe(registration.id);
    expect(registration.server?.url).toBe(SERVER_URL);
    expect(await findingsFor(number)).toEqual([]);

    const before = changingCalls();
    expect((await t.http.post(`/admin/purchased-numbers/${row.id}/repair`, {}, admin())).body.actions).toEqual([]);
    expect(changingCalls()).toBe(before);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('vapi_id_mismatch: our id is unknown to VAPI; repair records the real registration (not also an orphan); again changes nothing', async () => {
    const { number, row } = await purchase();
    const wrong = randomUUID();
    await t.dataSource.query(`UPDATE purchased_phone_numbers SET vapi_phone_number_id = $2 WHERE id = $1`, [row.id, wrong]);

    const findings = await findingsFor(number);
    expect(findings.map((f: { kind: string }) => f.kind)).toEqual(['vapi_id_mismatch']);
    expect(findings[0]).toMatchObject({ ours: { vapi_phone_number_id: wrong }, vapi: [{ id: row.vapi_phone_number_id, server_url: SERVER_URL }] });

    const repaired = await t.http.post(`/admin/purchased-numbers/${row.id}/repair`, {}, admin());
    expect(repaired.body.actions).toEqual(['vapi_id_recorded']);
    expect(repaired.body.number.vapi_phone_number_id).toBe(row.vapi_phone_number_id);
    expect(await findingsFor(number)).toEqual([]);

    const before = changingCalls();
    expect((await t.http.post(`/admin/purchased-numbers/${row.id}/repair`, {}, admin())).body.actions).toEqual([]);
    expect(changingCalls()).toBe(before);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('orphan_at_vapi: registered twice; the registration we do not know is released; again changes nothing', async () => {
    const { number, row } = await purchase();
    const twice = s.vapi.registerDirectly(number, { serverUrl: 'https://elsewhere.example/hook' });

    const findings = await findingsFor(number);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'orphan_at_vapi',
      ours: { purchased_phone_number_id: row.id },
      vapi: [{ id: twice.id, server_url: 'https://elsewhere.example/hook' }],
      fix: { path: '/admin/inventory/release', body: { vapi_phone_number_id: twice.id } },
    });

    const released = await t.http.post('/admin/inventory/release', { vapi_phone_number_id: twice.id }, admin());
    expect(released.body).toEqual({ twilio_sid: null, vapi_phone_number_id: twice.id, released: true });
    expect(s.vapi.numbers.has(twice.id)).toBe(false);
    expect(s.vapi.numbers.has(row.vapi_phone_number_id)).toBe(true);
    expect(await findingsFor(number)).toEqual([]);

    const before = changingCalls();
    expect((await t.http.post('/admin/inventory/release', { vapi_phone_number_id: twice.id }, admin())).body.released).toBe(false);
    expect(changingCalls()).toBe(before);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('webhook_misconfigured: URLs changed by hand at Twilio and VAPI; repair resets them; again changes nothing', async () => {
    const { number, row } = await purchase();
    Object.assign(s.twilio.owned.get(number)!, { voice_url: 'https://handler.example/voice', sms_url: '' });
    s.vapi.numbers.get(row.vapi_phone_number_id)!.server = { url: 'https://old.example/webhook' };

    const findings = await findingsFor(number);
    expect(findings).toHaveLength(1);
    expect(findings[0].kind).toBe('webhook_misconfigured');
    expect(findings[0].problem).toContain('Twilio voice URL is https://handler.example/voice');
    expect(findings[0].problem).toContain('VAPI server URL is https://old.example/webhook');
    expect((await drift('?kind=webhook_misconfigured')).findings.map((f: { phone_number: string }) => f.phone_number)).toEqual([number]);
    expect((await drift('?kind=orphan_at_vapi')).findings).toEqual([]);

    const repaired = await t.http.post(`/admin/purchased-numbers/${row.id}/repair`, {}, admin());
    expect(repaired.body.actions).toEqual(['twilio_urls_reset', 'vapi_server_url_reset']);
    expect(s.twilio.owned.get(number)).toMatchObject({ voice_url: VOICE_URL(s), sms_url: SMS_URL(s) });
    expect(s.vapi.numbers.get(row.vapi_phone_number_id)!.server).toEqual({ url: SERVER_URL, headers: { 'x-vapi-secret': 'webhook-secret-stand-in' } });
    expect(await findingsFor(number)).toEqual([]);

    const before = changingCalls();
    expect((await t.http.post(`/admin/purchased-numbers/${row.id}/repair`, {}, admin())).body.actions).toEqual([]);
    expect(changingCalls()).toBe(before);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('one finding of each kind at once, counted per kind; the scheduled check logs them and /health shows the counts', async () => {
    const untracked = phone();
    s.twilio.sell(untracked, 'Console');
    const missing = await purchase();
    s.twilio.owned.delete(missing.number);
    const unregistered = await purchase();
    s.vapi.numbers.delete(unregistered.row.vapi_phone_number_id);
    const mismatch = await purchase();
    await t.dataSource.query(`UPDATE purchased_phone_numbers SET vapi_phone_number_id = NULL WHERE id = $1`, [mismatch.row.id]);
    const orphan = await purchase();
    s.vapi.registerDirectly(orphan.number);
    const webhook = await purchase();
    s.twilio.owned.get(webhook.number)!.sms_url = 'https://handler.example/sms';

    const report = await drift();
    expect(report.summary.counts).toEqual({
      untracked_at_twilio: 1,
      missing_at_twilio: 1,
      not_registered_at_vapi: 1,
      vapi_id_mismatch: 1,
      orphan_at_vapi: 1,
      webhook_misconfigured: 1,
    });
    expect(report.summary.total).toBe(6);
    if (process.env.DRIFT_REPORT_OUT) writeFileSync(process.env.DRIFT_REPORT_OUT, JSON.stringify(report, null, 2));

    const monitor = t.app.get(InventoryMonitor);
    await monitor.runOnce();
    expect(monitor.state().counts).toEqual(report.summary.counts);
    const health = await t.http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.info.inventory_drift).toMatchObject({ status: 'up', counts: report.summary.counts, last_error: null });
    expect(health.body.info.database.status).toBe('up');
    // The same counts for Prometheus (an admin credential may scrape).
    const metrics = await t.http.get('/metrics', admin());
    expect(metrics.status).toBe(200);
    for (const [kind, count] of Object.entries(report.summary.counts)) {
      expect(metrics.text).toMatch(new RegExp(`^inventory_drift_findings\\{kind="${kind}"\\} ${count}$`, 'm'));
    }
    expect(metrics.text).toMatch(/^inventory_check_failing 0$/m);

    // Repair everything the report says, with the calls it names.
    for (const f of report.findings) {
      const body = f.kind === 'untracked_at_twilio' ? { twilio_sid: f.twilio.sid } : f.fix.body;
      const path = f.kind === 'untracked_at_twilio' ? '/admin/inventory/release' : f.fix.path;
      const res = await t.http.post(path, body ?? {}, admin());
      expect(res.status).toBe(200);
    }
    expect((await drift()).summary.total).toBe(0);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('reads every page: Twilio by next_page_uri, VAPI past 1,000 registrations by createdAt windows', async () => {
    const first = (await drift()).summary.inventory;
    s.twilio.maxPageSize = 2;
    const extra = Array.from({ length: 5 }, () => s.twilio.sell(phone(), 'Console'));
    const base = Date.parse('2026-01-01T00:00:00Z');
    // 1,050 registrations, several sharing a createdAt on the page boundaries.
    const orphans = Array.from({ length: 1050 }, (_, i) => s.vapi.registerDirectly(`+1999555${String(i).padStart(4, '0')}`, { createdAt: new Date(base + Math.floor(i / 3) * 1000) }));
    const twilioLists = s.twilio.requestsFor('lookup').length;
    const vapiLists = s.vapi.requestsFor('list').length;
    try {
      const report = await drift();
      expect(report.summary.inventory).toMatchObject({ twilio: first.twilio + 5, vapi: first.vapi + 1050 });
      expect(report.summary.counts.untracked_at_twilio).toBe(5);
      expect(report.summary.counts.orphan_at_vapi).toBe(1050);
      expect(new Set(report.findings.map((f: { phone_number: string }) => f.phone_number)).size).toBe(1055);

      const twilioPages = s.twilio.requestsFor('lookup').slice(twilioLists);
      expect(twilioPages.length).toBe(Math.ceil(s.twilio.owned.size / 2));
      expect(twilioPages[0].query).toEqual({ PageSize: '1000' });
      expect(twilioPages[1].query).toMatchObject({ Page: '1', PageToken: expect.stringMatching(/^PAPN/) });
      const vapiPages = s.vapi.requestsFor('list').slice(vapiLists);
      expect(vapiPages.length).toBeGreaterThanOrEqual(2);
      expect(vapiPages[0].query).toEqual({ limit: '1000' });
      expect(vapiPages[1].query).toMatchObject({ limit: '1000', createdAtLe: expect.any(String) });
    } finally {
      for (const o of orphans) s.vapi.numbers.delete(o.id);
      for (const n of extra) s.twilio.owned.delete(n.phone_number);
    }
  });

  it('leaves numbers of a purchase in progress alone: not reported, not adopted, not released', async () => {
    const { pm } = await t.factories.propertyManager();
    const number = phone();
    const held = s.twilio.sell(number, 'purchase in progress');
    const registration = s.vapi.registerDirectly(number, { serverUrl: SERVER_URL });
    await t.dataSource.query(
      `INSERT INTO purchase_operations (id, request_hash, property_manager_id, area_code, sandbox, state, actor, phone_number, twilio_sid, vapi_phone_number_id, lease_owner, lease_expires_at)
       VALUES ($1, 'x', $2, '412', false, 'recording', '{}'::jsonb, $3, $4, $5, $6, now() + interval '1 hour')`,
      [randomUUID(), pm.id, number, held.sid, registration.id, randomUUID()],
    );
    try {
      expect(await findingsFor(number)).toEqual([]);
      const adopt = await t.http.post('/admin/inventory/adopt', { phone_number: number, property_manager_id: pm.id }, admin());
      expect(adopt.status).toBe(409);
      expect(adopt.body.type).toContain('purchase_in_progress');
      expect((await t.http.post('/admin/inventory/release', { twilio_sid: held.sid }, admin())).status).toBe(409);
      expect((await t.http.post('/admin/inventory/release', { vapi_phone_number_id: registration.id }, admin())).status).toBe(409);
      expect(s.twilio.owned.has(number)).toBe(true);
      expect(s.vapi.numbers.has(registration.id)).toBe(true);
    } finally {
      await t.dataSource.query(`DELETE FROM purchase_operations WHERE phone_number = $1`, [number]);
      s.twilio.owned.delete(number);
      s.vapi.numbers.delete(registration.id);
    }
  });
});

describe('inventory drift in sandbox mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('compares our rows with what sandbox purchases created', async () => {
    const { pm } = await t.factories.propertyManager();
    const bought = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, { apiKey: t.adminKey });
    expect(bought.status).toBe(201);
    const byHand = await t.factories.number(pm);

    const report = (await t.http.get('/admin/inventory/drift', { apiKey: t.adminKey })).body;
    expect(report.sandbox).toBe(true);
    expect(report.summary.inventory).toMatchObject({ twilio: 1, vapi: 1, ours: 2 });
    expect(report.findings.map((f: { kind: string; phone_number: string }) => [f.kind, f.phone_number])).toEqual([['missing_at_twilio', byHand.phoneNumber]]);

    const repaired = await t.http.post(`/admin/purchased-numbers/${byHand.id}/repair`, {}, { apiKey: t.adminKey });
    expect(repaired.body.actions).toEqual(['marked_released']);
    expect((await t.http.get('/admin/inventory/drift', { apiKey: t.adminKey })).body.summary.total).toBe(0);
  });
});
