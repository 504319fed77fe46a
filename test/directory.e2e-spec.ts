import { startTestApp, TestApp } from './support/test-app';

describe('property managers and realtors', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('admins create and list PMs; email and auth_user_id are unique', async () => {
    const admin = { apiKey: t.adminKey };
    const body = { name: 'Mary Major', email: 'Mary@Example.com', auth_user_id: 'auth-mary', company_name: 'Major Homes' };
    const created = await t.http.post('/admin/property-managers', body, admin);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      property_manager_id: expect.any(Number),
      name: 'Mary Major',
      email: 'Mary@Example.com',
      auth_user_id: 'auth-mary',
      company_name: 'Major Homes',
      created_at: expect.any(String),
      offboarded_at: null,
    });

    const sameEmail = await t.http.post('/admin/property-managers', { name: 'Other', email: 'mary@example.com' }, admin);
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.code).toBe('email_exists');
    const sameLogin = await t.http.post('/admin/property-managers', { name: 'Other', email: 'other@example.com', auth_user_id: 'auth-mary' }, admin);
    expect(sameLogin.status).toBe(409);
    expect(sameLogin.body.code).toBe('auth_user_id_exists');

    const listed = await t.http.get('/admin/property-managers?limit=200', admin);
    expect(listed.status).toBe(200);
    expect(listed.body.property_managers.map((p: { email: string }) => p.email)).toContain('Mary@Example.com');
    expect(listed.body.next_cursor).toBeNull();

    const audit = await t.dataSource.query(`SELECT count(*)::int AS count FROM audit_log WHERE action = 'property_manager.create' AND target_id = $1`, [String(created.body.property_manager_id)]);
    expect(audit[0].count).toBe(1);
  });

  it.each([
    ['no name', { email: 'a@example.com' }, 'name'],
    ['a blank name', { name: '', email: 'a@example.com' }, 'name'],
    ['a bad email', { name: 'A', email: 'not-an-email' }, 'email'],
    ['an unknown field', { name: 'A', email: 'a@example.com', role: 'admin' }, 'role'],
  ])('refuses a PM with %s', async (_label, body, field) => {
    const res = await t.http.post('/admin/property-managers', body, { apiKey: t.adminKey });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('a PM creates and lists only their own realtors', async () => {
    const a = await t.factories.propertyManager();
    const b = await t.factories.propertyManager();
    const created = await t.http.post('/property-manager/realtors', { name: 'Rita Realtor', email: 'rita@example.com', auth_user_id: `auth-rita-${a.pm.id}` }, { jwt: a.jwt });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ realtor_id: expect.any(Number), property_manager_id: a.pm.id, name: 'Rita Realtor' });
    await t.factories.realtor(b.pm);

    const mine = await t.http.get('/property-manager/realtors', { jwt: a.jwt });
    expect(mine.body.realtors.map((r: { realtor_id: number }) => r.realtor_id)).toEqual([created.body.realtor_id]);

    // The same email twice for one PM is a conflict; another PM may use it.
    expect((await t.http.post('/property-manager/realtors', { name: 'Rita 2', email: 'RITA@example.com' }, { jwt: a.jwt })).status).toBe(409);
    expect((await t.http.post('/property-manager/realtors', { name: 'Rita', email: 'rita@example.com' }, { jwt: b.jwt })).status).toBe(201);
  });

  it('keeps realtors and admins out of the PM\'s realtor list', async () => {
    const a = await t.factories.propertyManager();
    const { jwt: realtorJwt } = await t.factories.realtor(a.pm);
    expect((await t.http.get('/property-manager/realtors', { jwt: realtorJwt })).status).toBe(403);
    expect((await t.http.get('/property-manager/realtors', { apiKey: t.adminKey })).status).toBe(403);
    expect((await t.http.get('/admin/property-managers', { jwt: a.jwt })).status).toBe(403);
  });
});
