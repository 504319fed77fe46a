import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { ACCESS, ACTORS, ActorName, buildWorld, documentedOperations, expectedStatus, MATRIX_ENV, Operation, World } from './access-table';

/**
 * The authorization matrix: every documented operation, called as every actor, answers exactly
 * the status the access table expects; PM B can neither read nor change PM A's objects; and
 * every admin call leaves the audit records it should (see `expectedAuditRecords`).
 */
describe('authorization matrix', () => {
  let t: TestApp;
  let w: World;
  let operations: Operation[];
  const results: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: MATRIX_ENV });
    w = await buildWorld(t);
    operations = await documentedOperations(t);
  });
  afterAll(async () => {
    await t.close();
    process.stdout.write(`authorization matrix: ${results.length} calls (${operations.length} operations × ${ACTORS.length} actors)\n`);
  });

  it('has a row for every operation in the OpenAPI document', () => {
    const missing = operations.filter((op) => !ACCESS[op.key]).map((op) => op.key);
    expect(missing).toEqual([]);
    expect(operations.length).toBeGreaterThanOrEqual(20);
  });

  it('checks the object after every call to an operation that takes an id', async () => {
    // A path id, or a PM-side operation on PM A's object: the row must prove the object is
    // changed only by those allowed to change it.
    const unchecked: string[] = [];
    for (const op of operations) {
      const row = ACCESS[op.key];
      const takesId = op.path.includes('{') || row?.expect?.pmB === 404;
      if (!row || !takesId || op.method === 'GET') continue;
      if (!(await row.prepare(w, 'pmB')).check) unchecked.push(op.key);
    }
    expect(unchecked).toEqual([]);
  });

  /**
   * Admin changes: exactly one record whatever the outcome (the use case's on success, the
   * filter's `denied`/`failure` otherwise). Admin reads: one record only when refused.
   * Everything else: none.
   */
  function expectedAuditRecords(op: Operation, status: number): number {
    if (!op.path.startsWith('/admin')) return 0;
    if (op.method !== 'GET') return status < 300 ? (ACCESS[op.key]?.successAuditRecords ?? 1) : 1;
    return [401, 403, 429].includes(status) ? 1 : 0;
  }

  it('answers every operation × actor with the expected status', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      const row = ACCESS[op.key];
      if (!row) continue;
      await Promise.all(
        ACTORS.map(async (actor: ActorName) => {
          const call = await row.prepare(w, actor);
          const requestId = `matrix-${randomUUID()}`;
          const credentials = w.credentials[actor];
          const response = await t.http.request(op.method, call.path, {
            ...credentials,
            headers: { ...(credentials.headers ?? {}), ...(call.headers ?? {}), 'x-request-id': requestId },
            ...(call.body !== undefined ? { body: call.body } : {}),
          });
          const expected = expectedStatus(row, actor);
          results.push(`${op.key} as ${actor}: ${response.status}`);
          if (response.status !== expected) {
            failures.push(`${op.key} as ${actor}: expected ${expected}, got ${response.status} ${response.text.slice(0, 200)}`);
            return;
          }
          if (response.status >= 400) {
            expect(response.headers.get('content-type')).toContain('application/problem+json');
          }
          try {
            await call.check?.(response.status, response.body);
          } catch (error) {
            failures.push(`${op.key} as ${actor}: check failed: ${(error as Error).message}`);
          }
          const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM audit_log WHERE request_id = $1', [requestId]);
          const expectedRecords = expectedAuditRecords(op, response.status);
          if (count !== expectedRecords) {
            failures.push(`${op.key} as ${actor} (${response.status}): ${count} audit records, expected ${expectedRecords}`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
  });

  it('records who was refused: the presented credential, outcome and client IP', async () => {
    const requestId = `matrix-${randomUUID()}`;
    await t.http.post('/admin/api-keys', { name: 'x', scopes: ['chatbot'] }, {
      ...w.credentials.adminOutsideAllowlist,
      headers: { ...w.credentials.adminOutsideAllowlist.headers, 'x-request-id': requestId },
    });
    const [record] = await t.dataSource.query('SELECT * FROM audit_log WHERE request_id = $1', [requestId]);
    expect(record).toMatchObject({
      actor_type: 'api_key',
      outcome: 'denied',
      action: 'POST /admin/api-keys',
      client_ip: '203.0.113.77',
      details: { status: 403, code: 'admin_ip_not_allowed', credential_verified: true },
    });
    expect(record.credential).toMatch(/^api_key:[0-9a-f-]{36}$/);
  });
});
