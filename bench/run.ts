/**
 * `npm run bench`: the chatbot's hot path against a bare Fastify server, measured the way a user
 * runs the service. See docs/chatbot.md ("Benchmark") for the method and the targets.
 *
 * The service is built (`npm run build`, skipped with BENCH_SKIP_BUILD=1) and started exactly as
 * `npm start` starts it: its command (`startCommand`), its defaults (sandbox mode, cache on, request logs as
 * configured by default), only DATABASE_URL / PORT and the VAPI webhook's secret and assistant set.
 *
 * Env: DATABASE_URL (a PostgreSQL server; a database `pn_bench`, or BENCH_DB, is (re)created on it) or, unset,
 * an embedded PostgreSQL under bench/results/pg; BENCH_DURATION (s per measurement, default 5);
 * BENCH_ROUNDS (default 3: every comparison alternates the bare server and the service this many
 * times, back to back, and reports the median of the rounds' ratios);
 * BENCH_CONNECTIONS (default 50); BENCH_SIZES (assigned numbers, default 2000,1000000);
 * BENCH_COMPARE_METRICS=1 (also the hot routes without metrics collection);
 * BENCH_SCENARIOS (which service scenarios run, default all: b = cached lookup, other forms and
 * webhook; c = cache off and the pg ceiling; e = admin list); BENCH_PROFILE=<dir> (the service runs
 * with `--cpu-prof` into that directory; `node bench/profile-top.js <file>` sums it up).
 *
 * `npm run bench -- --import`: the legacy import's speed run instead (bench/import.ts).
 */
import 'reflect-metadata';
import type autocannon from 'autocannon';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from '../test/support/free-port';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { encodeCursor } from '../src/common/pagination/paginate';
import { dataSourceOptions, migrateWithLock } from '../src/database/data-source-options';
import { EmbeddedPostgresServer } from '../src/database/embedded-postgres.server';
import { OWNERS_BY_PHONE } from '../src/modules/chatbot/owner-lookup.service';
import { importBench } from './import';
import { startCommand } from './start-command';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SIZES = (process.env.BENCH_SIZES ?? '2000,1000000').split(',').map(Number);
// Rounds of each interleaved comparison; each measurement lasts BENCH_DURATION.
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'b,c,e').split(','));
const PROFILE_DIR = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
// The chatbot asks about this many distinct assigned numbers, a random one per request.
const SAMPLE = 2_000;
// The database (re)created for the run; another name lets two runs share one server.
const BENCH_DB = /^[a-z_][a-z0-9_]*$/.test(process.env.BENCH_DB ?? '') ? process.env.BENCH_DB! : 'pn_bench';
const ASSISTANT_ID = 'asst_bench';
const WEBHOOK_SECRET = 'bench-webhook-secret';
// The lookup's own pool by default (CHATBOT_DB_POOL_SIZE): the pg ceiling uses as many connections.
const LOOKUP_POOL = 4;
// A PM and 19 realtors per block of 20 numbers: every assignee holds one number, as the schema demands.
const BLOCK = 20;
const SEED_BATCH = 100_000;

interface Measured {
  scenario: string;
  size: number | null;
  /** Which round of the interleaved comparison (1..BENCH_ROUNDS). */
  round: number;
  requestsPerSec: number;
  latencyAvgMs: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  totalRequests: number;
  load1: number;
  /** CPU time (user + system) the measured server spent per answered request, in µs: steadier than req/s on a shared machine. */
  cpuUsPerRequest?: number;
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const phoneOf = (i: number) => `+1412${2_000_000 + i}`;
const load1 = () => Math.round(loadavg()[0] * 100) / 100;

// The same answer the app sends for a realtor's number, so the bare route writes as many bytes.
const OWNER_JSON = JSON.stringify({
  phone_number: '+14122000002',
  owner_type: 'realtor',
  owner_id: 1,
  owner_name: 'Realtor 1-1',
  owner_email: 'r1-1@bench.example',
  property_manager_id: 1,
  property_manager_name: 'PM 1',
  company_name: 'Company 1',
  realtor_ids: null,
  purchased_phone_number_id: 2,
  vapi_phone_number_id: 'vapi-bench-2',
});
const ASSISTANT_JSON = JSON.stringify({ assistantId: ASSISTANT_ID, assistantOverrides: { variableValues: JSON.parse(OWNER_JSON) } });

/** The environment `npm start` would run with here: nothing but where to listen and the database. */
function serviceEnv(url: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  // The bench's own environment is not the service's (no NODE_ENV=test, LOG_LEVEL... leaking in).
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[name]) env[name] = process.env[name]!;
  return { ...env, DATABASE_URL: url, PORT: String(port), VAPI_ASSISTANT_ID: ASSISTANT_ID, VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET, ...extra };
}

