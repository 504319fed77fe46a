import { TEST_JWT_SECRET } from './support/factories';
import { buildService, freePort, ServiceProcess } from './support/service-process';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Request logs as an operator reads them from the service's output (LOG_LEVEL=info): one JSON
 * line per request naming the request id the response carries, credentials redacted, and none for
 * the chatbot's hot routes (LOG_CHATBOT_REQUESTS=true would log them).
 */
describe('request logs', () => {
  let t: TestApp;
  let build: ReturnType<typeof buildService>;
  let service: ServiceProcess;
  let chatbotKey: string;

  beforeAll(async () => {
    t = await startTestApp();
    chatbotKey = (await t.factories.apiKey(['chatbot'])).key;
    build = buildService();
    service = new ServiceProcess(build.entry, await freePort(), {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: t.databaseUrl,
      TELEPHONY_MODE: 'sandbox',
    });
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    build?.remove();
    await t?.close();
  });

  type Line = { msg?: string; req?: { id: string; url: string; headers: Record<string, string> }; res?: { statusCode: number } };
  const requestLines = (output: string) =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Line)
      .filter((entry) => entry.msg === 'request completed');
  const get = (path: string, headers: Record<string, string> = {}) => fetch(service.baseUrl + path, { headers });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

  it('logs each API request once with the id it answered with, the key redacted', async () => {
    const from = service.output.length;
    const listed = await get('/admin/all-purchased-numbers?limit=1', { 'x-api-key': t.adminKey });
    const missing = await fetch(`${service.baseUrl}/admin/purchased-numbers/999999/deactivate`, { method: 'POST', headers: { 'x-api-key': t.adminKey } });
    expect(listed.status).toBe(200);
    expect(missing.status).toBe(404);
    await settle();
    const output = service.output.slice(from);
    // (The start-up's own health checks may still be arriving.)
    const logged = requestLines(output).filter((entry) => entry.req!.url.startsWith('/admin'));
    expect(logged.map((entry) => [entry.req!.url, entry.res!.statusCode])).toEqual([
      ['/admin/all-purchased-numbers?limit=1', 200],
      ['/admin/purchased-numbers/999999/deactivate', 404],
    ]);
    expect(logged.map((entry) => entry.req!.id)).toEqual([listed.headers.get('x-request-id'), missing.headers.get('x-request-id')]);
    expect(logged.map((entry) => entry.req!.headers['x-api-key'])).toEqual(['[redacted]', '[redacted]']);
    expect(output).not.toContain(t.adminKey);
  });

  it('keeps the chatbot lookup out of the request log', async () => {
    const from = service.output.length;
    expect((await get('/chatbot/lookup?phone_number=%2B14125550100', { 'x-api-key': chatbotKey })).status).toBe(404);
    expect((await get('/health/live')).status).toBe(200);
    await settle();
    expect(requestLines(service.output.slice(from)).map((entry) => entry.req!.url).filter((url) => url !== '/health')).toEqual(['/health/live']);
  });
});
