import { PurchaseReconciler } from '../src/modules/purchases/purchase-reconciler';
import { Fault, startStandIns } from './support/provider-stand-ins';
import { expectProvidersAndDatabaseAgree } from './support/purchase-invariants';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

interface Case {
  step: string;
  fault: string;
  inject: (s: StandIns, t: TestApp) => Promise<void> | void;
  /** What the first call answers. */
  status: number;
  code?: string;
  /** After the reconciler: is the number ours and recorded? */
  recorded: boolean;
}

const twilioFault = (step: 'search' | 'buy', fault: Fault) => (s: StandIns) => void s.twilio.fault(step, fault);
const vapiFault = (fault: Fault) => (s: StandIns) => void s.vapi.fault('create', fault);

/** Our own database refuses the insert of the number, the way each kind of failure looks to us. */
const databaseFault = (body: string) => async (_: StandIns, t: TestApp) => {
  await t.dataSource.query(`CREATE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NEW; END $$`);
  await t.dataSource.query(`CREATE TRIGGER test_fault BEFORE INSERT ON purchased_phone_numbers FOR EACH ROW EXECUTE FUNCTION test_fault()`);
};

const cases: Case[] = [
  { step: 'search', fault: 'definite error', inject: twilioFault('search', { type: 'error', status: 400, code: 21452 }), status: 502, code: 'twilio_search_failed', recorded: false },
  { step: 'search', fault: '5xx', inject: twilioFault('search', { type: '5xx' }), status: 502, code: 'twilio_search_failed', recorded: false },
  { step: 'search', fault: 'timeout', inject: twilioFault('search', { type: 'hang' }), status: 504, code: 'twilio_search_failed', recorded: false },
  { step: 'search', fault: 'success, then dropped connection', inject: twilioFault('search', { type: 'drop' }), status: 502, code: 'twilio_search_failed', recorded: false },
  { step: 'buy', fault: 'definite error (21422)', inject: twilioFault('buy', { type: 'error', status: 400, code: 21422 }), status: 502, code: 'number_not_available', recorded: false },
  { step: 'buy', fault: '5xx', inject: twilioFault('buy', { type: '5xx' }), status: 502, code: 'purchase_outcome_unknown', recorded: false },
  { step: 'buy', fault: 'timeout', inject: twilioFault('buy', { type: 'hang' }), status: 504, code: 'purchase_outcome_unknown', recorded: false },
  { step: 'buy', fault: 'slow but in time', inject: twilioFault('buy', { type: 'slow', ms: 150 }), status: 201, recorded: true },
  { step: 'buy', fault: 'success, then dropped connection', inject: twilioFault('buy', { type: 'drop' }), status: 201, recorded: true },
  { step: 'VAPI register', fault: 'definite error', inject: vapiFault({ type: 'error', status: 400 }), status: 502, code: 'vapi_registration_failed', recorded: false },
  { step: 'VAPI register', fault: '5xx', inject: vapiFault({ type: '5xx' }), status: 502, code: 'purchase_outcome_unknown', recorded: true },
  { step: 'VAPI register', fault: 'timeout', inject: vapiFault({ type: 'hang' }), status: 504, code: 'purchase_outcome_unknown', recorded: true },
  { step: 'VAPI register', fault: 'timeout after registering', inject: vapiFault({ type: 'hang', afterProcessing: true }), status: 201, recorded: true },
  { step: 'VAPI register', fault: 'success, then dropped connection', inject: vapiFault({ type: 'drop' }), status: 201, recorded: true },
  {
    step: 'database write',
    fault: 'definite error (check violation)',
    inject: databaseFault(`RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'`),
    status: 502,
    code: 'data_rule_violated',
    recorded: false,
  },
  {
    step: 'database write',
    fault: 'transient error (serialization failure, the 5xx of a database)',
    inject: databaseFault(`RAISE EXCEPTION 'busy' USING ERRCODE = 'serialization_failure'`),
    status: 503,
    code: 'purchase_outcome_unknown',
    recorded: true,
  },
  {
    step: 'database write',
    fault: 'timeout (statement cancelled)',
    inject: databaseFault(`RAISE EXCEPTION 'timeout' USING ERRCODE = 'query_canceled'`),
    status: 503,
    code: 'purchase_outcome_unknown',
    recorded: true,
  },
  {
    step: 'database write',
    fault: 'dropped connection',
    inject: databaseFault(`PERFORM pg_terminate_backend(pg_backend_pid())`),
    status: 503,
    code: 'purchase_outcome_unknown',
    recorded: true,
  },
];

