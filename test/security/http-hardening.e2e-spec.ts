import { startTestApp, TestApp } from '../support/test-app';

/** Rate limits with tight settings, proxy trust, security headers and CORS. */
describe('rate limits', () => {
  let t: TestApp;
  const via = (ip: string) => ({ 'x-forwarded-for': ip });

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        RATE_LIMIT_WINDOW_SECONDS: '60',
        RATE_LIMIT_READ: '5',
        RATE_LIMIT_WRITE: '100',
        RATE_LIMIT_ADMIN_WRITE: '2',
        RATE_LIMIT_AUTH_FAILURES: '3',
        // Each test speaks from its own address through the (trusted) loopback proxy.
        TRUST_PROXY: '127.0.0.1',
      },
    });
  });
  afterAll(() => t.close());

  const expectRateLimited = (response: { status: number; headers: Headers; body: any }) => {
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('rate_limited');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  };

  it('limits reads per address and route, with 429 and Retry-After', async () => {
    const admin = { apiKey: t.adminKey, headers: via('198.51.100.1') };
    for (let i = 0; i < 5; i++) expect((await t.http.get('/admin/api-keys', admin)).status).toBe(200);
    expectRateLimited(await t.http.get('/admin/api-keys', admin));
    // Hammering on is refused too, but audited once per window: a flood is not turned into writes.
    for (let i = 0; i < 4; i++) expect((await t.http.get('/admin/api-keys', admin)).status).toBe(429);
    const [{ count }] = await t.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_log WHERE client_ip = '198.51.100.1' AND outcome = 'denied'`,
    );
    expect(count).toBe(1);
    // Another address is not affected.
    expect((await t.http.get('/admin/api-keys', { apiKey: t.adminKey, headers: via('198.51.100.2') })).status).toBe(200);
  });

  it('is tighter on admin writes than on reads, and audits the refusal', async () => {
    const admin = { apiKey: t.adminKey, headers: via('198.51.100.3') };
    for (let i = 0; i < 2; i++) {
      expect((await t.http.post('/admin/api-keys', { name: `k${i}`, scopes: ['chatbot'] }, admin)).status).toBe(201);
    }
    const refused = await t.http.post('/admin/api-keys', { name: 'k3', scopes: ['chatbot'] }, { ...admin, headers: { ...admin.headers, 'x-request-id': 'rate-limited-write' } });
    expectRateLimited(refused);
    const [record] = await t.dataSource.query(`SELECT * FROM audit_log WHERE request_id = 'rate-limited-write'`);
    expect(record).toMatchObject({ outcome: 'denied', client_ip: '198.51.100.3', details: { status: 429 } });
  });

  it('blocks an address after repeated authentication failures, even with a valid key', async () => {
    const headers = via('198.51.100.4');
    for (let i = 0; i < 3; i++) {
      expect((await t.http.get('/my-number', { jwt: 'not-a-token', headers })).status).toBe(401);
    }
    expectRateLimited(await t.http.get('/admin/api-keys', { apiKey: t.adminKey, headers }));
    expect((await t.http.get('/admin/api-keys', { apiKey: t.adminKey, headers: via('198.51.100.5') })).status).toBe(200);
  });

  it('blocks such an address on cached chatbot lookups too, by the address the trusted proxy names', async () => {
    const chatbotKey = (await t.factories.apiKey(['chatbot'])).key;
    const pm = await t.factories.propertyManager();
    const realtor = await t.factories.realtor(pm.pm);
    await t.factories.number(pm.pm, { phoneNumber: '+14125551270', assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
    const lookup = (ip: string) => t.http.get('/chatbot/lookup?phone_number=%2B14125551270', { apiKey: chatbotKey, headers: via(ip) });
    expect((await lookup('198.51.100.7')).status).toBe(200);
    expect((await lookup('198.51.100.7')).status).toBe(200); // key and owner in memory from here on
    for (let i = 0; i < 3; i++) {
      expect((await t.http.get('/my-number', { jwt: 'not-a-token', headers: via('198.51.100.7') })).status).toBe(401);
    }
    expectRateLimited(await lookup('198.51.100.7'));
    expect((await lookup('198.51.100.8')).status).toBe(200);
  });

  it('counts IPv6 failures per /64, so rotating addresses does not help', async () => {
    for (const ip of ['2001:db8:1:1::1', '2001:db8:1:1::2', '2001:db8:1:1:ffff::3']) {
      expect((await t.http.get('/my-number', { jwt: 'not-a-token', headers: via(ip) })).status).toBe(401);
    }
    expectRateLimited(await t.http.get('/admin/api-keys', { apiKey: t.adminKey, headers: via('2001:db8:1:1::99') }));
    expect((await t.http.get('/admin/api-keys', { apiKey: t.adminKey, headers: via('2001:db8:1:2::1') })).status).toBe(200);
  });
});

describe('proxy headers', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
    const t = await startTestApp({ env: { ADMIN_IP_ALLOWLIST: '10.0.0.0/8' } });
    try {
      // The peer is 127.0.0.1, outside the allowlist; claiming 10.0.0.1 does not help.
      const spoofed = await t.http.get('/admin/api-keys', { apiKey: t.adminKey, headers: { 'x-forwarded-for': '10.0.0.1' } });
      expect(spoofed.status).toBe(403);
      expect(spoofed.body.code).toBe('admin_ip_not_allowed');
      // Non-admin routes are not restricted by the allowlist.
      expect((await t.http.get('/health')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('takes the client address from a trusted proxy', async () => {
    const t = await startTestApp({ env: { ADMIN_IP_ALLOWLIST: '10.0.0.0/8,2001:db8::/32', TRUST_PROXY: '127.0.0.1' } });
    try {
      const call = (ip: string) => t.http.get('/admin/api-keys', { apiKey: t.adminKey, headers: { 'x-forwarded-for': ip } });
      expect((await call('10.1.2.3')).status).toBe(200);
      expect((await call('2001:db8::7')).status).toBe(200);
      expect((await call('192.0.2.1')).status).toBe(403);
      expect((await call('2001:db9::1')).status).toBe(403);
    } finally {
      await t.close();
    }
  });
});

describe('security headers and CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: 'https://dashboard.example.com' } });
  });
  afterAll(() => t.close());

  it('sets helmet headers on API responses and error responses', async () => {
    for (const response of [await t.http.get('/health'), await t.http.get('/admin/api-keys')]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('strict-transport-security')).toContain('max-age=');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('still serves Swagger UI', async () => {
    expect((await t.http.get('/docs')).status).toBe(200);
  });

  it('allows only the configured dashboard origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${t.http.baseUrl}/my-number`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://dashboard.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dashboard.example.com');
    const refused = await preflight('https://evil.example.com');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${t.http.baseUrl}/health`, { headers: { origin: 'https://evil.example.com' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });
});
