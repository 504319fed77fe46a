import { setTimeout as sleep } from 'node:timers/promises';
import { TcpProxy } from './support/tcp-proxy';
import { createTestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';
import type { PmFixture } from './support/factories';

/**
 * What an operator relies on: liveness and readiness, Prometheus metrics, and how the service
 * answers while its database is away (here: a proxy in front of it that cuts every connection
 * and refuses new ones, as a stopped server does).
 */
describe('operations: health, metrics and a database outage', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let drop: () => Promise<void>;
  let pm: PmFixture;
  let chatbotKey: string;
  let metricsKey: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    const proxied = await TcpProxy.before(database.url);
    proxy = proxied.proxy;
    t = await startTestApp({ databaseUrl: proxied.url, env: { RATE_LIMIT_AUTH_FAILURES: '3' } });
    pm = await t.factories.propertyManager();
    await t.factories.number(pm.pm, { assignTo: { type: 'property_manager' } });
    chatbotKey = (await t.factories.apiKey(['chatbot'])).key;
  });

  afterAll(async () => {
    await proxy?.up().catch(() => undefined);
    await t?.app.close();
    await proxy?.down();
    await drop?.();
  });

  it('answers liveness always and readiness with each check', async () => {
    const live = await t.http.get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      checks: { database: { status: 'up' }, migrations: { status: 'up' }, change_feed: { status: 'up' }, accepting: { status: 'up' } },
    });
    expect(ready.headers.get('cache-control')).toMatch(/no-cache/);
  });

  it('serves Prometheus metrics to a metrics-scoped key only', async () => {
    const created = await t.http.post('/admin/api-keys', { name: 'prometheus', scopes: ['metrics'] }, { apiKey: t.adminKey });
    expect(created.status).toBe(201);
    expect(created.body.scopes).toEqual(['metrics']);
    metricsKey = created.body.api_key;
    expect((await t.http.post('/admin/api-keys', { name: 'x', scopes: ['metrics', 'nope'] }, { apiKey: t.adminKey })).status).toBe(400);

    const phone = encodeURIComponent((await t.dataSource.query(`SELECT phone_number FROM purchased_phone_numbers LIMIT 1`))[0].phone_number);
    for (let i = 0; i < 3; i++) expect((await t.http.get(`/chatbot/lookup?phone_number=${phone}`, { apiKey: chatbotKey })).status).toBe(200);
    expect((await t.http.get('/chatbot/lookup?phone_number=%2B14125550999', { apiKey: chatbotKey })).status).toBe(404);

    expect((await t.http.get('/metrics')).status).toBe(401);
    expect((await t.http.get('/metrics', { apiKey: chatbotKey })).status).toBe(403);
    expect((await t.http.get('/metrics', { jwt: pm.jwt })).status).toBe(403);
    const scraped = await t.http.get('/metrics', { apiKey: metricsKey });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = scraped.text;
    // By route template and status, never by raw path.
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/chatbot\/lookup",status_code="200"\} 3$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/chatbot\/lookup",status_code="404"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/chatbot\/lookup",status_code="200"\} \d+$/m);
    expect(text).not.toMatch(/route="\/chatbot\/lookup\?/);
    expect(text).toMatch(/^chatbot_lookup_cache_hits_total [1-9]\d*$/m);
    expect(text).toMatch(/^chatbot_lookup_cache_misses_total [1-9]\d*$/m);
    expect(text).toMatch(/^change_feed_live 1$/m);
    expect(text).toMatch(/^db_pool_connections\{state="waiting"\} \d+$/m);
    expect(text).toMatch(/^db_pool_connections\{state="in_use"\} \d+$/m);
    expect(text).toMatch(/^purchase_operations\{state="succeeded"\} 0$/m);
    expect(text).toMatch(/^purchase_reconciler_backlog 0$/m);
    expect(text).toMatch(/^rate_limit_shared 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

    // The next scrape counts the previous one, under its template.
    const again = await t.http.get('/metrics', { apiKey: metricsKey });
    expect(again.text).toMatch(/^http_requests_total\{method="GET",route="\/metrics",status_code="200"\} 1$/m);
    expect(again.text).toMatch(/^http_requests_total\{method="GET",route="\/metrics",status_code="401"\} 1$/m);
  });

  it('answers 503 while the database is away, never 401 or 429 for a valid credential, and recovers', async () => {
    await proxy.down();
    try {
      const health = await t.http.get('/health');
      expect(health.status).toBe(503);
      expect(health.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(health.body).toMatchObject({
        status: 503,
        code: 'dependency_unavailable',
        checks: { database: { status: 'down' }, telephony: { status: 'up', mode: 'sandbox' } },
      });
      const ready = await t.http.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ code: 'dependency_unavailable', checks: { database: { status: 'down' }, change_feed: { status: 'down' } } });
      expect((await t.http.get('/health/live')).status).toBe(200);

      // More calls than the auth-failure limit (3): had they been 401s, the client would be blocked.
      const answers = [];
      for (let i = 0; i < 4; i++) {
        answers.push(await t.http.get('/purchased-phone-numbers', { jwt: pm.jwt }));
        answers.push(await t.http.get('/admin/all-purchased-numbers', { apiKey: t.adminKey }));
        answers.push(await t.http.get('/chatbot/lookup?phone_number=%2B14125550999', { apiKey: chatbotKey }));
      }
      answers.push(await t.http.post('/admin/add-purchased-number', { property_manager_id: pm.pm.id, phone_number: '+14125550998' }, { apiKey: t.adminKey }));
      answers.push(await t.http.post('/request-phone-number', { area_code: '412' }, { jwt: pm.jwt }));
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.body).toMatchObject({ code: 'database_unavailable', status: 503 });
        expect(answer.text).not.toMatch(/ECONNREFUSED|Connection terminated|127\.0\.0\.1|SELECT/);
      }
    } finally {
      await proxy.up();
    }

    // Serving again within 10 s of the database coming back, on every route.
    const deadline = Date.now() + 10_000;
    while ((await t.http.get('/health/ready')).status !== 200) {
      if (Date.now() > deadline) throw new Error('not ready 10 s after the database came back');
      await sleep(100);
    }
    expect((await t.http.get('/health')).status).toBe(200);
    expect((await t.http.get('/purchased-phone-numbers', { jwt: pm.jwt })).status).toBe(200);
    expect((await t.http.get('/admin/all-purchased-numbers', { apiKey: t.adminKey })).status).toBe(200);
    expect((await t.http.get('/chatbot/lookup?phone_number=%2B14125550999', { apiKey: chatbotKey })).status).toBe(404);
    const metrics = await t.http.get('/metrics', { apiKey: metricsKey });
    expect(metrics.text).toMatch(/^http_requests_total\{method="GET",route="\/purchased-phone-numbers",status_code="503"\} 4$/m);

    // Refused credentials still count: the limiter itself is intact. With the anonymous /metrics
    // call above, two more reach the limit of 3.
    for (let i = 0; i < 2; i++) expect((await t.http.get('/admin/api-keys', { apiKey: 'pnk_bogus' })).status).toBe(401);
    const blocked = await t.http.get('/purchased-phone-numbers', { jwt: pm.jwt });
    expect(blocked.status).toBe(429);
    // …but health checks are never refused, so a blocked neighbour cannot take the instance out.
    expect((await t.http.get('/health')).status).toBe(200);
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });
});