async function main(): Promise<void> {
  if (process.argv.includes('--import')) return mainImport();
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    log('building (npm run build)');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const { url, stop } = await database();
  const children: ChildProcess[] = [];
  const results: Measured[] = [];
  try {
    const ds = await new DataSource(dataSourceOptions(url, 2)).initialize();
    await migrateWithLock(ds);
    await ds.destroy();

    // The ceiling (a bare Fastify server with the same routes and bytes) runs for the whole
    // bench, and every comparison is made in rounds that alternate its side and the service's,
    // one right after the other: a shared machine's speed drifts by 2x within minutes, so only
    // adjacent measurements compare. Ratios are the median over the rounds of each round's ratio.
    const lookupOf = (sample: number[]) => sample.map((i) => `/chatbot/lookup?phone_number=${encodeURIComponent(phoneOf(i))}`);
    const bareSample = Array.from({ length: SAMPLE }, (_, i) => i + 1);
    const bare = await startBare(children);
    const bareGet = { paths: lookupOf(bareSample) };
    const barePost = { path: '/vapi/webhook', bodies: webhookBodies(bareSample) };
    await warm(bare.base, bareGet);
    await warm(bare.base, barePost);

    for (const size of SIZES) {
      const keys = await seed(url, size);
      const picked = new Set<number>();
      while (picked.size < Math.min(SAMPLE, size)) picked.add(1 + Math.floor(Math.random() * size));
      const sample = [...picked];
      const phones = sample.map(phoneOf);
      const lookupPaths = lookupOf(sample);
      // Every other accepted form of the same numbers (served from the cache once known).
      const formPaths = sample.flatMap((i) => {
        const national = String(2_000_000 + i);
        return [`whatsapp:${phoneOf(i)}`, `(412) ${national.slice(0, 3)}-${national.slice(3)}`, `412-${national.slice(0, 3)}-${national.slice(3)}`];
      }).map((form) => `/chatbot/lookup?phone_number=${encodeURIComponent(form)}`);
      const chatbot = { 'x-api-key': keys.chatbot };
      const lookups = { paths: lookupPaths, headers: chatbot };
      const forms = { paths: formPaths, headers: chatbot };
      const webhooks = { path: '/vapi/webhook', headers: { 'x-vapi-secret': WEBHOOK_SECRET, 'content-type': 'application/json' }, bodies: webhookBodies(sample) };

      // The service as a user starts it: defaults. With BENCH_COMPARE_METRICS=1 a second one
      // without metrics collection (METRICS_ENABLED=false) runs beside it, measured in the same rounds.
      if (SCENARIOS.has('b')) {
        const service = await startService(serviceEnv(url, await freePort()), children);
        const noMetrics = process.env.BENCH_COMPARE_METRICS === '1' ? await startService(serviceEnv(url, await freePort(), { METRICS_ENABLED: 'false' }), children) : undefined;
        for (const server of [service, noMetrics]) {
          if (!server) continue;
          await warm(server.base, lookups);
          await warm(server.base, forms);
          await warm(server.base, webhooks);
        }
        for (let round = 1; round <= ROUNDS; round++) {
          // The instance without metrics goes first in every other round: measured always second,
          // it would carry whatever drift a round has into the on/off ratio.
          const metricsOffFirst = noMetrics !== undefined && round % 2 === 0;
          const lookupOff = async () => noMetrics && results.push(await measure('f_lookup_cached_no_metrics', size, round, noMetrics, lookups));
          const webhookOff = async () => noMetrics && results.push(await measure('f_vapi_assistant_request_no_metrics', size, round, noMetrics, webhooks));
          results.push(await measure('a_bare_get', size, round, bare, bareGet));
          if (metricsOffFirst) await lookupOff();
          results.push(await measure('b_lookup_cached', size, round, service, lookups));
          results.push(await measure('b2_lookup_other_forms', size, round, service, forms));
          if (!metricsOffFirst) await lookupOff();
          results.push(await measure('a2_bare_post', size, round, bare, barePost));
          if (metricsOffFirst) await webhookOff();
          results.push(await measure('d_vapi_assistant_request', size, round, service, webhooks));
          if (!metricsOffFirst) await webhookOff();
        }
        stopServer(service.child);
        if (noMetrics) stopServer(noMetrics.child);
      }

      // The cache off: every lookup goes to the database (a turn's misses in one prepared select);
      // against single-row selects from plain pg.
      if (SCENARIOS.has('c')) {
        const service = await startService(serviceEnv(url, await freePort(), { CHATBOT_LOOKUP_CACHE_SIZE: '0' }), children);
        await warm(service.base, { paths: lookupPaths.slice(0, 200), headers: chatbot });
        for (let round = 1; round <= ROUNDS; round++) {
          results.push(await measure('c_lookup_cache_off', size, round, service, lookups));
          results.push(await pgSelect(url, phones, size, round));
          results.push(await pgSelect(url, phones, size, round, OWNERS_BY_PHONE));
        }
        stopServer(service.child);
      }

      // The admin list: first page, and a page 90% of the way into the list (keyset cursor). One
      // client would hit the default read limit (RATE_LIMIT_READ, 300/min per address) at once.
      if (SCENARIOS.has('e')) {
        const service = await startService(serviceEnv(url, await freePort(), { RATE_LIMIT_READ: '0' }), children);
        const admin = { 'x-api-key': keys.admin };
        const first = { paths: ['/admin/all-purchased-numbers'], headers: admin };
        const deep = { paths: [`/admin/all-purchased-numbers?cursor=${encodeCursor('ASC', [String(Math.floor(size * 0.9))])}`], headers: admin };
        await warm(service.base, { paths: [...first.paths, ...deep.paths], headers: admin });
        for (let round = 1; round <= ROUNDS; round++) {
          results.push(await measure('e_admin_list_first_page', size, round, service, first));
          results.push(await measure('e_admin_list_deep_page', size, round, service, deep));
        }
        stopServer(service.child);
      }
    }
  } finally {
    for (const child of children) stopServer(child);
    await stop();
  }
  report(results);

  function webhookBodies(indexes: number[]): string[] {
    return indexes.map((i) =>
      JSON.stringify({
        message: {
          type: 'assistant-request',
          timestamp: Date.now(),
          call: { id: randomUUID(), orgId: 'org_bench', type: 'inboundPhoneCall', phoneNumberId: `vapi-bench-${i}`, customer: { number: '+14125550199' } },
          phoneNumber: { id: `vapi-bench-${i}`, number: phoneOf(i), provider: 'twilio' },
          customer: { number: '+14125550199' },
        },
      }),
    );
  }

  interface Target {
    path?: string;
    paths?: string[];
    headers?: Record<string, string>;
    bodies?: string[];
  }

  /** The load generator's job for `target`: a random path or body per request, as a chatbot asking about its callers would. */
  function jobFor(url: string, duration: number, target: Target): LoadJob {
    return {
      url,
      connections: CONNECTIONS,
      duration,
      method: target.bodies ? 'POST' : 'GET',
      ...(target.paths ? { paths: target.paths } : { path: target.path }),
      ...(target.bodies ? { bodies: target.bodies } : {}),
      ...(target.headers ? { headers: target.headers } : {}),
    };
  }

  /** Sends every path/body once (fills the cache, prepares statements), then a short unmeasured run (JIT). */
  async function warm(base: string, target: Target): Promise<void> {
    log(`warming ${base} ${target.path ?? target.paths?.[0]?.split('?')[0] ?? ''}`);
    const count = Math.max(target.paths?.length ?? 0, target.bodies?.length ?? 0);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const response = await fetch(base + (target.paths?.[i] ?? target.path ?? ''), {
          method: target.bodies ? 'POST' : 'GET',
          headers: target.headers ?? (target.bodies ? { 'content-type': 'application/json' } : undefined),
          body: target.bodies?.[i],
        });
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await run(jobFor(base, 2, target));
  }

  async function measure(scenario: string, size: number | null, round: number, server: Server, target: Target): Promise<Measured> {
    const headers = target.headers ?? (target.bodies ? { 'content-type': 'application/json' } : undefined);
    const cpuBefore = cpuSeconds(server.child.pid!);
    const result = await run(jobFor(server.base, DURATION, { ...target, headers }));
    const cpuAfter = cpuSeconds(server.child.pid!);
    return record({
      scenario,
      size,
      round,
      requestsPerSec: Math.round(result.requests.average),
      latencyAvgMs: result.latency.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      totalRequests: result.requests.total,
      load1: load1(),
      ...(cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0
        ? { cpuUsPerRequest: Math.round(((cpuAfter - cpuBefore) * 1e6) / result.requests.total) }
        : {}),
    });
  }
}

