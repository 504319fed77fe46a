import { PmFixture } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('assignments', () => {
  let t: TestApp;
  let pm: PmFixture;

  beforeAll(async () => {
    t = await startTestApp();
    pm = await t.factories.propertyManager();
  });
  afterAll(() => t.close());

  const assign = (jwt: string, body: Record<string, unknown>) => t.http.post('/assign-phone-number', body, { jwt });

  it('assigns a number to the PM themselves (assign_to_id optional) and shows it on /my-number', async () => {
    const owner = await t.factories.propertyManager();
    const number = await t.factories.number(owner.pm);
    const res = await assign(owner.jwt, { purchased_phone_number_id: number.id, assign_to_type: 'property_manager' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      purchased_phone_number_id: number.id,
      status: 'assigned',
      assigned_to_type: 'property_manager',
      assigned_to_id: owner.pm.id,
      freed_purchased_phone_number_id: null,
    });
    const mine = await t.http.get('/my-number', { jwt: owner.jwt });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      purchased_phone_number_id: number.id,
      phone_number: number.phoneNumber,
      assigned_to_type: 'property_manager',
      assigned_to_id: owner.pm.id,
      property_manager_id: owner.pm.id,
      assigned_at: expect.any(String),
    });
  });

  it('frees the assignee\'s previous number when they get a new one, keeping history', async () => {
    const { realtor, jwt: realtorJwt } = await t.factories.realtor(pm.pm);
    const first = await t.factories.number(pm.pm);
    const second = await t.factories.number(pm.pm);
    expect((await assign(pm.jwt, { purchased_phone_number_id: first.id, assign_to_type: 'realtor', assign_to_id: realtor.id })).status).toBe(200);
    const moved = await assign(pm.jwt, { purchased_phone_number_id: second.id, assign_to_type: 'realtor', assign_to_id: realtor.id });
    expect(moved.status).toBe(200);
    expect(moved.body.freed_purchased_phone_number_id).toBe(first.id);

    const rows = await t.dataSource.query('SELECT id, status, assigned_realtor_id FROM purchased_phone_numbers WHERE id = ANY($1) ORDER BY id', [[first.id, second.id]]);
    expect(rows).toEqual([
      { id: first.id, status: 'available', assigned_realtor_id: null },
      { id: second.id, status: 'assigned', assigned_realtor_id: realtor.id },
    ]);
    const history = await t.dataSource.query('SELECT purchased_phone_number_id, realtor_id, end_reason FROM number_assignment_history WHERE realtor_id = $1', [realtor.id]);
    expect(history).toEqual([{ purchased_phone_number_id: first.id, realtor_id: realtor.id, end_reason: 'reassigned' }]);
    expect((await t.http.get('/my-number', { jwt: realtorJwt })).body.purchased_phone_number_id).toBe(second.id);
  });

  it('unassigns, after which the number is available and the holder has none', async () => {
    const { realtor, jwt: realtorJwt } = await t.factories.realtor(pm.pm);
    const number = await t.factories.number(pm.pm, { assignTo: { type: 'realtor', realtorId: realtor.id } });
    const res = await t.http.post('/unassign-phone-number', { purchased_phone_number_id: number.id }, { jwt: pm.jwt });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'available', assigned_to_type: null, assigned_to_id: null });
    const mine = await t.http.get('/my-number', { jwt: realtorJwt });
    expect(mine.status).toBe(404);
    expect(mine.body.code).toBe('no_number_assigned');
    const again = await t.http.post('/unassign-phone-number', { purchased_phone_number_id: number.id }, { jwt: pm.jwt });
    expect(again.status).toBe(409);
  });

  it('refuses numbers that are not available (409)', async () => {
    const { realtor } = await t.factories.realtor(pm.pm);
    const held = await t.factories.number(pm.pm, { assignTo: { type: 'property_manager' } });
    const inactive = await t.factories.number(pm.pm, { status: 'inactive' });
    for (const number of [held, inactive]) {
      const res = await assign(pm.jwt, { purchased_phone_number_id: number.id, assign_to_type: 'realtor', assign_to_id: realtor.id });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('number_state_conflict');
    }
  });

  it('keeps PMs inside their own data', async () => {
    const other = await t.factories.propertyManager();
    const { realtor: othersRealtor } = await t.factories.realtor(other.pm);
    const { realtor: mine } = await t.factories.realtor(pm.pm);
    const othersNumber = await t.factories.number(other.pm);
    const myNumber = await t.factories.number(pm.pm);

    const theirNumber = await assign(pm.jwt, { purchased_phone_number_id: othersNumber.id, assign_to_type: 'realtor', assign_to_id: mine.id });
    expect(theirNumber.status).toBe(404);
    const theirRealtor = await assign(pm.jwt, { purchased_phone_number_id: myNumber.id, assign_to_type: 'realtor', assign_to_id: othersRealtor.id });
    expect(theirRealtor.status).toBe(404);
    expect(theirRealtor.body.code).toBe('realtor_not_found');
    const anotherPm = await assign(pm.jwt, { purchased_phone_number_id: myNumber.id, assign_to_type: 'property_manager', assign_to_id: other.pm.id });
    expect(anotherPm.status).toBe(403);
    expect((await t.http.post('/unassign-phone-number', { purchased_phone_number_id: othersNumber.id }, { jwt: pm.jwt })).status).toBe(404);

    const [row] = await t.dataSource.query('SELECT status FROM purchased_phone_numbers WHERE id = $1', [othersNumber.id]);
    expect(row.status).toBe('available');
  });

  it.each([
    ['a realtor without assign_to_id', { assign_to_type: 'realtor' }, 'assign_to_id'],
    ['an unknown assignee type', { assign_to_type: 'tenant' }, 'assign_to_type'],
    ['a text id', { assign_to_type: 'property_manager', purchased_phone_number_id: 'one' }, 'purchased_phone_number_id'],
  ])('refuses %s (400)', async (_label, body, field) => {
    const number = await t.factories.number(pm.pm);
    const res = await assign(pm.jwt, { purchased_phone_number_id: number.id, ...body });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('lets only PMs assign, and PMs and realtors see their number', async () => {
    const { jwt: realtorJwt } = await t.factories.realtor(pm.pm);
    expect((await assign(realtorJwt, { purchased_phone_number_id: 1, assign_to_type: 'property_manager' })).status).toBe(403);
    expect((await t.http.get('/my-number', { apiKey: t.adminKey })).status).toBe(403);
    expect((await t.http.get('/my-number')).status).toBe(401);
  });

  it('two concurrent assigns of one number: exactly one wins, the others get 409', async () => {
    const owner = await t.factories.propertyManager();
    const realtors = await Promise.all(Array.from({ length: 8 }, () => t.factories.realtor(owner.pm)));
    const number = await t.factories.number(owner.pm);
    const results = await Promise.all(
      realtors.map(({ realtor }) => assign(owner.jwt, { purchased_phone_number_id: number.id, assign_to_type: 'realtor', assign_to_id: realtor.id })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!.body.assigned_to_id;
    const [row] = await t.dataSource.query('SELECT status, assigned_realtor_id FROM purchased_phone_numbers WHERE id = $1', [number.id]);
    expect(row).toEqual({ status: 'assigned', assigned_realtor_id: winner });
  });

  it('concurrent assigns of different numbers to one realtor leave them with exactly one', async () => {
    const owner = await t.factories.propertyManager();
    const { realtor } = await t.factories.realtor(owner.pm);
    const numbers = await Promise.all(Array.from({ length: 6 }, () => t.factories.number(owner.pm)));
    const results = await Promise.all(
      numbers.map((n) => assign(owner.jwt, { purchased_phone_number_id: n.id, assign_to_type: 'realtor', assign_to_id: realtor.id })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const held = await t.dataSource.query('SELECT id FROM purchased_phone_numbers WHERE assigned_realtor_id = $1', [realtor.id]);
    expect(held).toHaveLength(1);
    const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM number_assignment_history WHERE realtor_id = $1 AND end_reason = 'reassigned'`, [realtor.id]);
    expect(count).toBe(numbers.length - 1);
  });
});
