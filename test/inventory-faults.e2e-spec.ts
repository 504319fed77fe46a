import type { HttpResult } from './support/http-client';
import { Fault, startStandIns, TwilioStep, VapiStep } from './support/provider-stand-ins';
import { expectProvidersAndDatabaseAgree } from './support/purchase-invariants';
import { startTestApp, TestApp } from './support/test-app';

type StandIns = Awaited<ReturnType<typeof startStandIns>>;

const FAULTS: Array<{ name: string; fault: Fault; status: number; code: string }> = [
  { name: '4xx', fault: { type: 'error', status: 400 }, status: 502, code: 'inventory_provider_failed' },
  { name: '5xx', fault: { type: '5xx' }, status: 502, code: 'inventory_provider_failed' },
  { name: 'hang', fault: { type: 'hang' }, status: 504, code: 'inventory_provider_timeout' },
];

type Step = { provider: 'twilio'; step: TwilioStep } | { provider: 'vapi'; step: VapiStep };
const twilio = (step: TwilioStep): Step => ({ provider: 'twilio', step });
const vapi = (step: VapiStep): Step => ({ provider: 'vapi', step });

/** Each operation: the provider calls it makes, a fresh drift to act on, the call, and "nothing half-done" after a fault. */
interface Operation {
  name: string;
  steps: Step[];
  prepare: () => Promise<Record<string, any>>;
  call: (ctx: Record<string, any>) => Promise<HttpResult>;
  /** After the fault: what must still be as it was. */
  unchanged: (ctx: Record<string, any>) => Promise<void>;
  /** Retried without the fault, the operation succeeds. */
  retried: (ctx: Record<string, any>, res: HttpResult) => Promise<void>;
}