/** User + system CPU seconds of a process so far (Linux /proc; undefined elsewhere). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function record(measured: Measured): Measured {
  const m = measured;
  log(`${m.scenario}${m.size ? ` @${m.size}` : ''} #${m.round}: ${m.requestsPerSec} req/s, avg ${m.latencyAvgMs} ms, p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms, non-2xx ${m.non2xx}, errors ${m.errors}, load ${m.load1}${m.cpuUsPerRequest !== undefined ? `, server CPU ${m.cpuUsPerRequest} µs/request` : ''}`);
  return measured;
}

/**
 * The pg ceiling for (c), in its own process (bench/pg-select.ts): `pgbench -S` style selects
 * (c2), or, as a diagnostic (c3), the lookup's own owner statement with one number per select, to
 * tell the service's share of the cache-off cost from the statement's.
 */
async function pgSelect(url: string, phones: string[], size: number, round: number, statement?: { name: string; text: string }): Promise<Measured> {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'bench', 'register.js'), join(ROOT, 'bench', 'pg-select.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.end(JSON.stringify({ url, phones, durationSeconds: DURATION, poolSize: LOOKUP_POOL, inFlight: CONNECTIONS, statement, arrayParam: statement !== undefined }));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`pg-select exited with ${code}`);
  const r = JSON.parse(out) as { requestsPerSec: number; latencyAvgMs: number; p50Ms: number; p99Ms: number; total: number; errors: number };
  return record({ scenario: statement ? 'c3_pg_owner_select' : 'c2_pg_single_row_select', size, round, requestsPerSec: r.requestsPerSec, latencyAvgMs: r.latencyAvgMs, p50Ms: r.p50Ms, p99Ms: r.p99Ms, non2xx: 0, errors: r.errors, totalRequests: r.total, load1: load1() });
}

