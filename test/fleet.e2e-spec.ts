import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_JWT_SECRET } from './support/factories';
import type { PmFixture } from './support/factories';
import { buildService, freePort, ServiceProcess } from './support/service-process';
import { startTestApp, TestApp } from './support/test-app';

/** A Redis of the test's own, on a free port, so runs sharing the machine's Redis cannot collide. */
async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = require('node:net').connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('redis-server did not start (is it installed?)');
    await sleep(50);
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Several instances over one database: rate limits counted once for the fleet through Redis (and
 * never failing a request when Redis is gone), one sandbox inventory, and a graceful shutdown.
 */
describe('a fleet of instances', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: TestApp;
  let b: TestApp;
  let pm: PmFixture;

  beforeAll(async () => {
    redis = await startRedis();
    // Each test calls from its own client address (X-Forwarded-For from a trusted loopback proxy),
    // so a block one of them provokes does not spill into the next.
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `test-${randomUUID().slice(0, 8)}:`,
      RATE_LIMIT_READ: '6',
      RATE_LIMIT_AUTH_FAILURES: '3',
      TRUST_PROXY: '127.0.0.1,::1',
    };
    a = await startTestApp({ env });
    b = await startTestApp({ env, databaseUrl: a.databaseUrl });
    pm = await a.factories.propertyManager();
  });

  afterAll(async () => {
    await b?.app.close();
    await a?.close();
    await redis?.stop();
  });

  const from = (ip: string, jwt?: string, apiKey?: string) => ({ jwt, apiKey, headers: { 'x-forwarded-for': ip } });

  it('never offers two instances the same sandbox number', async () => {
    // Area code 919's sandbox exchange holds 10,000 numbers; all but 20 are taken already.
    await a.dataSource.query(
      `INSERT INTO purchased_phone_numbers (property_manager_id, phone_number, twilio_sid)
       SELECT $1, '+1919555' || lpad(n::text, 4, '0'), 'PNfill' || n FROM generate_series(0, 9979) AS n`,
      [pm.pm.id],
    );
    const buy = (t: TestApp) =>
      t.http.post('/admin/purchase-phone-number', { property_manager_id: pm.pm.id, area_code: '919' }, { apiKey: t.adminKey });
    const results = await Promise.all([a, b, a, b, a, b].map(buy));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const numbers = results.map((r) => r.body.phone_number as string);
    expect(new Set(numbers).size).toBe(6);
    for (const number of numbers) expect(Number(number.slice(-4))).toBeGreaterThanOrEqual(9980);
  });

  it('counts a rate limit once for the whole fleet', async () => {
    const statuses: number[] = [];
    for (const instance of [a, b, a, b, a, b]) statuses.push((await instance.http.get('/purchased-phone-numbers', from('203.0.113.1', pm.jwt))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    // Each instance has seen 3 of these: only a shared count knows the limit of 6 is reached.
    const refused = await b.http.get('/purchased-phone-numbers', from('203.0.113.1', pm.jwt));
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const metrics = await a.http.get('/metrics', { apiKey: a.adminKey });
    expect(metrics.text).toMatch(/^rate_limit_shared 1$/m);
  });

  it('blocks an address on every instance once it failed authentication too often on one', async () => {
    expect((await b.http.get('/admin/all-purchased-numbers', from('203.0.113.2', undefined, b.adminKey))).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await a.http.get('/admin/api-keys', from('203.0.113.2', undefined, 'pnk_guess'))).status).toBe(401);
    // B saw none of those failures; the block reaches it through Redis. One route per try, so
    // the read limit (6 per route) cannot be what answers.
    let status = 0;
    for (const path of ['/admin/property-managers', '/admin/audit-log', '/admin/purchase-operations', '/admin/all-phone-number-requests']) {
      status = (await b.http.get(path, from('203.0.113.2', undefined, b.adminKey))).status;
      if (status === 429) break;
      await sleep(200);
    }
    expect(status).toBe(429);
    // Health checks are never refused; other clients are not concerned.
    expect((await b.http.get('/health', from('203.0.113.2'))).status).toBe(200);
    expect((await b.http.get('/admin/property-managers', from('203.0.113.20', undefined, b.adminKey))).status).toBe(200);
  });

  it('keeps serving, counting per instance, when Redis is gone', async () => {
    await redis.stop();
    const other = await a.factories.propertyManager();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await a.http.get('/property-manager/realtors', from('203.0.113.3', other.jwt))).status);
    for (let i = 0; i < 4; i++) answers.push((await b.http.get('/property-manager/realtors', from('203.0.113.3', other.jwt))).status);
    expect(answers).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    const metrics = await a.http.get('/metrics', from('203.0.113.3', undefined, a.adminKey));
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^rate_limit_shared 0$/m);
    const local = await startTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_READ: '2' } });
    try {
      // Unreachable from the start: limits still hold, on this instance.
      const { jwt } = await local.factories.propertyManager();
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await local.http.get('/purchased-phone-numbers', { jwt })).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await local.close();
    }
  });

});

