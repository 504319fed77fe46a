import { signJwt, TEST_JWT_SECRET } from './support/factories';
import { startStandIns } from './support/provider-stand-ins';
import { expectProvidersAndDatabaseAgree } from './support/purchase-invariants';
import { buildService, freePort, ServiceProcess } from './support/service-process';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

/**
 * The service process is SIGKILLed while a purchase is mid-step, then started again: its
 * reconciler must bring every operation to a final state, with providers and database agreeing.
 */
describe('a crash at each purchase step', () => {
  let s: StandIns;
  let t: TestApp; // an in-process app on the same database: used for data set-up and checks only
  let service: ServiceProcess;
  let build: ReturnType<typeof buildService>;
  const jwt = signJwt({ sub: 'admin-crash-test', role: 'admin' });
  let phoneSeq = 0;

  beforeAll(async () => {
    s = await startStandIns();
    // Its reconciler never runs on its own (interval 0, long settle): only the child processes reconcile.
    t = await startTestApp({ env: { ...s.env, PURCHASE_RECONCILE_INTERVAL_MS: '0', PURCHASE_SETTLE_MS: '3600000' } });
    build = buildService();
    service = new ServiceProcess(build.entry, await freePort(), {
      ...s.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: t.databaseUrl,
      PROVIDER_TIMEOUT_MS: '5000',
      PURCHASE_RECONCILE_INTERVAL_MS: '200',
      PURCHASE_SETTLE_MS: '300',
    });
  });
  afterAll(async () => {
    await service.stop();
    await t.close();
    await s.stop();
    build.remove();
  });
  afterEach(() => {
    s.twilio.clearFaults();
    s.vapi.clearFaults();
  });

  async function crashDuring(hold: () => Promise<void>): Promise<{ pmId: number; phone: string }> {
    const { pm } = await t.factories.propertyManager();
    const phone = `+1412556${String(1000 + phoneSeq++)}`;
    s.twilio.forSale = [phone];
    // The instance restarted by the previous case serves this one: fewer start-ups, same proof.
    if (!service.running) await service.start();
    const call = fetch(`${service.baseUrl}/admin/purchase-phone-number`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: JSON.stringify({ property_manager_id: pm.id }),
    }).catch(() => undefined);
    await hold();
    await service.kill();
    await call;
    return { pmId: pm.id, phone };
  }

  async function restartAndSettle(pmId: number): Promise<string> {
    s.twilio.clearFaults();
    s.vapi.clearFaults();
    await service.start();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [op] = await t.dataSource.query(`SELECT state FROM purchase_operations WHERE property_manager_id = $1`, [pmId]);
      if (op && (op.state === 'succeeded' || op.state === 'failed')) return op.state;
      if (Date.now() > deadline) throw new Error(`operation still ${op?.state}:\n${service.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function recorded(pmId: number) {
    return t.dataSource.query(`SELECT phone_number, status FROM purchased_phone_numbers WHERE property_manager_id = $1`, [pmId]);
  }

  it('while Twilio is searching: closed as failed, nothing bought', async () => {
    s.twilio.fault('search', { type: 'hang' });
    const { pmId } = await crashDuring(() => s.twilio.waitForHeld('search'));
    expect(await restartAndSettle(pmId)).toBe('failed');
    expect(await recorded(pmId)).toEqual([]);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('after Twilio sold the number, before we heard: found, registered and recorded', async () => {
    s.twilio.fault('buy', { type: 'hang', afterProcessing: true });
    const { pmId, phone } = await crashDuring(() => s.twilio.waitForHeld('buy'));
    expect(await restartAndSettle(pmId)).toBe('succeeded');
    expect(await recorded(pmId)).toEqual([{ phone_number: phone, status: 'available' }]);
    expect(s.twilio.purchases.filter((p) => p.phone_number === phone)).toHaveLength(1);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('after VAPI registered the number, before we heard: found at VAPI and recorded', async () => {
    s.vapi.fault('create', { type: 'hang', afterProcessing: true });
    const { pmId, phone } = await crashDuring(() => s.vapi.waitForHeld('create'));
    expect(await restartAndSettle(pmId)).toBe('succeeded');
    expect(await recorded(pmId)).toEqual([{ phone_number: phone, status: 'available' }]);
    expect(s.vapi.requestsFor('create').filter((r) => r.body.number === phone)).toHaveLength(1);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('while our database write is under way: the write is redone, once', async () => {
    await t.dataSource.query(`CREATE FUNCTION test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$`);
    await t.dataSource.query(`CREATE TRIGGER test_slow_insert BEFORE INSERT ON purchased_phone_numbers FOR EACH ROW EXECUTE FUNCTION test_slow_insert()`);
    const { pmId, phone } = await crashDuring(async () => {
      for (;;) {
        const [active] = await t.dataSource.query(`SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'INSERT INTO "purchased_phone_numbers"%'`);
        if (active) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    await t.dataSource.query(`DROP TRIGGER test_slow_insert ON purchased_phone_numbers`);
    await t.dataSource.query(`DROP FUNCTION test_slow_insert()`);
    expect(await restartAndSettle(pmId)).toBe('succeeded');
    expect(await recorded(pmId)).toEqual([{ phone_number: phone, status: 'available' }]);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });

  it('while releasing a number VAPI refused: released on restart, closed as failed', async () => {
    s.vapi.fault('create', { type: 'error', status: 400 });
    s.twilio.fault('release', { type: 'hang' });
    const { pmId, phone } = await crashDuring(() => s.twilio.waitForHeld('release'));
    expect(await restartAndSettle(pmId)).toBe('failed');
    expect(await recorded(pmId)).toEqual([]);
    expect(s.twilio.owned.has(phone)).toBe(false);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });
});