describe('purchase faults at every step', () => {
  let s: StandIns;
  let t: TestApp;
  let numberSeq = 0;

  beforeAll(async () => {
    s = await startStandIns();
    t = await startTestApp({
      env: { ...s.env, PROVIDER_TIMEOUT_MS: '1000', PURCHASE_RECONCILE_INTERVAL_MS: '0', PURCHASE_SETTLE_MS: '0', PURCHASE_BUY_GRACE_MS: '0' },
    });
  });
  afterAll(async () => {
    await t.close();
    await s.stop();
  });
  afterEach(async () => {
    s.twilio.clearFaults();
    s.vapi.clearFaults();
    await t.dataSource.query(`DROP TRIGGER IF EXISTS test_fault ON purchased_phone_numbers`);
    await t.dataSource.query(`DROP FUNCTION IF EXISTS test_fault()`);
  });

  it.each(cases)('$step: $fault', async (c) => {
    const { pm } = await t.factories.propertyManager();
    const phone = `+1412555${String(1000 + numberSeq++).padStart(4, '0')}`;
    s.twilio.forSale = [phone];
    await c.inject(s, t);

    const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, { apiKey: t.adminKey });
    expect(res.status).toBe(c.status);
    if (c.code) {
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.type).toContain(c.code);
      expect(res.text).not.toMatch(/stand-in-token|at .*\.ts:|SELECT|INSERT/);
    }

    // Faults gone, the reconciler takes over whatever was left unfinished.
    s.twilio.clearFaults();
    s.vapi.clearFaults();
    await t.dataSource.query(`DROP TRIGGER IF EXISTS test_fault ON purchased_phone_numbers`);
    await t.app.get(PurchaseReconciler).runOnce();

    const [op] = await t.dataSource.query(`SELECT state FROM purchase_operations WHERE property_manager_id = $1`, [pm.id]);
    expect(op.state).toBe(c.recorded ? 'succeeded' : 'failed');
    const numbers = await t.dataSource.query(`SELECT phone_number, status FROM purchased_phone_numbers WHERE property_manager_id = $1`, [pm.id]);
    expect(numbers).toEqual(c.recorded ? [{ phone_number: phone, status: 'available' }] : []);
    expect(s.twilio.owned.has(phone)).toBe(c.recorded);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('two instances reconciling at once advance each purchase exactly once', async () => {
    const pms = await Promise.all([1, 2, 3, 4].map(() => t.factories.propertyManager()));
    const phones = pms.map(() => `+1412555${String(1000 + numberSeq++).padStart(4, '0')}`);
    for (const [i, { pm }] of pms.entries()) {
      s.twilio.forSale = [phones[i]];
      s.vapi.fault('create', { type: '5xx' });
      const res = await t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, { apiKey: t.adminKey });
      expect(res.status).toBe(502);
    }
    const creates = s.vapi.requestsFor('create').length;
    const second = await startTestApp({ databaseUrl: t.databaseUrl, env: { ...s.env, PURCHASE_RECONCILE_INTERVAL_MS: '0', PURCHASE_SETTLE_MS: '0', PURCHASE_BUY_GRACE_MS: '0' } });
    try {
      s.vapi.fault('list', { type: 'slow', ms: 50 }, Infinity);
      await Promise.all([t.app.get(PurchaseReconciler).runOnce(), second.app.get(PurchaseReconciler).runOnce()]);
    } finally {
      await second.close();
    }
    expect(s.vapi.requestsFor('create').length - creates).toBe(phones.length);
    const states = await t.dataSource.query(`SELECT state FROM purchase_operations WHERE phone_number = ANY($1)`, [phones]);
    expect(states.map((r: { state: string }) => r.state)).toEqual(phones.map(() => 'succeeded'));
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('a buy that lands at Twilio after our client gave up is still found and recorded', async () => {
    const patient = await startTestApp({
      databaseUrl: t.databaseUrl,
      env: { ...s.env, PROVIDER_TIMEOUT_MS: '500', PURCHASE_RECONCILE_INTERVAL_MS: '0', PURCHASE_SETTLE_MS: '0', PURCHASE_BUY_GRACE_MS: '60000' },
    });
    try {
      const { pm } = await t.factories.propertyManager();
      const phone = `+1412555${String(1000 + numberSeq++).padStart(4, '0')}`;
      s.twilio.forSale = [phone];
      s.twilio.fault('buy', { type: 'hang' });
      const res = await patient.http.post('/admin/purchase-phone-number', { property_manager_id: pm.id }, { apiKey: patient.adminKey });
      expect(res.status).toBe(504);

      // Not at Twilio yet: within the grace period the operation waits instead of failing.
      await patient.app.get(PurchaseReconciler).runOnce();
      const [waiting] = await t.dataSource.query(`SELECT state FROM purchase_operations WHERE property_manager_id = $1`, [pm.id]);
      expect(waiting.state).toBe('buying');

      // Twilio finishes the buy late; the next pass finds it and completes the purchase.
      s.twilio.sell(phone, s.twilio.requestsFor('buy').slice(-1)[0].body.FriendlyName);
      await patient.app.get(PurchaseReconciler).runOnce();
      const [done] = await t.dataSource.query(`SELECT state FROM purchase_operations WHERE property_manager_id = $1`, [pm.id]);
      expect(done.state).toBe('succeeded');
      const listed = await patient.http.get(`/admin/purchase-operations?state=succeeded&limit=1`, { apiKey: patient.adminKey });
      expect(listed.body.purchase_operations[0]).toMatchObject({ phone_number: phone, attempts: 2, needs_attention: false });
      await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
    } finally {
      await patient.close();
    }
  });
});
