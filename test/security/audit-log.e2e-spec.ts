import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';

const withRequestId = (requestId: string, apiKey: string) => ({ apiKey, headers: { 'x-request-id': requestId } });

/** The audit log: one record per admin action, in the change's transaction; append-only. */
describe('audit log', () => {
  let t: TestApp;
  let adminKeyId: string;
  const records = (requestId: string) => t.dataSource.query('SELECT * FROM audit_log WHERE request_id = $1 ORDER BY id', [requestId]);

  beforeAll(async () => {
    t = await startTestApp();
    adminKeyId = (await t.http.get('/admin/api-keys', { apiKey: t.adminKey })).body.api_keys[0].id;
  });
  afterAll(() => t.close());

  it('writes one record per admin change: who, which credential, action, target, outcome, request id, client IP, time', async () => {
    const requestId = `audit-${randomUUID()}`;
    const created = await t.http.post('/admin/property-managers', { name: 'Ann', email: `ann-${requestId}@example.com` }, withRequestId(requestId, t.adminKey));
    expect(created.status).toBe(201);
    const found = await records(requestId);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      actor_type: 'api_key',
      actor_id: adminKeyId,
      credential: `api_key:${adminKeyId}`,
      action: 'property_manager.create',
      target_id: String(created.body.property_manager_id),
      outcome: 'success',
      request_id: requestId,
      client_ip: '127.0.0.1',
    });
    expect(Date.now() - new Date(found[0].occurred_at).getTime()).toBeLessThan(60_000);
  });

  it('rolls a change back when its use case fails, and records the failure', async () => {
    // Forces the failure at the very end of the use case: its own audit insert.
    await t.dataSource.query(`
      CREATE FUNCTION fail_pm_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'property_manager.create' AND NEW.outcome = 'success' THEN
          RAISE EXCEPTION 'forced failure for the test';
        END IF;
        RETURN NEW;
      END $$`);
    await t.dataSource.query(`CREATE TRIGGER tr_fail_pm_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_pm_audit()`);
    try {
      const requestId = `audit-${randomUUID()}`;
      const email = `rollback-${requestId}@example.com`;
      const response = await t.http.post('/admin/property-managers', { name: 'Rolled Back', email }, withRequestId(requestId, t.adminKey));
      expect(response.status).toBe(500);
      expect(response.text).not.toContain('forced failure');
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM property_managers WHERE email = $1', [email]);
      expect(count).toBe(0);
      const found = await records(requestId);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        outcome: 'failure',
        action: 'POST /admin/property-managers',
        credential: `api_key:${adminKeyId}`,
        details: { status: 500, code: 'internal_error' },
      });
    } finally {
      await t.dataSource.query('DROP TRIGGER tr_fail_pm_audit ON audit_log');
      await t.dataSource.query('DROP FUNCTION fail_pm_audit()');
    }
  });

  it('records a failed change once (validation, unknown target)', async () => {
    const ids = [0, 1, 2].map(() => `audit-${randomUUID()}`);
    const cases = [
      () => t.http.post('/admin/property-managers', { name: '', email: 'nope' }, withRequestId(ids[0], t.adminKey)),
      () => t.http.post('/admin/purchased-numbers/999999/deactivate', undefined, withRequestId(ids[1], t.adminKey)),
      () => t.http.delete(`/admin/api-keys/${randomUUID()}`, withRequestId(ids[2], t.adminKey)),
    ];
    const statuses: number[] = [];
    for (const call of cases) statuses.push((await call()).status);
    expect(statuses).toEqual([400, 404, 404]);
    for (const [i, requestId] of ids.entries()) {
      const found = await records(requestId);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ outcome: 'failure', details: { status: statuses[i] } });
    }
  });

  it('records refused admin calls, reads included, without the presented secret', async () => {
    const requestId = `audit-${randomUUID()}`;
    const bogusKey = `pnk_${'ab'.repeat(16)}_${'x'.repeat(43)}`;
    expect((await t.http.get('/admin/api-keys', withRequestId(requestId, bogusKey))).status).toBe(401);
    const found = await records(requestId);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ actor_type: 'anonymous', outcome: 'denied', action: 'GET /admin/api-keys', details: { status: 401, credential_verified: false } });
    expect(found[0].credential).toBe('api_key:abababab-abab-abab-abab-abababababab');
    expect(JSON.stringify(found[0])).not.toContain('x'.repeat(43));
  });

  it('is append-only in the database', async () => {
    await expect(t.dataSource.query(`UPDATE audit_log SET outcome = 'success'`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  });

  it('has no endpoint that changes or deletes records', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await t.http.request(method, '/admin/audit-log', { apiKey: t.adminKey, body: {} });
      expect(response.status).toBe(404);
    }
    expect((await t.http.request('DELETE', '/admin/audit-log/1', { apiKey: t.adminKey })).status).toBe(404);
  });

  it('lists records newest first, with filters and pagination', async () => {
    const admin = { apiKey: t.adminKey };
    const marker = randomUUID();
    for (let i = 0; i < 3; i++) {
      expect((await t.http.post('/admin/api-keys', { name: `page ${marker} ${i}`, scopes: ['chatbot'] }, admin)).status).toBe(201);
    }
    const first = await t.http.get('/admin/audit-log?action=api_key.create&limit=2', admin);
    expect(first.status).toBe(200);
    expect(first.body.records).toHaveLength(2);
    expect(first.body.records[0].details.name).toBe(`page ${marker} 2`);
    expect(first.body.records[1].details.name).toBe(`page ${marker} 1`);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await t.http.get(`/admin/audit-log?action=api_key.create&limit=2&cursor=${first.body.next_cursor}`, admin);
    expect(second.body.records[0].details.name).toBe(`page ${marker} 0`);
    expect(Number(second.body.records[0].id)).toBeLessThan(Number(first.body.records[1].id));

    const denied = await t.http.get('/admin/audit-log?outcome=denied&limit=200', admin);
    expect(denied.body.records.length).toBeGreaterThan(0);
    expect(denied.body.records.every((r: { outcome: string }) => r.outcome === 'denied')).toBe(true);

    const byActor = await t.http.get(`/admin/audit-log?actor=${adminKeyId}&limit=200`, admin);
    expect(byActor.body.records.length).toBeGreaterThanOrEqual(4);
    expect(byActor.body.records.every((r: { actor_id: string }) => r.actor_id === adminKeyId)).toBe(true);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await t.http.get(`/admin/audit-log?from=${future}`, admin)).body.records).toEqual([]);
    expect((await t.http.get(`/admin/audit-log?to=${past}`, admin)).body.records).toEqual([]);
    expect((await t.http.get(`/admin/audit-log?from=${past}&to=${future}&limit=1`, admin)).body.records).toHaveLength(1);

    const bad = await t.http.get('/admin/audit-log?from=yesterday&outcome=maybe', admin);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'outcome']);
  });

  it('never returns API keys or their hashes from listings', async () => {
    const created = await t.http.post('/admin/api-keys', { name: 'secret check', scopes: ['chatbot'] }, { apiKey: t.adminKey });
    const listing = await t.http.get('/admin/api-keys', { apiKey: t.adminKey });
    const log = await t.http.get('/admin/audit-log?limit=200', { apiKey: t.adminKey });
    for (const text of [listing.text, log.text]) {
      expect(text).not.toContain(created.body.api_key);
      expect(text).not.toContain(t.adminKey);
      expect(text).not.toMatch(/key_?hash/i);
    }
  });
});