describe('graceful shutdown', () => {
  let t: TestApp;
  let build: ReturnType<typeof buildService>;
  let service: ServiceProcess;

  beforeAll(async () => {
    t = await startTestApp();
    build = buildService();
    service = new ServiceProcess(build.entry, await freePort(), {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: t.databaseUrl,
      TELEPHONY_MODE: 'sandbox',
      RATE_LIMIT_READ: '1000000',
      SHUTDOWN_DELAY_MS: '1500',
    });
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    build?.remove();
    await t?.close();
  });

  it('finishes every request in flight at SIGTERM and accepts none after', async () => {
    const port = Number(new URL(service.baseUrl).port);
    type Result = { status?: number; error?: string; sentAt: number; doneAt: number; body?: string };
    // One connection per request (no keep-alive): what a client sees is exactly what the server did.
    const send = (method: string, path: string, headers: Record<string, string> = {}, write?: (req: ReturnType<typeof request>) => Promise<void>) =>
      new Promise<Result>((resolve) => {
        const sentAt = Date.now();
        const fail = (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, sentAt, doneAt: Date.now() });
        const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode, sentAt, doneAt: Date.now(), body }));
          res.on('error', fail);
        });
        req.on('error', fail);
        if (write) void write(req);
        else req.end();
      });
    const { pm } = await t.factories.propertyManager();

    // A request whose body is still arriving when the listener closes (SHUTDOWN_DELAY_MS 1.5 s):
    // it was accepted, so it is served, and its write reaches the database before the pool closes.
    const payload = JSON.stringify({ property_manager_id: pm.id, phone_number: '+14125550177' });
    const slow = send(
      'POST',
      '/admin/add-purchased-number',
      { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), 'x-api-key': t.adminKey },
      async (req) => {
        req.write(payload.slice(0, 10));
        await sleep(2_500);
        req.end(payload.slice(10));
      },
    );

    // Clients that behave like a balancer: they send until readiness says 503.
    const results: Result[] = [];
    let draining = false;
    const worker = async () => {
      while (!draining) {
        const result = await send('GET', '/health/ready');
        results.push(result);
        if (result.status !== 200) draining = true;
      }
    };
    await sleep(300);
    const workers = Array.from({ length: 8 }, worker);
    await sleep(300);
    const signalledAt = Date.now();
    const stopped = service.stop();
    await Promise.all(workers);

    const added = await slow;
    await stopped;
    expect(added.status).toBe(201);
    expect(added.doneAt - signalledAt).toBeGreaterThan(1_500); // answered after the listener closed
    const [row] = await t.dataSource.query(`SELECT id FROM purchased_phone_numbers WHERE phone_number = '+14125550177'`);
    expect(row).toBeDefined();

    // Nothing was cut or reset: every request got a whole answer, ready or (from the signal) not.
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
    expect(results.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    expect(results.filter((r) => r.status === 503).every((r) => r.doneAt >= signalledAt)).toBe(true);
    // Requests in flight when the signal came were answered.
    expect(results.filter((r) => r.sentAt < signalledAt && r.doneAt >= signalledAt).length).toBeGreaterThan(0);
    // And once it is gone, nothing is accepted.
    expect((await send('GET', '/health/live')).error).toBe('ECONNREFUSED');
  });
});
