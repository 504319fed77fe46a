import type { Registry } from 'prom-client';

/** Upper bounds (seconds) of the request duration histogram. */
export const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = { method: string; route: string; status_code: string };

interface Series {
  labels: Labels;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative; made cumulative when scraped). The last is +Inf. */
  buckets: number[];
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The shape prom-client's registry reads from any metric it holds (`get()`), as its own metrics return it. */
interface ExportedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }>;
}

/**
 * `http_requests_total` and `http_request_duration_seconds`, recorded by plain additions into one
 * series per method/route/status and turned into Prometheus values only when scraped. prom-client's
 * own `Counter.inc` / `Histogram.observe` check and hash their labels on every call (~0.7 µs per
 * response measured here, a share the chatbot's hot routes notice); the text they export is the same.
 */
export class HttpRequestMetrics {
  private readonly series = new Map<string, Series>();

  record(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${statusCode} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { method, route, status_code: String(statusCode) }, count: 0, sum: 0, buckets: new Array<number>(HTTP_BUCKETS.length + 1).fill(0) };
      this.series.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    let bucket = 0;
    while (bucket < HTTP_BUCKETS.length && seconds > HTTP_BUCKETS[bucket]) bucket += 1;
    series.buckets[bucket] += 1;
  }

  /** Registers both metrics with `registry`. */
  registerWith(registry: Registry): void {
    const all = () => [...this.series.values()];
    const requests: ExportedMetric = {
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({ ...requests, values: all().map((s) => ({ labels: { ...s.labels }, value: s.count })) }),
    };
    const durations: ExportedMetric = {
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by method, route template and status.',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ ...durations, values: all().flatMap(histogramValues) }),
    };
    // The registry accepts any object with a name and `get()`; its types only name its own classes.
    registry.registerMetric(requests as unknown as Parameters<Registry['registerMetric']>[0]);
    registry.registerMetric(durations as unknown as Parameters<Registry['registerMetric']>[0]);
  }
}

function histogramValues(series: Series): MetricValue[] {
  const values: MetricValue[] = [];
  let cumulative = 0;
  HTTP_BUCKETS.forEach((bound, i) => {
    cumulative += series.buckets[i];
    values.push({ metricName: 'http_request_duration_seconds_bucket', labels: { le: bound, ...series.labels }, value: cumulative });
  });
  values.push({ metricName: 'http_request_duration_seconds_bucket', labels: { le: '+Inf', ...series.labels }, value: series.count });
  values.push({ metricName: 'http_request_duration_seconds_sum', labels: { ...series.labels }, value: series.sum });
  values.push({ metricName: 'http_request_duration_seconds_count', labels: { ...series.labels }, value: series.count });
  return values;
}
