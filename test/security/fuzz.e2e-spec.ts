import fc from 'fast-check';
import { TEST_JWT_SECRET } from '../support/factories';
import { Credentials } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { ACCESS, buildWorld, documentedOperations, MATRIX_ENV, privilegedActor, VAPI_SECRET, World } from './access-table';

const RUNS = { body: 40, query: 30, headers: 30 };

// What must never reach a caller: a stack, SQL or driver text, internals, secrets (added below).
const LEAKS = [
  /\bat [^\n]+\(?[^\n]+:\d+:\d+\)?/,
  /node_modules|\/src\/|\.ts:\d+/,
  /QueryFailedError|TypeORMError|EntityNotFound|TypeError|ReferenceError/,
  /\b(SELECT|INSERT INTO|DELETE FROM)\b|\bUPDATE \S+ SET\b/,
  /syntax error|violates|relation "|duplicate key|invalid input syntax/i,
];

const ascii = (maxLength = 40) => fc.string({ unit: 'grapheme-ascii', maxLength });
const nasty = fc.oneof(
  ascii(),
  fc.constantFrom("' OR 1=1 --", '1; DROP TABLE audit_log', '../../etc/passwd', '%00', '-1', '0', '1e309', 'NaN', '9'.repeat(40), '{}', '[]', 'null', '__proto__', 'constructor'),
  fc.integer().map(String),
  fc.double().map(String),
);

/** The request body fields of an operation, from its OpenAPI schema. */
function bodyFields(document: any, method: string, path: string): string[] {
  const operation = document.paths[path]?.[method.toLowerCase()];
  const ref: string | undefined = operation?.requestBody?.content?.['application/json']?.schema?.$ref;
  if (!ref) return [];
  return Object.keys(document.components.schemas[ref.split('/').pop()!]?.properties ?? {});
}

function queryNames(document: any, method: string, path: string): string[] {
  const operation = document.paths[path]?.[method.toLowerCase()];
  return (operation?.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name);
}

/**
 * Property-based bad input for every operation of the OpenAPI document: generated malformed
 * bodies, query strings, path ids and headers, sent with a credential that gets past the guards.
 * Never a 5xx, never a stack, SQL or secret in a response, and nothing written by a refusal.
 */
describe('bad input (fast-check, every documented operation)', () => {
  let t: TestApp;
  let w: World;
  let document: any;
  let secrets: string[];
  let sent = 0;
  let snapshotSql = '';

  beforeAll(async () => {
    t = await startTestApp({ env: MATRIX_ENV });
    w = await buildWorld(t);
    document = (await t.http.get('/docs-json')).body;
    secrets = [TEST_JWT_SECRET, t.adminKey, VAPI_SECRET, w.credentials.chatbotKey.apiKey!];
    // Every table's content except the audit log (refusals of admin calls are recorded there) and
    // api_keys.last_used_at (touched by any authenticated call).
    const tables: { table_name: string }[] = await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('audit_log', 'schema_migrations')
       ORDER BY table_name`,
    );
    snapshotSql = `SELECT ${tables
      .map(({ table_name: name }) => {
        const row = name === 'api_keys' ? `(x.id, x.revoked_at)::text` : 'x::text';
        return `(SELECT md5(coalesce(string_agg(${row}, ',' ORDER BY ${row}), '')) FROM "${name}" x) AS "${name}"`;
      })
      .join(', ')}`;
  });
  afterAll(async () => {
    await t.close();
    process.stdout.write(`fuzz: ${sent} generated requests\n`);
  });

  const snapshot = async () => (await t.dataSource.query(snapshotSql))[0];

  async function send(method: string, path: string, options: Credentials & { rawBody?: string; contentType?: string }) {
    const before = await snapshot();
    const response = await t.http.request(method, path, options);
    sent += 1;
    const where = `${method} ${path} -> ${response.status}: ${response.text.slice(0, 300)}`;
    if (response.status >= 500) throw new Error(`5xx: ${where}`);
    for (const leak of LEAKS) if (leak.test(response.text)) throw new Error(`leak ${leak}: ${where}`);
    for (const secret of secrets) if (response.text.includes(secret)) throw new Error(`secret in response: ${where}`);
    if (response.status >= 400) {
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await snapshot()).toEqual(before);
    }
    return response;
  }

  function credentialsFor(key: string): Credentials {
    const row = ACCESS[key];
    if (row?.kind === 'webhook') return { headers: { 'x-vapi-secret': VAPI_SECRET } };
    const actor = row && privilegedActor(row);
    return actor ? w.credentials[actor] : {};
  }

  /** The documented path with each `{param}` filled by `fill`. */
  const pathWith = (path: string, fill: () => string) => path.replace(/\{[^}]+\}/g, () => encodeURIComponent(fill()));

  it('survives malformed bodies and path ids', async () => {
    for (const op of await documentedOperations(t)) {
      if (op.method === 'GET') continue;
      const fields = bodyFields(document, op.method, op.path);
      const field = fc.constantFrom(...fields, 'unknown_field', '__proto__');
      const body = fc.oneof(
        fc.dictionary(field, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }).map((b) => JSON.stringify(b)),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        ascii(80), // not JSON at all
        fc.constantFrom('{"a":', '[', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000', 'null'),
      );
      await fc.assert(
        fc.asyncProperty(body, nasty, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (raw, id, contentType) => {
          const path = pathWith(op.path, () => id || 'x');
          await send(op.method, path, { ...credentialsFor(op.key), rawBody: raw, contentType });
        }),
        { numRuns: RUNS.body },
      );
    }
  });

  it('survives malformed query strings', async () => {
    for (const op of await documentedOperations(t)) {
      const names = [...queryNames(document, op.method, op.path), 'limit', 'cursor', 'unknown'];
      const query = fc.array(fc.tuple(fc.constantFrom(...names), nasty), { maxLength: 5 });
      await fc.assert(
        fc.asyncProperty(query, async (pairs) => {
          const search = new URLSearchParams(pairs).toString();
          const path = pathWith(op.path, () => '1') + (search ? `?${search}` : '');
          await send(op.method, path, { ...credentialsFor(op.key), ...(op.method === 'GET' ? {} : { rawBody: '{}' }) });
        }),
        { numRuns: RUNS.query },
      );
    }
  });

  it('survives malformed credentials and headers', async () => {
    const header = fc.record(
      {
        authorization: fc.oneof(ascii(200), ascii(100).map((s) => `Bearer ${s}`), fc.constantFrom('Bearer ', 'Bearer a.b.c', 'Basic YTpi')),
        'x-api-key': fc.oneof(ascii(120), ascii(43).map((s) => `pnk_${'0'.repeat(32)}_${s}`)),
        'x-request-id': ascii(100),
        'x-forwarded-for': fc.oneof(ascii(40), fc.constantFrom('127.0.0.1', '10.0.0.1, 203.0.113.1', '::1')),
        'x-vapi-secret': ascii(60),
        'idempotency-key': ascii(300),
        accept: fc.constantFrom('application/xml', '*/*', 'text/html', 'garbage'),
      },
      { requiredKeys: [] },
    );
    for (const op of await documentedOperations(t)) {
      await fc.assert(
        fc.asyncProperty(header, async (headers) => {
          const clean = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''));
          const response = await send(op.method, pathWith(op.path, () => '1'), { headers: clean, ...(op.method === 'GET' ? {} : { rawBody: '{}' }) });
          // None of these is a credential: a protected operation lets none of them in.
          const row = ACCESS[op.key];
          if (row && !row.kind) expect(response.status).toBe(401);
        }),
        { numRuns: RUNS.headers },
      );
    }
  });
});
