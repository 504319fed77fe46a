/**
 * `npm run bench`: the chatbot lookup against a bare Fastify route, at 1,000 and 1,000,000
 * assigned numbers. See docs/chatbot.md for what each scenario means and the targets.
 *
 * Env: DATABASE_URL (a PostgreSQL server; a database `pn_bench` is (re)created on it) or, unset,
 * an embedded PostgreSQL under bench/results/pg; BENCH_DURATION (s, default 8);
 * BENCH_CONNECTIONS (default 50); BENCH_SIZES (default 1000,1000000); BENCH_LOG_LEVEL (the app's
 * LOG_LEVEL, default info); BENCH_COMPARE_METRICS=1 (also the hot routes without metrics collection).
 *
 * `npm run bench -- --import`: the legacy import's speed run instead (bench/import.ts).
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { encodeCursor } from '../src/common/pagination/paginate';
import { dataSourceOptions, migrateWithLock } from '../src/database/data-source-options';
import { EmbeddedPostgresServer } from '../src/database/embedded-postgres.server';
import { importBench } from './import';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SIZES = (process.env.BENCH_SIZES ?? '1000,1000000').split(',').map(Number);
// Distinct numbers requested per size: the same working set at 1k and 1M, so the ratio shows the
// table's size, not a bigger working set.
const SAMPLE = 1_000;
const ASSISTANT_ID = 'asst_bench';
const WEBHOOK_SECRET = 'bench-webhook-secret';
// A PM and 19 realtors per block of 20 numbers: every assignee holds one number, as the schema demands.
const BLOCK = 20;
const SEED_BATCH = 100_000;

interface Measured {
  scenario: string;
  size: number | null;
  requestsPerSec: number;
  latencyAvgMs: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  totalRequests: number;
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const phoneOf = (i: number) => `+1412${2_000_000 + i}`;

async function main(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (process.argv.includes('--import')) return mainImport();
  const { url, stop } = await database();
  const children: ChildProcess[] = [];
  const results: Measured[] = [];
  try {
    const ds = await new DataSource(dataSourceOptions(url, 2)).initialize();
    await migrateWithLock(ds);
    await ds.destroy();

    // The ceiling is measured first and again last; ratios use the better of the two, so a slow
    // moment of a shared machine cannot flatter the app.
    const measureBare = async (suffix: string) => {
      const bare = await startServer('bare', {}, children);
      await warm(`http://127.0.0.1:${bare}/ping`);
      results.push(await measure(`a_bare_fastify${suffix}`, null, { url: `http://127.0.0.1:${bare}/ping` }));
      if (!suffix) {
        const bareBodies = webhookBodies(Array.from({ length: 1000 }, (_, i) => i + 1));
        results.push(
          await measure('a2_bare_fastify_post', null, { url: `http://127.0.0.1:${bare}/ping`, headers: { 'content-type': 'application/json' }, bodies: bareBodies }),
        );
      }
      stopServer(children.pop()!);
    };
    await measureBare('');

    for (const size of SIZES) {
      const keys = await seed(url, size);
      const env = {
        DATABASE_URL: url,
        NODE_ENV: 'development',
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
        TELEPHONY_MODE: 'sandbox',
        VAPI_ASSISTANT_ID: ASSISTANT_ID,
        VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET,
        DATABASE_POOL_SIZE: '10',
        // The benchmark measures serving, not the rate limiter (one client would hit every limit).
        RATE_LIMIT_READ: '0',
        RATE_LIMIT_WRITE: '0',
        RATE_LIMIT_ADMIN_WRITE: '0',
      };
      const cached = await startServer('app', { ...env, CHATBOT_LOOKUP_CACHE_SIZE: String(Math.max(SAMPLE * 2, 100_000)) }, children);
      const uncached = await startServer('app', { ...env, CHATBOT_LOOKUP_CACHE_SIZE: '0' }, children);

      const picked = new Set<number>();
      while (picked.size < Math.min(SAMPLE, size)) picked.add(1 + Math.floor(Math.random() * size));
      const sample = [...picked];
      const lookupPaths = sample.map((i) => `/chatbot/lookup?phone_number=${encodeURIComponent(phoneOf(i))}`);
      const chatbotHeaders = { 'x-api-key': keys.chatbot };
      const adminHeaders = { 'x-api-key': keys.admin };

      // (b) cache warm: every sampled number is fetched once before measuring.
      await warm(`http://127.0.0.1:${cached}`, lookupPaths, chatbotHeaders);
      results.push(await measure('b_lookup_cached', size, { url: `http://127.0.0.1:${cached}`, paths: lookupPaths, headers: chatbotHeaders }));

      // (c) every request is one prepared query.
      await warm(`http://127.0.0.1:${uncached}`, lookupPaths.slice(0, 2000), chatbotHeaders);
      results.push(await measure('c_lookup_uncached', size, { url: `http://127.0.0.1:${uncached}`, paths: lookupPaths, headers: chatbotHeaders }));

      // (d) assistant-request by VAPI id, with the extra fields real payloads carry.
      const bodies = webhookBodies(sample);
      const webhookHeaders = { 'x-vapi-secret': WEBHOOK_SECRET, 'content-type': 'application/json' };
      await warm(`http://127.0.0.1:${cached}/vapi/webhook`, undefined, webhookHeaders, bodies);
      results.push(await measure('d_vapi_assistant_request', size, { url: `http://127.0.0.1:${cached}/vapi/webhook`, headers: webhookHeaders, bodies }));

      // (f) BENCH_COMPARE_METRICS=1: the hot routes again on an instance without metrics
      // collection, interleaved with the measurements above, to quote what the metrics cost.
      if (process.env.BENCH_COMPARE_METRICS === '1') {
        const bare = await startServer('app', { ...env, METRICS_ENABLED: 'false', CHATBOT_LOOKUP_CACHE_SIZE: String(Math.max(SAMPLE * 2, 100_000)) }, children);
        await warm(`http://127.0.0.1:${bare}`, lookupPaths, chatbotHeaders);
        results.push(await measure('f_lookup_cached_no_metrics', size, { url: `http://127.0.0.1:${bare}`, paths: lookupPaths, headers: chatbotHeaders }));
        await warm(`http://127.0.0.1:${bare}/vapi/webhook`, undefined, webhookHeaders, bodies);
        results.push(await measure('f_vapi_assistant_request_no_metrics', size, { url: `http://127.0.0.1:${bare}/vapi/webhook`, headers: webhookHeaders, bodies }));
        stopServer(children.pop()!);
        results.push(await measure('f_lookup_cached_metrics_again', size, { url: `http://127.0.0.1:${cached}`, paths: lookupPaths, headers: chatbotHeaders }));
      }

      // (e) the admin list: first page, and a page 90% of the way into the list (keyset cursor).
      const first = `/admin/all-purchased-numbers`;
      const deep = `/admin/all-purchased-numbers?cursor=${encodeCursor('ASC', [String(Math.floor(size * 0.9))])}`;
      await warm(`http://127.0.0.1:${cached}`, [first, deep], adminHeaders);
      results.push(await measure('e_admin_list_first_page', size, { url: `http://127.0.0.1:${cached}`, paths: [first], headers: adminHeaders }));
      results.push(await measure('e_admin_list_deep_page', size, { url: `http://127.0.0.1:${cached}`, paths: [deep], headers: adminHeaders }));

      stopServer(children.pop()!);
      stopServer(children.pop()!);
    }
    await measureBare('_again');
  } finally {
    for (const child of children) stopServer(child);
    await stop();
  }
  report(results);
}

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

/** Embedded PostgreSQL unless DATABASE_URL names a server; either way a fresh `pn_bench` database. */
/** `--import`: the legacy import's speed run (bench/import.ts), written to results/import.json. */
async function mainImport(): Promise<void> {
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

async function database(name = 'pn_bench'): Promise<{ url: string; serverUrl: string; stop: () => Promise<void> }> {
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

async function startServer(mode: 'bare' | 'app', env: Record<string, string>, children: ChildProcess[]): Promise<number> {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'bench', 'register.js'), join(ROOT, 'bench', 'server.ts'), mode], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolvePort, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /READY (\d+)/.exec(buffer);
      if (match) {
        // The rest of its output (request logs) is read and dropped, as a log shipper would.
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        log(`${mode} server on port ${match[1]}`);
        resolvePort(Number(match[1]));
      } else if (buffer.length > 100_000) {
        buffer = buffer.slice(-1000);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

function stopServer(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGTERM');
}

interface Target {
  url: string;
  paths?: string[];
  headers?: Record<string, string>;
  bodies?: string[];
}

// Fixed requests only: autocannon builds each one's bytes once, while a `setupRequest` callback
// would rebuild every request in the load generator and make it the bottleneck. Every connection
// cycles through the (shuffled) list.
function requestsFor(target: Target) {
  const method = (target.bodies ? 'POST' : 'GET') as 'POST' | 'GET';
  const count = Math.max(target.paths?.length ?? 1, target.bodies?.length ?? 1);
  // Keys left out rather than undefined: an undefined path would replace the URL's.
  return Array.from({ length: count }, (_, i) => ({
    method,
    ...(target.paths ? { path: target.paths[i % target.paths.length] } : {}),
    ...(target.headers ? { headers: target.headers } : {}),
    ...(target.bodies ? { body: target.bodies[i % target.bodies.length] } : {}),
  }));
}

/** Sends every path/body once (fills the cache, prepares statements), then a short unmeasured run (JIT). */
async function warm(url: string, paths?: string[], headers?: Record<string, string>, bodies?: string[]): Promise<void> {
  const count = Math.max(paths?.length ?? 0, bodies?.length ?? 0);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const response = await fetch(url + (paths?.[i] ?? ''), { method: bodies ? 'POST' : 'GET', headers, body: bodies?.[i] });
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await run({ url, connections: CONNECTIONS, duration: 2, requests: requestsFor({ url, paths, headers, bodies }) });
}

async function measure(scenario: string, size: number | null, target: Target): Promise<Measured> {
  const result = await run({ url: target.url, connections: CONNECTIONS, duration: DURATION, requests: requestsFor(target) });
  const measured: Measured = {
    scenario,
    size,
    requestsPerSec: Math.round(result.requests.average),
    latencyAvgMs: result.latency.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    totalRequests: result.requests.total,
  };
  log(`${scenario}${size ? ` @${size}` : ''}: ${measured.requestsPerSec} req/s, avg ${measured.latencyAvgMs} ms, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, non-2xx ${measured.non2xx}, errors ${measured.errors}`);
  return measured;
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolveRun, reject) => {
    autocannon({ ...options, pipelining: 1 }, (error, result) => (error ? reject(error) : resolveRun(result)));
  });
}