/** The service as `npm start` runs it (after its build: `startCommand`); ready once it says it listens. */
interface Server {
  base: string;
  child: ChildProcess;
}

async function startService(env: Record<string, string>, children: ChildProcess[]): Promise<Server> {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, '--trace-deprecation'] : [];
  const [node, args] = startCommand(profile);
  const child = spawn(node, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await ready(child, /listening on http:\/\/[^:]+:(\d+)/, 'service');
  return { base: `http://127.0.0.1:${env.PORT}`, child };
}

async function startBare(children: ChildProcess[]): Promise<Server> {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'bare-server.js')], {
    cwd: ROOT,
    env: { ...process.env, OWNER_JSON, ASSISTANT_JSON, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return { base: `http://127.0.0.1:${await ready(child, /READY (\d+)/, 'bare')}`, child };
}

function ready(child: ChildProcess, pattern: RegExp, name: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match) {
        // The rest of its output (logs) is read and dropped, as a log shipper would.
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        log(`${name} server on port ${match[1]}`);
        resolvePort(Number(match[1]));
      } else if (buffer.length > 100_000) {
        buffer = buffer.slice(-1000);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
}

function stopServer(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGTERM');
}

/** What bench/load-generator.js is asked to run (autocannon's options, with the paths or bodies to pick from). */
interface LoadJob {
  url: string;
  connections: number;
  duration: number;
  method: 'GET' | 'POST';
  path?: string;
  paths?: string[];
  bodies?: string[];
  headers?: Record<string, string>;
}

/**
 * One autocannon run, in a process of its own (bench/load-generator.js), as an independent
 * harness runs it: this process's heap and event loop (database clients, seed data, results) stay
 * out of the latencies it measures.
 */
function run(job: LoadJob): Promise<autocannon.Result> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench', 'load-generator.js')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the load generator exited with ${code}`));
      try {
        resolveRun(JSON.parse(output) as autocannon.Result);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    child.stdin!.end(JSON.stringify(job));
  });
}

