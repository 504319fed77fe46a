import { loadConfig } from '../src/config/app-config';
import { nextPhoneNumber, PmFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('POST /admin/add-purchased-numbers', () => {
  let t: TestApp;
  let pm: PmFixture;
  const admin = () => ({ apiKey: t.adminKey });
  const count = async () => Number((await t.dataSource.query('SELECT count(*) AS n FROM purchased_phone_numbers'))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    pm = await t.factories.propertyManager();
  });
  afterAll(() => t.close());

  it('adds every number (201, one result each, in order), fulfils pending requests once and audits each number', async () => {
    const pending = await t.factories.request(pm.pm);
    const other = await t.factories.propertyManager();
    const phones = [nextPhoneNumber(), nextPhoneNumber(), nextPhoneNumber()];
    const res = await t.http.post(
      '/admin/add-purchased-numbers',
      {
        numbers: [
          { property_manager_id: pm.pm.id, phone_number: phones[0], twilio_sid: 'PN0123456789abcdef0123456789abcdef', vapi_phone_number_id: 'vapi-bulk-1' },
          { property_manager_id: pm.pm.id, phone_number: phones[1] },
          { property_manager_id: other.pm.id, phone_number: phones[2], notes: 'bulk' },
        ],
      },
      admin(),
    );
    expect(res.status).toBe(201);
    expect(res.body.numbers.map((n: any) => n.phone_number)).toEqual(phones);
    expect(res.body.numbers[0]).toMatchObject({ status: 'available', twilio_sid: 'PN0123456789abcdef0123456789abcdef', vapi_phone_number_id: 'vapi-bulk-1', fulfilled_request_ids: [pending.id] });
    expect(res.body.numbers[1].fulfilled_request_ids).toEqual([]);
    expect(res.body.numbers[2]).toMatchObject({ property_manager_id: other.pm.id, pm_name: other.pm.name });
    const ids = res.body.numbers.map((n: any) => String(n.purchased_phone_number_id));
    const audit = await t.dataSource.query(`SELECT target_id FROM audit_log WHERE action = 'purchased_number.add' AND target_id = ANY($1) ORDER BY id`, [ids]);
    expect(audit.map((a: any) => a.target_id)).toEqual(ids);
  });

  it('refuses the whole batch, naming every bad item by index, field and code; nothing is added', async () => {
    const existing = nextPhoneNumber();
    expect((await t.http.post('/admin/add-purchased-number', { property_manager_id: pm.pm.id, phone_number: existing }, admin())).status).toBe(201);
    const before = await count();
    const fresh = nextPhoneNumber();
    const res = await t.http.post(
      '/admin/add-purchased-numbers',
      {
        numbers: [
          { property_manager_id: pm.pm.id, phone_number: fresh },
          { property_manager_id: pm.pm.id, phone_number: existing },
          { property_manager_id: 999_999, phone_number: nextPhoneNumber() },
          { property_manager_id: pm.pm.id, phone_number: fresh },
        ],
      },
      admin(),
    );
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('numbers_rejected');
    expect(res.body.errors).toEqual([
      expect.objectContaining({ index: 1, field: 'phone_number', code: 'phone_number_exists' }),
      expect.objectContaining({ index: 2, field: 'property_manager_id', code: 'property_manager_not_found' }),
      expect.objectContaining({ index: 3, field: 'phone_number', code: 'duplicate_in_request' }),
    ]);
    expect(await count()).toBe(before);
  });

  it('refuses malformed items with 400 naming index, field and code', async () => {
    const res = await t.http.post(
      '/admin/add-purchased-numbers',
      { numbers: [{ property_manager_id: pm.pm.id, phone_number: nextPhoneNumber() }, { property_manager_id: pm.pm.id, phone_number: '4125551234', extra: 1 }] },
      admin(),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, field: 'phone_number', code: expect.any(String) }),
        expect.objectContaining({ index: 1, field: 'extra', code: 'unknown_field' }),
      ]),
    );
    expect((await t.http.post('/admin/add-purchased-numbers', { numbers: [] }, admin())).status).toBe(400);
    const tooMany = Array.from({ length: 1001 }, () => ({ property_manager_id: pm.pm.id, phone_number: '+14125550000' }));
    expect((await t.http.post('/admin/add-purchased-numbers', { numbers: tooMany }, admin())).status).toBe(400);
  });

  it('takes 1,000 numbers in one request (larger than the usual body limit)', async () => {
    const before = await count();
    const numbers = Array.from({ length: 1000 }, () => ({ property_manager_id: pm.pm.id, phone_number: nextPhoneNumber(), notes: 'bulk onboarding of a whole pool' }));
    const res = await t.http.post('/admin/add-purchased-numbers', { numbers }, admin());
    expect(res.status).toBe(201);
    expect(res.body.numbers).toHaveLength(1000);
    expect(await count()).toBe(before + 1000);
  });
});

describe('default rate limits and admin work', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The defaults, not the test harness's generous limits.
    const defaults = loadConfig({ NODE_ENV: 'test' }).rateLimits;
    t = await startTestApp({
      env: {
        RATE_LIMIT_READ: String(defaults.read),
        RATE_LIMIT_WRITE: String(defaults.write),
        RATE_LIMIT_ADMIN_WRITE: String(defaults.adminWrite),
        RATE_LIMIT_AUTH_FAILURES: String(defaults.authFailures),
      },
    });
  });
  afterAll(() => t.close());

  it('let an authenticated admin add 2,000 numbers one by one within the window', async () => {
    const pm = await t.factories.propertyManager();
    const statuses = new Map<number, number>();
    // Five at a time, as a script would; every one is accepted.
    for (let i = 0; i < 2000; i += 5) {
      const batch = await Promise.all(
        Array.from({ length: 5 }, () => t.http.post('/admin/add-purchased-number', { property_manager_id: pm.pm.id, phone_number: nextPhoneNumber() }, { apiKey: t.adminKey })),
      );
      for (const r of batch) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 201: 2000 });
  }, 300_000);

  it('keep anonymous callers and bad credentials tight', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await t.http.post('/admin/add-purchased-number', { property_manager_id: 1, phone_number: nextPhoneNumber() }, { apiKey: 'pnk_wrong' })).status);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });
});
