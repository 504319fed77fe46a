import { PmFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('phone number requests', () => {
  let t: TestApp;
  let pmA: PmFixture;
  let pmB: PmFixture;

  beforeAll(async () => {
    t = await startTestApp();
    pmA = await t.factories.propertyManager();
    pmB = await t.factories.propertyManager();
  });
  afterAll(() => t.close());

  describe('POST /request-phone-number', () => {
    it('creates a pending request with the defaults', async () => {
      const res = await t.http.post('/request-phone-number', {}, { jwt: pmA.jwt });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        request_id: expect.any(Number),
        property_manager_id: pmA.pm.id,
        country_code: '+1',
        area_code: null,
        status: 'pending',
        notes: null,
        requested_at: expect.any(String),
        fulfilled_at: null,
      });
    });

    it.each([
      ['a non-digit area code', { area_code: '41a' }, 'area_code'],
      ['a numeric area code', { area_code: 412 }, 'area_code'],
      ['a country code without +', { country_code: '1' }, 'country_code'],
      ['notes over 1000 characters', { notes: 'x'.repeat(1001) }, 'notes'],
      ['a misspelt field', { areacode: '412' }, 'areacode'],
    ])('refuses %s with a field error', async (_label, body, field) => {
      const res = await t.http.post('/request-phone-number', body, { jwt: pmA.jwt });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('is for PMs only', async () => {
      const { jwt: realtorJwt } = await t.factories.realtor(pmA.pm);
      expect((await t.http.post('/request-phone-number', {}, { jwt: realtorJwt })).status).toBe(403);
      expect((await t.http.post('/request-phone-number', {}, { apiKey: t.adminKey })).status).toBe(403);
      expect((await t.http.post('/request-phone-number', {})).status).toBe(401);
    });
  });

  describe('GET /my-phone-number-requests and cancel', () => {
    it('lists only the caller\'s requests, paginated, and filters by status', async () => {
      const pm = await t.factories.propertyManager();
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await t.http.post('/request-phone-number', { notes: `n${i}` }, { jwt: pm.jwt })).body.request_id);
      await t.factories.request(pmB.pm);

      const first = await t.http.get('/my-phone-number-requests?limit=2', { jwt: pm.jwt });
      expect(first.status).toBe(200);
      expect(first.body.requests.map((r: { request_id: number }) => r.request_id)).toEqual(ids.slice(0, 2));
      const second = await t.http.get(`/my-phone-number-requests?limit=2&cursor=${first.body.next_cursor}`, { jwt: pm.jwt });
      const third = await t.http.get(`/my-phone-number-requests?limit=2&cursor=${second.body.next_cursor}`, { jwt: pm.jwt });
      expect([...second.body.requests, ...third.body.requests].map((r: { request_id: number }) => r.request_id)).toEqual(ids.slice(2));
      expect(third.body.next_cursor).toBeNull();

      await t.http.post(`/my-phone-number-requests/${ids[0]}/cancel`, {}, { jwt: pm.jwt });
      const cancelled = await t.http.get('/my-phone-number-requests?status=cancelled', { jwt: pm.jwt });
      expect(cancelled.body.requests.map((r: { request_id: number }) => r.request_id)).toEqual([ids[0]]);
    });

    it('cancels a pending request once; a second cancel is a conflict', async () => {
      const request = await t.factories.request(pmA.pm);
      const res = await t.http.post(`/my-phone-number-requests/${request.id}/cancel`, {}, { jwt: pmA.jwt });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ request_id: request.id, status: 'cancelled', cancelled_at: expect.any(String) });
      const again = await t.http.post(`/my-phone-number-requests/${request.id}/cancel`, {}, { jwt: pmA.jwt });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('request_not_pending');
    });

    it('refuses to cancel a fulfilled request', async () => {
      const request = await t.factories.request(pmA.pm, { status: 'fulfilled', fulfilledAt: new Date() });
      expect((await t.http.post(`/my-phone-number-requests/${request.id}/cancel`, {}, { jwt: pmA.jwt })).status).toBe(409);
    });

    it('hides other PMs\' requests and unknown ids (404), refuses bad ids (400)', async () => {
      const theirs = await t.factories.request(pmB.pm);
      const res = await t.http.post(`/my-phone-number-requests/${theirs.id}/cancel`, {}, { jwt: pmA.jwt });
      expect(res.status).toBe(404);
      const [row] = await t.dataSource.query('SELECT status FROM phone_number_requests WHERE id = $1', [theirs.id]);
      expect(row.status).toBe('pending');
      expect((await t.http.post('/my-phone-number-requests/999999/cancel', {}, { jwt: pmA.jwt })).status).toBe(404);
      for (const bad of ['abc', '0', '-1', '99999999999', '1.5']) {
        expect((await t.http.post(`/my-phone-number-requests/${bad}/cancel`, {}, { jwt: pmA.jwt })).status).toBe(400);
      }
    });
  });

  describe('GET /admin/all-phone-number-requests', () => {
    it('filters by status and PM, and pages with a cursor', async () => {
      const pm = await t.factories.propertyManager();
      const pending = [await t.factories.request(pm.pm), await t.factories.request(pm.pm), await t.factories.request(pm.pm)];
      await t.factories.request(pm.pm, { status: 'cancelled', cancelledAt: new Date() });

      const page1 = await t.http.get(`/admin/all-phone-number-requests?status=pending&property_manager_id=${pm.pm.id}&limit=2`, { apiKey: t.adminKey });
      expect(page1.status).toBe(200);
      expect(page1.body.requests).toHaveLength(2);
      const page2 = await t.http.get(
        `/admin/all-phone-number-requests?status=pending&property_manager_id=${pm.pm.id}&limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`,
        { apiKey: t.adminKey },
      );
      expect([...page1.body.requests, ...page2.body.requests].map((r: { request_id: number }) => r.request_id)).toEqual(pending.map((r) => r.id));
      expect(page2.body.next_cursor).toBeNull();
      expect(page1.body.requests[0]).toEqual({
        request_id: pending[0].id,
        property_manager_id: pm.pm.id,
        country_code: '+1',
        area_code: '412',
        status: 'pending',
        notes: null,
        requested_at: expect.any(String),
        fulfilled_at: null,
        cancelled_at: null,
        fulfilled_by_purchased_phone_number_id: null,
      });
    });

    it.each([
      ['status=open', 'status'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['property_manager_id=abc', 'property_manager_id'],
      ['cursor=not-a-cursor', 'cursor'],
      ['sort=asc', 'sort'],
    ])('refuses ?%s', async (query, field) => {
      const res = await t.http.get(`/admin/all-phone-number-requests?${query}`, { apiKey: t.adminKey });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('is for admins only', async () => {
      expect((await t.http.get('/admin/all-phone-number-requests')).status).toBe(401);
      expect((await t.http.get('/admin/all-phone-number-requests', { jwt: pmA.jwt })).status).toBe(403);
      expect((await t.http.get('/admin/all-phone-number-requests', { jwt: t.factories.adminJwt() })).status).toBe(200);
    });
  });
});