function report(results: Measured[]): void {
  const of = (scenario: string, size: number, round: number) => results.find((r) => r.scenario === scenario && r.size === size && r.round === round);
  const median = (values: number[]): number | null => {
    if (values.length === 0) return null;
    const sorted = [...values].sort((x, y) => x - y);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const round3 = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);
  const rounds = Array.from({ length: ROUNDS }, (_, i) => i + 1);
  /** The median over rounds of `value(numerator) / value(denominator)`, each pair measured back to back. */
  const paired = (numerator: string, denominator: string, size: number, value: (m: Measured) => number | undefined = (m) => m.requestsPerSec) =>
    round3(
      median(
        rounds.flatMap((r) => {
          const top = of(numerator, size, r);
          const bottom = of(denominator, size, r);
          const x = top && value(top);
          const y = bottom && value(bottom);
          return x !== undefined && y ? [x / y] : [];
        }),
      ),
    );
  const medianOf = (scenario: string, size: number, value: (m: Measured) => number) =>
    median(results.filter((r) => r.scenario === scenario && r.size === size).map(value));

  const ratios: Record<string, number | null> = {};
  for (const size of SIZES) {
    ratios[`a bare GET req/s (median) @${size}`] = medianOf('a_bare_get', size, (m) => m.requestsPerSec);
    ratios[`b/a lookup @${size}`] = paired('b_lookup_cached', 'a_bare_get', size);
    // The tail is the machine's as much as the service's: the bare route's p99 in the same rounds.
    ratios[`b lookup p99 ms (median) @${size}`] = medianOf('b_lookup_cached', size, (m) => m.p99Ms);
    ratios[`a bare GET p99 ms (median) @${size}`] = medianOf('a_bare_get', size, (m) => m.p99Ms);
    ratios[`b2/a other forms @${size}`] = paired('b2_lookup_other_forms', 'a_bare_get', size);
    ratios[`d/a2 webhook @${size}`] = paired('d_vapi_assistant_request', 'a2_bare_post', size);
    ratios[`c/c2 cache off vs pg @${size}`] = paired('c_lookup_cache_off', 'c2_pg_single_row_select', size);
    ratios[`c/c3 cache off vs its own statement through pg (diagnostic) @${size}`] = paired('c_lookup_cache_off', 'c3_pg_owner_select', size);
    ratios[`e admin list first page req/s (median) @${size}`] = medianOf('e_admin_list_first_page', size, (m) => m.requestsPerSec);
    ratios[`e admin list deep page req/s (median) @${size}`] = medianOf('e_admin_list_deep_page', size, (m) => m.requestsPerSec);
    // What metrics collection costs the hot routes: throughput with it over without, and the same
    // from the server's CPU per request (without ÷ with).
    for (const [route, withMetrics, without] of [
      ['lookup', 'b_lookup_cached', 'f_lookup_cached_no_metrics'],
      ['webhook', 'd_vapi_assistant_request', 'f_vapi_assistant_request_no_metrics'],
    ]) {
      if (!results.some((r) => r.scenario === without && r.size === size)) continue;
      ratios[`metrics on/off ${route} req/s @${size}`] = paired(withMetrics, without, size);
      ratios[`metrics on/off ${route} by CPU per request @${size}`] = round3(
        median(
          rounds.flatMap((r) => {
            const on = of(withMetrics, size, r)?.cpuUsPerRequest;
            const off = of(without, size, r)?.cpuUsPerRequest;
            return on && off ? [off / on] : [];
          }),
        ),
      );
    }
  }
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const every = (f: (size: number) => boolean) => check(SIZES.every(f));
  const large = Math.max(...SIZES);
  const targets: Record<string, string> = {
    '(b) lookup >= 0.60 of (a), p99 <= 5 ms': every((s) => (ratios[`b/a lookup @${s}`] ?? 0) >= 0.6 && (ratios[`b lookup p99 ms (median) @${s}`] ?? 99) <= 5),
    '(b2) other input forms >= 0.60 of (a)': every((s) => (ratios[`b2/a other forms @${s}`] ?? 0) >= 0.6),
    '(d) webhook >= 0.60 of (a2)': every((s) => (ratios[`d/a2 webhook @${s}`] ?? 0) >= 0.6),
    '(c) cache off >= 0.5 of pg selects (c2)': every((s) => (ratios[`c/c2 cache off vs pg @${s}`] ?? 0) >= 0.5),
    [`(e) admin list first and deep page >= 5,000 req/s @${large}`]: check(
      (ratios[`e admin list first page req/s (median) @${large}`] ?? 0) >= 5000 && (ratios[`e admin list deep page req/s (median) @${large}`] ?? 0) >= 5000,
    ),
    'metrics cost the hot routes <= 5% (req/s on/off >= 0.95)': every((s) =>
      ['lookup', 'webhook'].every((route) => ratios[`metrics on/off ${route} req/s @${s}`] === undefined || (ratios[`metrics on/off ${route} req/s @${s}`] ?? 0) >= 0.95),
    ),
    'no errors, every answer 2xx': check(results.every((r) => r.errors === 0 && r.non2xx === 0)),
  };

  const header = ['scenario', 'numbers', 'round', 'req/s', 'avg ms', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'load 1m', 'CPU µs/req'];
  const rows = results.map((r) => [
    r.scenario,
    r.size === null ? '-' : String(r.size),
    String(r.round),
    String(r.requestsPerSec),
    r.latencyAvgMs.toFixed(2),
    String(r.p50Ms),
    String(r.p99Ms),
    String(r.non2xx),
    String(r.errors),
    r.load1.toFixed(2),
    r.cpuUsPerRequest === undefined ? '-' : String(r.cpuUsPerRequest),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const out = [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    'ratios:',
    ...Object.entries(ratios).map(([k, v]) => `  ${k}: ${v}`),
    '',
    'targets:',
    ...Object.entries(targets).map(([k, v]) => `  ${k}: ${v}`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  const file = join(RESULTS_DIR, 'latest.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadavg: loadavg() },
        settings: { durationSeconds: DURATION, rounds: ROUNDS, connections: CONNECTIONS, sizes: SIZES, sample: SAMPLE, database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded' },
        results,
        ratios,
        targets,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`written to ${file}\n`);
}

/** Embedded PostgreSQL unless DATABASE_URL names a server; either way a fresh `pn_bench` database. */
/** `--import`: the legacy import's speed run (bench/import.ts), written to results/import.json. */
async function mainImport(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const { url, serverUrl, stop } = await database('pn_bench_import');
  try {
    const result = await importBench(serverUrl, url);
    const file = join(RESULTS_DIR, 'import.json');
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), ...result }, null, 2));
    process.stdout.write(`${JSON.stringify(result)}\nwritten to ${file}\n`);
  } finally {
    await stop();
  }
}

async function database(name = BENCH_DB): Promise<{ url: string; serverUrl: string; stop: () => Promise<void> }> {
  let serverUrl = process.env.DATABASE_URL;
  let embedded: EmbeddedPostgresServer | undefined;
  if (!serverUrl) {
    embedded = new EmbeddedPostgresServer({ dataDir: join(RESULTS_DIR, 'pg'), port: Number(process.env.BENCH_PG_PORT ?? 54339), database: 'pn_bench_admin' });
    serverUrl = await embedded.start();
    log(`embedded PostgreSQL started`);
  }
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), serverUrl, stop: async () => void (await embedded?.stop()) };
}