describe('provider faults during the drift report and each repair', () => {
  let s: StandIns;
  let t: TestApp;
  let seq = 0;
  const phone = () => `+1412557${String(1000 + seq++).padStart(4, '0')}`;
  const post = (path: string, body: unknown) => t.http.post(path, body, { apiKey: t.adminKey });
  const rowOf = async (number: string) => (await t.dataSource.query(`SELECT * FROM purchased_phone_numbers WHERE phone_number = $1`, [number]))[0];
  const purchase = async () => {
    const { pm } = await t.factories.propertyManager();
    const number = phone();
    s.twilio.forSale = [number];
    const res = await post('/admin/purchase-phone-number', { property_manager_id: pm.id });
    expect(res.status).toBe(201);
    return { pm, number, row: await rowOf(number) };
  };

  const operations: Operation[] = [
    {
      name: 'drift report',
      steps: [twilio('lookup'), vapi('list')],
      prepare: async () => ({}),
      call: () => t.http.get('/admin/inventory/drift', { apiKey: t.adminKey }),
      unchanged: async () => undefined,
      retried: async (_ctx, res) => {
        expect(res.status).toBe(200);
        expect(res.body.summary.total).toBe(0);
      },
    },
    {
      name: 'adopt',
      steps: [twilio('lookup'), vapi('list'), twilio('update'), vapi('create')],
      prepare: async () => {
        const { pm } = await t.factories.propertyManager();
        const number = phone();
        s.twilio.sell(number, 'Console');
        return { pm, number };
      },
      call: (c) => post('/admin/inventory/adopt', { phone_number: c.number, property_manager_id: c.pm.id }),
      unchanged: async (c) => {
        expect(await rowOf(c.number)).toBeUndefined();
        expect([...s.vapi.numbers.values()].filter((v) => v.number === c.number)).toEqual([]);
        expect(s.twilio.owned.has(c.number)).toBe(true);
      },
      retried: async (_c, res) => {
        expect(res.status).toBe(200);
        expect(res.body.adopted).toBe(true);
      },
    },
    {
      name: 'repair (URLs)',
      steps: [twilio('lookup'), vapi('list'), twilio('update'), vapi('update')],
      prepare: async () => {
        const p = await purchase();
        Object.assign(s.twilio.owned.get(p.number)!, { voice_url: 'https://handler.example/voice' });
        s.vapi.numbers.get(p.row.vapi_phone_number_id)!.server = { url: 'https://old.example/hook' };
        return p;
      },
      call: (c) => post(`/admin/purchased-numbers/${c.row.id}/repair`, {}),
      unchanged: async (c) => expect(await rowOf(c.number)).toEqual(c.row),
      retried: async (_c, res) => {
        expect(res.status).toBe(200);
        expect(res.body.actions.length).toBeGreaterThan(0);
      },
    },
    {
      name: 'repair (register)',
      steps: [vapi('create')],
      prepare: async () => {
        const p = await purchase();
        s.vapi.numbers.delete(p.row.vapi_phone_number_id);
        return p;
      },
      call: (c) => post(`/admin/purchased-numbers/${c.row.id}/repair`, {}),
      unchanged: async (c) => {
        expect(await rowOf(c.number)).toEqual(c.row);
        expect([...s.vapi.numbers.values()].filter((v) => v.number === c.number)).toEqual([]);
      },
      retried: async (_c, res) => expect(res.body.actions).toEqual(['vapi_registered']),
    },
    {
      name: 'repair (gone at Twilio)',
      steps: [vapi('delete')],
      prepare: async () => {
        const p = await purchase();
        s.twilio.owned.delete(p.number);
        return p;
      },
      call: (c) => post(`/admin/purchased-numbers/${c.row.id}/repair`, {}),
      unchanged: async (c) => {
        expect(await rowOf(c.number)).toEqual(c.row);
        expect(s.vapi.numbers.has(c.row.vapi_phone_number_id)).toBe(true);
      },
      retried: async (_c, res) => expect(res.body.actions).toEqual(['vapi_registration_removed', 'marked_released']),
    },
    {
      name: 'release (Twilio number)',
      steps: [twilio('lookup'), twilio('release')],
      prepare: async () => ({ held: s.twilio.sell(phone(), 'Console') }),
      call: (c) => post('/admin/inventory/release', { twilio_sid: c.held.sid }),
      unchanged: async (c) => expect(s.twilio.owned.has(c.held.phone_number)).toBe(true),
      retried: async (_c, res) => expect(res.body.released).toBe(true),
    },
    {
      name: 'release (VAPI registration)',
      steps: [vapi('list'), vapi('delete')],
      prepare: async () => ({ orphan: s.vapi.registerDirectly(phone()) }),
      call: (c) => post('/admin/inventory/release', { vapi_phone_number_id: c.orphan.id }),
      unchanged: async (c) => expect(s.vapi.numbers.has(c.orphan.id)).toBe(true),
      retried: async (_c, res) => expect(res.body.released).toBe(true),
    },
  ];

  const cases = operations.flatMap((operation) =>
    operation.steps.flatMap((step) => FAULTS.map((f) => ({ operation, step, ...f, label: `${operation.name} × ${step.provider} ${step.step} × ${f.name} → ${f.status}` }))),
  );

  beforeAll(async () => {
    s = await startStandIns();
    t = await startTestApp({ env: { ...s.env, PROVIDER_TIMEOUT_MS: '700', PURCHASE_RECONCILE_INTERVAL_MS: '0' } });
  });
  afterAll(async () => {
    await t.close();
    await s.stop();
  });
  afterEach(() => {
    s.twilio.clearFaults();
    s.vapi.clearFaults();
  });

  it.each(cases)('$label', async ({ operation, step, fault, status, code }) => {
    const ctx = await operation.prepare();
    const before = step.provider === 'twilio' ? s.twilio.requestsFor(step.step).length : s.vapi.requestsFor(step.step).length;
    if (step.provider === 'twilio') s.twilio.fault(step.step, fault);
    else s.vapi.fault(step.step, fault);

    const res = await operation.call(ctx);
    const after = step.provider === 'twilio' ? s.twilio.requestsFor(step.step).length : s.vapi.requestsFor(step.step).length;
    expect(after).toBeGreaterThan(before); // the fault was met
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.type).toContain(code);
    expect(res.body.detail).toMatch(step.provider === 'twilio' ? /Twilio/ : /VAPI/);
    expect(res.text).not.toMatch(/stand-in-token|vapi-key-|at .*\.ts:|SELECT/);
    await operation.unchanged(ctx);

    s.twilio.clearFaults();
    s.vapi.clearFaults();
    await operation.retried(ctx, await operation.call(ctx));
    const report = (await t.http.get('/admin/inventory/drift', { apiKey: t.adminKey })).body;
    expect(report.summary.total).toBe(0);
    await expectProvidersAndDatabaseAgree(t.dataSource, s.twilio, s.vapi);
  });
});