function report(results: Measured[]): void {
  const find = (scenario: string, size: number | null = null) => results.find((r) => r.scenario === scenario && r.size === size);
  const ratio = (a?: number, b?: number) => (a !== undefined && b ? Math.round((a / b) * 1000) / 1000 : null);
  const [small, large] = [Math.min(...SIZES), Math.max(...SIZES)];
  const bareRuns = results.filter((r) => r.scenario.startsWith('a_bare_fastify'));
  const bare = bareRuns.reduce<Measured | undefined>((best, r) => (!best || r.requestsPerSec > best.requestsPerSec ? r : best), undefined);
  const ratios: Record<string, number | null> = {
    'a (best bare run) req/s': bare?.requestsPerSec ?? null,
    'b/a req/s @1k': ratio(find('b_lookup_cached', small)?.requestsPerSec, bare?.requestsPerSec),
    'b/a req/s @1M': ratio(find('b_lookup_cached', large)?.requestsPerSec, bare?.requestsPerSec),
    'd/a req/s @1k': ratio(find('d_vapi_assistant_request', small)?.requestsPerSec, bare?.requestsPerSec),
    'd/a req/s @1M': ratio(find('d_vapi_assistant_request', large)?.requestsPerSec, bare?.requestsPerSec),
    'd/a2 (bare POST) req/s @1M': ratio(find('d_vapi_assistant_request', large)?.requestsPerSec, find('a2_bare_fastify_post')?.requestsPerSec),
    'b 1M/1k avg latency': ratio(find('b_lookup_cached', large)?.latencyAvgMs, find('b_lookup_cached', small)?.latencyAvgMs),
    'b 1M/1k p99': ratio(find('b_lookup_cached', large)?.p99Ms, find('b_lookup_cached', small)?.p99Ms),
    'c 1M/1k avg latency': ratio(find('c_lookup_uncached', large)?.latencyAvgMs, find('c_lookup_uncached', small)?.latencyAvgMs),
    'e first 1M/1k avg latency': ratio(find('e_admin_list_first_page', large)?.latencyAvgMs, find('e_admin_list_first_page', small)?.latencyAvgMs),
    'e deep 1M/1k avg latency': ratio(find('e_admin_list_deep_page', large)?.latencyAvgMs, find('e_admin_list_deep_page', small)?.latencyAvgMs),
    'e deep/first avg latency @1k': ratio(find('e_admin_list_deep_page', small)?.latencyAvgMs, find('e_admin_list_first_page', small)?.latencyAvgMs),
    'e deep/first avg latency @1M': ratio(find('e_admin_list_deep_page', large)?.latencyAvgMs, find('e_admin_list_first_page', large)?.latencyAvgMs),
  };
  const b1M = find('b_lookup_cached', large);
  const c1M = find('c_lookup_uncached', large);
  const check = (ok: boolean | undefined) => (ok ? 'met' : 'NOT met');
  const targets: Record<string, string> = {
    '(b) >= 60% of (a) req/s, p99 <= 5 ms': check(
      SIZES.every((s) => (ratio(find('b_lookup_cached', s)?.requestsPerSec, bare?.requestsPerSec) ?? 0) >= 0.6 && (find('b_lookup_cached', s)?.p99Ms ?? 99) <= 5),
    ),
    '(c) >= 9k req/s, p99 <= 12 ms': check(SIZES.every((s) => (find('c_lookup_uncached', s)?.requestsPerSec ?? 0) >= 9000 && (find('c_lookup_uncached', s)?.p99Ms ?? 99) <= 12)),
    '(b) 1M/1k latency <= 1.2': check((ratios['b 1M/1k avg latency'] ?? 9) <= 1.2),
    '(e) 1M/1k latency <= 1.2': check((ratios['e first 1M/1k avg latency'] ?? 9) <= 1.2 && (ratios['e deep 1M/1k avg latency'] ?? 9) <= 1.2),
    '(e) deep page within 1.2x of first': check((ratios['e deep/first avg latency @1k'] ?? 9) <= 1.2 && (ratios['e deep/first avg latency @1M'] ?? 9) <= 1.2),
  };
  void b1M;
  void c1M;

  const header = ['scenario', 'numbers', 'req/s', 'avg ms', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'];
  const rows = results.map((r) => [r.scenario, r.size === null ? '-' : String(r.size), String(r.requestsPerSec), r.latencyAvgMs.toFixed(2), String(r.p50Ms), String(r.p99Ms), String(r.non2xx), String(r.errors)]);
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
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
        settings: { durationSeconds: DURATION, connections: CONNECTIONS, sizes: SIZES, sample: SAMPLE, database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded' },
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

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
