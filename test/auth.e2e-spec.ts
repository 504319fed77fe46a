import { TransactionHost } from '@nestjs-cls/transactional';
import { ApiKeysService } from '../src/modules/auth/api-keys.service';
import { signJwt, TEST_JWT_SECRET } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('authentication', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('API keys', () => {
    it("records a key's use outside the caller's transaction: a rollback there does not undo it", async () => {
      const { id, key } = await t.factories.apiKey(['chatbot']);
      const keys = t.app.get(ApiKeysService);
      const txHost = t.app.get(TransactionHost);
      await expect(
        txHost.withTransaction(async () => {
          expect(await keys.authenticate(key)).toMatchObject({ actorId: id });
          throw new Error('the caller fails after authenticating');
        }),
      ).rejects.toThrow('the caller fails');
      const recorded = async () => (await t.dataSource.query('SELECT last_used_at FROM api_keys WHERE id = $1', [id]))[0].last_used_at;
      for (let i = 0; i < 50 && !(await recorded()); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await recorded()).not.toBeNull();
    });

    it('creates a key shown once, lists it without the secret, and revokes it at once', async () => {
      const created = await t.http.post('/admin/api-keys', { name: 'chatbot production', scopes: ['chatbot'] }, { apiKey: t.adminKey });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: expect.any(String), name: 'chatbot production', scopes: ['chatbot'], revoked_at: null, api_key: expect.stringMatching(/^pnk_[0-9a-f]{32}_/) });
      const key = created.body.api_key as string;

      // Stored only as a hash.
      const [row] = await t.dataSource.query('SELECT key_hash FROM api_keys WHERE id = $1', [created.body.id]);
      expect(row.key_hash.toString('utf8')).not.toContain(key);

      const listed = await t.http.get('/admin/api-keys', { apiKey: t.adminKey });
      expect(listed.status).toBe(200);
      expect(listed.text).not.toContain(key);
      expect(listed.body.api_keys.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({ name: 'chatbot production', last_used_at: null });

      // A chatbot key is not an admin key.
      expect((await t.http.get('/admin/api-keys', { apiKey: key })).status).toBe(403);
      // Its use is recorded.
      const [used] = await t.dataSource.query('SELECT last_used_at FROM api_keys WHERE id = $1', [created.body.id]);
      await new Promise((r) => setTimeout(r, 50));
      const [usedAfter] = await t.dataSource.query('SELECT last_used_at FROM api_keys WHERE id = $1', [created.body.id]);
      expect(used.last_used_at ?? usedAfter.last_used_at).not.toBeNull();

      const revoked = await t.http.delete(`/admin/api-keys/${created.body.id}`, { apiKey: t.adminKey });
      expect(revoked.status).toBe(200);
      expect(revoked.body.revoked_at).not.toBeNull();
      const afterRevoke = await t.http.get('/admin/api-keys', { apiKey: key });
      expect(afterRevoke.status).toBe(401);

      const actions = await t.dataSource.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`, [created.body.id]);
      expect(actions.map((a: { action: string }) => a.action)).toEqual(['api_key.create', 'api_key.revoke']);
    });

    it('revoking the key in use stops it for the very next request', async () => {
      const { id, key } = await t.factories.apiKey(['admin']);
      expect((await t.http.delete(`/admin/api-keys/${id}`, { apiKey: key })).status).toBe(200);
      expect((await t.http.get('/admin/api-keys', { apiKey: key })).status).toBe(401);
    });

    it.each([
      ['no scopes', { name: 'x', scopes: [] }],
      ['an unknown scope', { name: 'x', scopes: ['root'] }],
      ['a repeated scope', { name: 'x', scopes: ['admin', 'admin'] }],
      ['no name', { scopes: ['admin'] }],
    ])('refuses a key with %s', async (_label, body) => {
      expect((await t.http.post('/admin/api-keys', body, { apiKey: t.adminKey })).status).toBe(400);
    });

    it('answers 404 for an unknown key id and 400 for a malformed one', async () => {
      expect((await t.http.delete('/admin/api-keys/00000000-0000-4000-8000-000000000000', { apiKey: t.adminKey })).status).toBe(404);
      expect((await t.http.delete('/admin/api-keys/not-a-uuid', { apiKey: t.adminKey })).status).toBe(400);
    });

    it.each(['', 'pnk_', 'pnk_00000000000000000000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', "' OR 1=1 --"])(
      'refuses a forged key %p with 401',
      async (forged) => {
        const res = await t.http.get('/admin/api-keys', { headers: { 'x-api-key': forged } });
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('unauthenticated');
      },
    );
  });

  describe('JWTs', () => {
    const call = (jwt: string) => t.http.get('/admin/all-purchased-numbers', { jwt });

    it('accepts an admin role from `role` or `app_metadata.role`', async () => {
      expect((await call(signJwt({ sub: 'a1', role: 'admin' }))).status).toBe(200);
      expect((await call(signJwt({ sub: 'a2', app_metadata: { role: 'admin' } }))).status).toBe(200);
    });

    it('refuses expired, unsigned, wrongly signed and exp-less tokens with 401', async () => {
      const expired = signJwt({ sub: 'a', role: 'admin', exp: Math.floor(Date.now() / 1000) - 60 }, { expiresIn: undefined });
      const wrongKey = signJwt({ sub: 'a', role: 'admin' }, {}, 'another-secret-another-secret-another');
      const noExp = signJwt({ sub: 'a', role: 'admin' }, { expiresIn: undefined });
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ sub: 'a', role: 'admin', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
      const algNone = `${header}.${payload}.`;
      for (const token of [expired, wrongKey, noExp, algNone, 'not.a.jwt', 'garbage']) {
        const res = await call(token);
        expect(res.status).toBe(401);
        expect(res.text).not.toContain(TEST_JWT_SECRET);
      }
    });

    it('forbids (403) a valid token that belongs to nobody here', async () => {
      const res = await t.http.get('/my-number', { jwt: signJwt({ sub: 'nobody' }) });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/not linked/);
    });

    it('keeps dashboard users out of admin endpoints and admins out of dashboard ones', async () => {
      const { jwt } = await t.factories.propertyManager();
      expect((await call(jwt)).status).toBe(403);
      expect((await t.http.get('/purchased-phone-numbers', { jwt: t.factories.adminJwt() })).status).toBe(403);
    });
  });

  describe('the first admin credential', () => {
    it('outside production, creates one admin key on first start and never again', async () => {
      const writes: string[] = [];
      const original = process.stderr.write.bind(process.stderr);
      (process.stderr as { write: unknown }).write = (chunk: string | Uint8Array) => {
        writes.push(String(chunk));
        return true;
      };
      let dev: TestApp | undefined;
      let devAgain: TestApp | undefined;
      try {
        const { createTestDatabase } = await import('./support/test-database');
        const database = await createTestDatabase();
        dev = await startTestApp({ databaseUrl: database.url, env: { NODE_ENV: 'development', LOG_LEVEL: 'silent' } });
        // startTestApp adds its own admin key after start; the bootstrap key came before it.
        const printed = writes.join('').match(/X-API-Key: (pnk_\S+)/);
        expect(printed).not.toBeNull();
        expect((await dev.http.get('/admin/api-keys', { apiKey: printed![1] })).status).toBe(200);
        const [{ count }] = await dev.dataSource.query(`SELECT count(*)::int AS count FROM api_keys WHERE created_by = 'bootstrap'`);
        expect(count).toBe(1);
        await dev.app.close();

        writes.length = 0;
        devAgain = await startTestApp({ databaseUrl: database.url, env: { NODE_ENV: 'development', LOG_LEVEL: 'silent' } });
        expect(writes.join('')).not.toMatch(/X-API-Key/);
        await devAgain.app.close();
        await database.drop();
      } finally {
        (process.stderr as { write: unknown }).write = original;
      }
    });

    it('does nothing in production', async () => {
      const { createTestDatabase } = await import('./support/test-database');
      const database = await createTestDatabase();
      const prod = await startTestApp({ databaseUrl: database.url, env: { NODE_ENV: 'production', TELEPHONY_MODE: 'sandbox' } });
      const [{ count }] = await prod.dataSource.query(`SELECT count(*)::int AS count FROM api_keys WHERE created_by = 'bootstrap'`);
      expect(count).toBe(0);
      await prod.app.close();
      await database.drop();
    });
  });
});