/** Replaces all data with `size` assigned numbers (generate_series, in batches, triggers off). */
async function seed(url: string, size: number): Promise<{ admin: string; chatbot: string }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const started = Date.now();
  try {
    // Seeding is not a change anybody must hear about; no app instance is running now.
    await client.query(`SET session_replication_role = replica`);
    await client.query(`TRUNCATE purchased_phone_numbers, realtors, property_managers, api_keys, number_assignment_history, phone_number_requests CASCADE`);
    const pms = Math.ceil(size / BLOCK);
    const realtorsPerPm = BLOCK - 1;
    for (let from = 1; from <= pms; from += SEED_BATCH) {
      const to = Math.min(pms, from + SEED_BATCH - 1);
      await client.query(
        `INSERT INTO property_managers (id, name, email, auth_user_id, company_name)
         SELECT g, 'PM ' || g, 'pm' || g || '@bench.example', 'bench-pm-' || g, 'Company ' || g FROM generate_series($1::int, $2::int) g`,
        [from, to],
      );
      await client.query(
        `INSERT INTO realtors (id, property_manager_id, name, email, auth_user_id)
         SELECT (pm - 1) * ${realtorsPerPm} + k, pm, 'Realtor ' || pm || '-' || k, 'r' || pm || '-' || k || '@bench.example', 'bench-r-' || pm || '-' || k
           FROM generate_series($1::int, $2::int) pm, generate_series(1, ${realtorsPerPm}) k`,
        [from, to],
      );
      log(`seed ${size}: property managers and realtors ${to}/${pms}`);
    }
    for (let from = 1; from <= size; from += SEED_BATCH) {
      const to = Math.min(size, from + SEED_BATCH - 1);
      await client.query(
        `INSERT INTO purchased_phone_numbers (id, property_manager_id, phone_number, twilio_sid, vapi_phone_number_id, status,
                                              assigned_to_type, assigned_realtor_id, assigned_at, notes)
         SELECT i, (i - 1) / ${BLOCK} + 1, '+1412' || (2000000 + i), 'PN' || lpad(to_hex(i), 32, '0'), 'vapi-bench-' || i, 'assigned',
                CASE WHEN (i - 1) % ${BLOCK} = 0 THEN 'property_manager' ELSE 'realtor' END,
                CASE WHEN (i - 1) % ${BLOCK} = 0 THEN NULL ELSE ((i - 1) / ${BLOCK}) * ${realtorsPerPm} + (i - 1) % ${BLOCK} END,
                now(), 'bench'
           FROM generate_series($1::int, $2::int) i`,
        [from, to],
      );
      log(`seed ${size}: numbers ${to}/${size} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    // The chatbot's answers are kept by triggers, which are off here: built once, set-wise.
    await client.query(`SELECT rebuild_chatbot_owner_answers()`);
    log(`seed ${size}: chatbot answers (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    for (const table of ['property_managers', 'realtors', 'purchased_phone_numbers']) {
      await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT coalesce(max(id), 1) FROM ${table}))`);
    }
    const keys = { admin: newKey(), chatbot: newKey() };
    for (const [scope, key] of Object.entries(keys)) {
      await client.query(`INSERT INTO api_keys (id, name, key_hash, scopes) VALUES ($1, $2, $3, $4)`, [key.id, `bench ${scope}`, key.hash, [scope]]);
    }
    await client.query(`RESET session_replication_role`);
    await client.query('VACUUM ANALYZE');
    // Write the load out now, not in a checkpoint during the measurements.
    await client.query('CHECKPOINT');
    log(`seed ${size}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { admin: keys.admin.key, chatbot: keys.chatbot.key };
  } finally {
    await client.end();
  }
}

function newKey(): { id: string; key: string; hash: Buffer } {
  const id = randomUUID();
  const key = `pnk_${id.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: createHash('sha256').update(key).digest() };
}


main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
