import { Counter, Histogram, Registry } from 'prom-client';
import { HTTP_BUCKETS, HttpRequestMetrics } from './http-request-metrics';

describe('HttpRequestMetrics', () => {
  const observations: Array<[string, string, number, number]> = [
    ['GET', '/chatbot/lookup', 200, 0.0004],
    ['GET', '/chatbot/lookup', 200, 0.001],
    ['GET', '/chatbot/lookup', 200, 0.003],
    ['GET', '/chatbot/lookup', 404, 0.02],
    ['POST', '/vapi/webhook', 200, 12],
  ];

  it('exports exactly what prom-client Counter and Histogram export for the same observations', async () => {
    const ours = new Registry();
    const metrics = new HttpRequestMetrics();
    metrics.registerWith(ours);

    const reference = new Registry();
    const labelNames = ['method', 'route', 'status_code'] as const;
    const count = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route template and status.', labelNames, registers: [reference] });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by method, route template and status.',
      labelNames,
      buckets: HTTP_BUCKETS,
      registers: [reference],
    });

    for (const [method, route, status, seconds] of observations) {
      metrics.record(method, route, status, seconds);
      const labels = { method, route, status_code: String(status) };
      count.inc(labels);
      duration.observe(labels, seconds);
    }
    expect(await ours.metrics()).toBe(await reference.metrics());
  });

  it('puts an observation on a bucket bound into that bucket, and counts the series apart', async () => {
    const registry = new Registry();
    const metrics = new HttpRequestMetrics();
    metrics.registerWith(registry);
    metrics.record('GET', '/health', 200, 0.005);
    metrics.record('GET', '/health', 503, 0.5);
    const text = await registry.metrics();
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0\.0025",method="GET",route="\/health",status_code="200"\} 0$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/health",status_code="200"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/health",status_code="503"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_sum\{method="GET",route="\/health",status_code="503"\} 0\.5$/m);
  });
});
