import { performance } from 'node:perf_hooks';
import { PurchaseReconciler } from '../src/modules/purchases/purchase-reconciler';
import { startStandIns } from './support/provider-stand-ins';
import { expectProvidersAndDatabaseAgree } from './support/purchase-invariants';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

const POOL_SIZE = 4;
const PURCHASES = 10; // more than the pool holds

/**
 * No number of concurrent purchases can starve the database pool: a purchase waiting on a provider
 * holds no connection (its operation is leased by a row column), so the chatbot keeps answering.
 */
describe('concurrency: pool and locks', () => {
  let s: StandIns;
  let t: TestApp;
  const admin = () => ({ apiKey: t.adminKey });

  beforeAll(async () => {
    s = await startStandIns();
    t = await startTestApp({
      env: {
        ...s.env,
        DATABASE_POOL_SIZE: String(POOL_SIZE),
        // Long enough that the chatbot is asked many times while every purchase waits on VAPI.
        PROVIDER_TIMEOUT_MS: '4000',
        PURCHASE_RECONCILE_INTERVAL_MS: '0',
        PURCHASE_SETTLE_MS: '0',
        // Every lookup goes to the database: the pool itself is what is being proven.
        CHATBOT_LOOKUP_CACHE_SIZE: '0',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await s.stop();
  });
  afterEach(() => {
    s.twilio.clearFaults();
    s.vapi.clearFaults();
  });

  it(`finishes ${PURCHASES} concurrent purchases on a pool of ${POOL_SIZE} while VAPI hangs, and lookups answer within 100 ms throughout`, async () => {
    const { pm } = await t.factories.propertyManager();
    const { key: chatbotKey } = await t.factories.apiKey(['chatbot']);
    // Each purchase in its own area code, so none competes for another's number.
    const areaCodes = Array.from({ length: PURCHASES }, (_, i) => String(201 + i));
    s.twilio.forSale = ['+14125559999', ...areaCodes.map((code) => `+1${code}5550100`)];
    // One purchase first: the provider clients are loaded and the number is the chatbot's to look up.
    const first = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, admin());
    expect(first.status).toBe(201);
    await t.dataSource.query(`UPDATE purchased_phone_numbers SET status = 'assigned', assigned_to_type = 'property_manager', assigned_at = now() WHERE id = $1`, [
      first.body.purchased_phone_number_id,
    ]);
    s.vapi.fault('create', { type: 'hang' }, Infinity);

    const lookup = () => t.http.get('/chatbot/lookup?phone_number=%2B14125559999', { apiKey: chatbotKey });
    expect((await lookup()).status).toBe(200); // the key is verified once, before the load

    // "Waiting": until the first purchase gives up on VAPI. Were a connection held per waiting purchase,
    // the pool would be exhausted for all of this time.
    let waiting = true;
    const calls = areaCodes.map((area_code) => t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id, area_code }, admin()));
    void Promise.race(calls).finally(() => (waiting = false));
    const purchases = Promise.all(calls);

    // From the moment every purchase waits on VAPI until the first gives up, the chatbot is asked continuously.
    while (s.vapi.requestsFor('create').length < PURCHASES + 1) await new Promise((r) => setTimeout(r, 5));
    const latencies: number[] = [];
    const statuses = new Set<number>();
    while (waiting) {
      const started = performance.now();
      const res = await lookup();
      latencies.push(performance.now() - started);
      statuses.add(res.status);
      await new Promise((r) => setTimeout(r, 10));
    }
    const results = await purchases;

    // Every purchase ended: VAPI never answered, so each is a clear 504 that names its operation.
    expect(results.map((r) => r.status)).toEqual(areaCodes.map(() => 504));
    for (const r of results) expect(r.body).toMatchObject({ code: 'purchase_outcome_unknown', operation_id: expect.any(String) });
    expect(latencies.length).toBeGreaterThan(5);
    expect([...statuses]).toEqual([200]);
    expect(Math.max(...latencies)).toBeLessThan(100);
    expect((await t.http.get('/health')).status).toBe(200);
    // No operation is left leased by a worker that finished.
    const [{ leased }] = await t.dataSource.query(`SELECT count(*)::int AS leased FROM purchase_operations WHERE lease_owner IS NOT NULL`);
    expect(leased).toBe(0);

    // VAPI is back: the reconciler finishes every one of them, and nothing was lost or bought twice.
    s.vapi.clearFaults();
    await t.app.get(PurchaseReconciler).runOnce();
    const states = await t.dataSource.query(`SELECT state, count(*)::int AS n FROM purchase_operations GROUP BY state`);
    expect(states).toEqual([{ state: 'succeeded', n: PURCHASES + 1 }]);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('calls the providers once when one number is released twice at the same moment', async () => {
    const { pm } = await t.factories.propertyManager();
    s.twilio.forSale = ['+14125550777'];
    const bought = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, admin());
    expect(bought.status).toBe(201);
    const id = bought.body.purchased_phone_number_id;
    const before = { twilio: s.twilio.requestsFor('release').length, vapi: s.vapi.requestsFor('delete').length };
    // Slow enough that both releases overlap at the providers if nothing serialises them.
    s.vapi.fault('delete', { type: 'slow', ms: 300 }, 2);

    const [a, b] = await Promise.all([
      t.http.post(`/admin/purchased-numbers/${id}/release`, {}, admin()),
      t.http.post(`/admin/purchased-numbers/${id}/release`, {}, admin()),
    ]);

    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.code).toBe('number_released');
    expect(s.vapi.requestsFor('delete').length - before.vapi).toBe(1);
    expect(s.twilio.requestsFor('release').length - before.twilio).toBe(1);
    const audit = await t.dataSource.query(`SELECT outcome FROM audit_log WHERE action = 'purchased_number.release' AND target_id = $1 ORDER BY id`, [String(id)]);
    expect(audit.map((r: { outcome: string }) => r.outcome)).toEqual(['success', 'failure']);
    expect(s.twilio.owned.has('+14125550777')).toBe(false);
    const [row] = await t.dataSource.query(`SELECT status, released_at IS NOT NULL AS released FROM purchased_phone_numbers WHERE id = $1`, [id]);
    expect(row).toEqual({ status: 'inactive', released: true });
  });
});
