import { PropertyManagerEntity } from '../src/modules/directory/entities/property-manager.entity';
import { AdminPurchasedNumbersController } from '../src/modules/purchased-numbers/admin-purchased-numbers.controller';
import { startTestApp, TestApp } from './support/test-app';

type ListBody = { purchased_numbers: Array<{ purchased_phone_number_id: number; notes: string | null; status: string }>; next_cursor: string | null };

/**
 * `GET /admin/all-purchased-numbers` is answered, for an admin API key, without Nest's pipeline
 * and from a page cache (number-list-fast-route.ts, number-list-pages.ts). Whatever answers it,
 * the caller sees the same bytes, the same refusals, and never a page older than a write.
 */
describe('admin number list: fast path and page cache', () => {
  let t: TestApp;
  // The same database without the page cache: each answer is computed by the path that serves it.
  let uncached: TestApp;
  let pm: PropertyManagerEntity;
  // Set before the apps start, so Nest's router calls through it: counts what Nest's path served.
  // (Nest finds the route by the metadata its decorators put on the method: the spy gets a copy.)
  const original = AdminPurchasedNumbersController.prototype.list;
  const nestServed = jest.spyOn(AdminPurchasedNumbersController.prototype, 'list');
  for (const key of Reflect.getMetadataKeys(original)) Reflect.defineMetadata(key, Reflect.getMetadata(key, original), AdminPurchasedNumbersController.prototype.list);
  const list = (query: string, apiKey = t.adminKey, app = t) => app.http.get<ListBody>(`/admin/all-purchased-numbers${query}`, { apiKey });

  beforeAll(async () => {
    t = await startTestApp();
    uncached = await startTestApp({ databaseUrl: t.databaseUrl, env: { ADMIN_LIST_CACHE_SIZE: '0' } });
    pm = (await t.factories.propertyManager()).pm;
    for (let i = 0; i < 7; i++) await t.factories.number(pm, { status: i % 3 === 0 ? 'inactive' : 'available' });
  });
  afterAll(async () => {
    await uncached.close();
    await t.close();
    nestServed.mockRestore();
  });

  it('answers byte for byte what Nest’s validated path answers, page after page', async () => {
    // `limit=003` is valid but not canonical: the fast path hands it to Nest, which validates it.
    let cursor = '';
    for (let pages = 0; pages < 5; pages++) {
      nestServed.mockClear();
      const fast = await list(`?limit=3&property_manager_id=${pm.id}${cursor}`, t.adminKey, uncached);
      expect(nestServed).not.toHaveBeenCalled();
      const nest = await list(`?limit=003&property_manager_id=${pm.id}${cursor}`, t.adminKey, uncached);
      expect(nestServed).toHaveBeenCalledTimes(1);
      expect(fast.status).toBe(200);
      expect(nest.status).toBe(200);
      expect(fast.text).toBe(nest.text);
      expect(fast.headers.get('content-type')).toBe(nest.headers.get('content-type'));
      expect(fast.headers.get('x-request-id')).toBeTruthy();
      if (!fast.body.next_cursor) break;
      cursor = `&cursor=${encodeURIComponent(fast.body.next_cursor)}`;
    }
    const inactive = await list(`?status=inactive&property_manager_id=${pm.id}`);
    expect(inactive.body.purchased_numbers.map((n) => n.status)).toEqual(['inactive', 'inactive', 'inactive']);
  });

  it('refuses as every route does: bad query, bad cursor, other scopes, revoked keys', async () => {
    const badLimit = await list('?limit=0');
    expect(badLimit.status).toBe(400);
    expect(badLimit.headers.get('content-type')).toContain('application/problem+json');
    const badCursor = await list('?cursor=not-a-cursor');
    expect(badCursor.status).toBe(400);
    expect((badCursor.body as unknown as { code: string }).code).toBe('invalid_cursor');
    const unknown = await list('?color=blue');
    expect(unknown.status).toBe(400);

    const chatbot = await t.factories.apiKey(['chatbot']);
    expect((await list('', chatbot.key)).status).toBe(403);
    const admin = await t.factories.apiKey(['admin']);
    expect((await list('', admin.key)).status).toBe(200);
    expect((await t.http.request('DELETE', `/admin/api-keys/${admin.id}`, { apiKey: t.adminKey })).status).toBe(200);
    expect((await list('', admin.key)).status).toBe(401);
  });

  it('shows this instance’s writes at once and other writers’ within a second', async () => {
    const query = `?property_manager_id=${pm.id}&status=available`;
    const before = (await list(query)).body.purchased_numbers.length;
    // Through the API: the cached page is dropped at commit, before the answer.
    const added = await t.http.post<{ purchased_phone_number_id: number }>(
      '/admin/add-purchased-number',
      { property_manager_id: pm.id, phone_number: '+14125559876', twilio_sid: `PN${'ab'.repeat(16)}` },
      { apiKey: t.adminKey },
    );
    expect(added.status).toBe(201);
    expect((await list(query)).body.purchased_numbers.length).toBe(before + 1);

    // Raw SQL, as another instance or a migration script would write: heard through the change feed.
    const id = added.body.purchased_phone_number_id;
    await t.dataSource.query(`UPDATE purchased_phone_numbers SET notes = 'moved to the Oakland office' WHERE id = $1`, [id]);
    const deadline = Date.now() + 1000;
    let notes: string | null | undefined;
    while (Date.now() < deadline) {
      notes = (await list(query)).body.purchased_numbers.find((n) => n.purchased_phone_number_id === id)?.notes;
      if (notes === 'moved to the Oakland office') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(notes).toBe('moved to the Oakland office');
  });
});
