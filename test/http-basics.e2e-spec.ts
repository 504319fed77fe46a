import { OPERATION_IDS } from '../src/swagger';
import { startTestApp, TestApp } from './support/test-app';

/** What every caller can rely on: problem JSON for every error, request ids, health and docs. */
describe('HTTP basics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const expectProblem = (res: { status: number; headers: Headers; body: any; text: string }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:problem-type:/), title: expect.any(String), status, detail: expect.any(String) });
    expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+|QueryFailedError|SELECT |INSERT /);
  };

  it('answers malformed JSON with 400', async () => {
    const res = await t.http.request('POST', '/admin/add-purchased-number', { apiKey: t.adminKey, rawBody: '{"property_manager_id": 1,' });
    expectProblem(res, 400);
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"x"'],
    ['null', 'null'],
    ['a number', '42'],
  ])('answers a JSON body that is %s with 400', async (_label, rawBody) => {
    expectProblem(await t.http.request('POST', '/admin/add-purchased-number', { apiKey: t.adminKey, rawBody }), 400);
  });

  it('answers an unsupported content type with 415', async () => {
    expectProblem(await t.http.request('POST', '/admin/add-purchased-number', { apiKey: t.adminKey, rawBody: 'phone=1', contentType: 'text/csv' }), 415);
  });

  it('answers an oversized body with 413', async () => {
    const res = await t.http.request('POST', '/admin/add-purchased-number', { apiKey: t.adminKey, rawBody: JSON.stringify({ notes: 'x'.repeat(100_000) }) });
    expectProblem(res, 413);
  });

  it('answers an unknown route with 404 problem JSON', async () => {
    expectProblem(await t.http.get('/nothing-here'), 404);
  });

  it('answers a wrong method with a 4xx problem', async () => {
    const res = await t.http.request('PUT', '/admin/add-purchased-number', { apiKey: t.adminKey, body: {} });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('echoes a safe x-request-id and makes one up otherwise, also in problems', async () => {
    const given = await t.http.get('/nothing-here', { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    expect(given.body.request_id).toBe('trace-123');
    const unsafe = await t.http.get('/nothing-here', { headers: { 'x-request-id': '<script>' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports health with the database and telephony mode', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, telephony: { status: 'up', mode: 'sandbox' } } });
  });

  it('serves Swagger UI and an OpenAPI document with every endpoint, both auth schemes and the guide\'s examples', async () => {
    const ui = await t.http.get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);

    const doc = await t.http.get('/docs-json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const path of [
      '/admin/all-phone-number-requests',
      '/admin/add-purchased-number',
      '/admin/all-purchased-numbers',
      '/admin/purchased-numbers/{id}/deactivate',
      '/admin/purchased-numbers/{id}/reactivate',
      '/admin/property-managers',
      '/admin/api-keys',
      '/admin/api-keys/{id}',
      '/request-phone-number',
      '/my-phone-number-requests',
      '/my-phone-number-requests/{request_id}/cancel',
      '/purchased-phone-numbers',
      '/assign-phone-number',
      '/unassign-phone-number',
      '/my-number',
      '/property-manager/realtors',
      '/health',
    ]) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(doc.body.components.securitySchemes).sort()).toEqual(['api-key', 'bearer', 'vapi-secret']);
    expect(doc.body.components.securitySchemes['vapi-secret']).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-vapi-secret' });
    expect(doc.body.paths['/vapi/webhook'].post.security).toEqual([{ 'vapi-secret': [] }]);
    expect(doc.body.paths['/health'].get.security).toEqual([]);
    const addSchema = doc.body.components.schemas.AddPurchasedNumberDto;
    expect(addSchema.required).toEqual(expect.arrayContaining(['property_manager_id', 'phone_number']));
    expect(addSchema.properties.phone_number.example).toBe('+14125551234');
    const addResponses = doc.body.paths['/admin/add-purchased-number'].post.responses;
    expect(Object.keys(addResponses).sort()).toEqual(['201', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503']);
    expect(addResponses['409'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/ProblemDto');
    expect(doc.body.paths['/admin/add-purchased-number'].post.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]));
    expect(doc.body.paths['/admin/purchase-phone-number'].post.responses).toEqual(
      expect.objectContaining({ '400': expect.anything(), '404': expect.anything(), '409': expect.anything(), '502': expect.anything(), '503': expect.anything(), '504': expect.anything() }),
    );
  });

  it('has readable unique operation ids, optional query parameters, a relative server and the guide\'s tag order', async () => {
    const doc = await t.http.get('/docs-json');
    const operations = Object.values(doc.body.paths as Record<string, Record<string, any>>).flatMap((item) => Object.values(item));
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['listPurchasedNumbers', 'addPurchasedNumber', 'purchasePhoneNumber', 'listAllPhoneNumberRequests']));
    for (const id of ids) expect(Object.values(OPERATION_IDS)).toContain(id);
    const limit = doc.body.paths['/admin/all-purchased-numbers'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.required).toBe(false);
    const queries = operations.flatMap((op) => (op.parameters ?? []).filter((p: { in: string }) => p.in === 'query'));
    expect(queries.filter((p: { required: boolean }) => p.required).map((p: { name: string }) => p.name)).toEqual(['phone_number']);
    for (const op of operations) expect(op.responses['429'].content['application/problem+json']).toBeDefined();
    expect(doc.body.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(doc.body.tags.slice(0, 3).map((tag: { name: string }) => tag.name)).toEqual([
      'admin: phone number requests',
      'admin: purchased numbers',
      'admin: purchases',
    ]);
  });
});
