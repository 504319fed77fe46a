import { Client } from 'pg';
import { OwnerLookupService } from '../src/modules/chatbot/owner-lookup.service';
import { startTestApp, TestApp } from './support/test-app';
import type { PmFixture, RealtorFixture } from './support/factories';

const WEBHOOK_SECRET = 'test-vapi-webhook-secret';
const ASSISTANT_ID = 'asst_test_123';
const ENV = { VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET, VAPI_ASSISTANT_ID: ASSISTANT_ID };

/** Polls `probe` until `done` holds or `ms` passed; returns the last result and how long it took. */
async function within<T>(ms: number, probe: () => Promise<T>, done: (value: T) => boolean): Promise<{ value: T; elapsed: number }> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    const elapsed = Date.now() - start;
    if (done(value) || elapsed > ms) return { value, elapsed };
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('chatbot lookup and VAPI webhook', () => {
  let t: TestApp;
  let chatbotKey: string;
  let pm: PmFixture;
  let realtor: RealtorFixture;
  let otherRealtor: RealtorFixture;

  const lookupOn = (app: TestApp, phone: string, key = chatbotKey) =>
    app.http.get(`/chatbot/lookup?phone_number=${encodeURIComponent(phone)}`, { apiKey: key });
  const lookup = (phone: string, key = chatbotKey) => lookupOn(t, phone, key);
  const webhook = (body: unknown, secret: string | null = WEBHOOK_SECRET) =>
    t.http.post('/vapi/webhook', body, { headers: secret === null ? {} : { 'x-vapi-secret': secret } });
  const assistantRequest = (vapiId: string | undefined, number: string) => ({
    message: {
      type: 'assistant-request',
      timestamp: 1732400000000,
      call: { id: 'call_1', orgId: 'org_1', type: 'inboundPhoneCall', phoneNumberId: vapiId, customer: { number: '+14125550199' }, status: 'ringing' },
      phoneNumber: { id: vapiId, number, provider: 'twilio', createdAt: '2024-01-15T10:30:00Z' },
      customer: { number: '+14125550199' },
      artifact: { messages: [] },
    },
  });

  beforeAll(async () => {
    t = await startTestApp({ env: ENV });
    chatbotKey = (await t.factories.apiKey(['chatbot'])).key;
    pm = await t.factories.propertyManager({ name: 'John Smith', companyName: 'Smith PM' });
    realtor = await t.factories.realtor(pm.pm, { name: 'Jane Doe' });
    otherRealtor = await t.factories.realtor(pm.pm, { name: 'Bob Roe' });
  });
  afterAll(() => t.close());

  describe('GET /chatbot/lookup', () => {
    it('finds a realtor owner in every accepted input form', async () => {
      const number = await t.factories.number(pm.pm, { phoneNumber: '+14125551234', assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
      const expected = {
        phone_number: '+14125551234',
        owner_type: 'realtor',
        owner_id: realtor.realtor.id,
        owner_name: 'Jane Doe',
        owner_email: realtor.realtor.email,
        property_manager_id: pm.pm.id,
        property_manager_name: 'John Smith',
        company_name: 'Smith PM',
        realtor_ids: null,
        purchased_phone_number_id: number.id,
        vapi_phone_number_id: number.vapiPhoneNumberId,
      };
      for (const form of ['+14125551234', 'whatsapp:+14125551234', '(412) 555-1234', '412-555-1234', '4125551234', ' +1 412 555 1234 ']) {
        const found = await lookup(form);
        expect({ form, status: found.status }).toEqual({ form, status: 200 });
        expect(found.headers.get('content-type')).toMatch(/^application\/json/);
        expect(found.body).toEqual(expected);
      }
    });

    it('serves every input form from the cache once the number is known, and sees a change through any form', async () => {
      const pm = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(pm.pm);
      const number = await t.factories.number(pm.pm, { phoneNumber: '+14125551250', assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
      const forms = ['+14125551250', 'whatsapp:+14125551250', '(412) 555-1250', '412-555-1250', '4125551250'];
      for (const form of forms) expect((await lookup(form)).status).toBe(200);
      const stats = t.app.get(OwnerLookupService).stats;
      const misses = stats.misses;
      for (const form of forms) expect((await lookup(form)).body).toMatchObject({ owner_id: realtor.realtor.id });
      expect(stats.misses).toBe(misses);

      // The memo keeps only the form, not the owner: a change reaches every form at once.
      expect((await t.http.post('/unassign-phone-number', { purchased_phone_number_id: number.id }, { jwt: pm.jwt })).status).toBe(200);
      for (const form of forms) expect((await lookup(form)).status).toBe(404);
    });

    it("finds a PM owner with the PM's realtor ids", async () => {
      await t.factories.number(pm.pm, { phoneNumber: '+14125551235', assignTo: { type: 'property_manager' } });
      const found = await lookup('whatsapp:+14125551235');
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({
        phone_number: '+14125551235',
        owner_type: 'property_manager',
        owner_id: pm.pm.id,
        owner_name: 'John Smith',
        property_manager_id: pm.pm.id,
        realtor_ids: [realtor.realtor.id, otherRealtor.realtor.id].sort((a, b) => a - b),
      });
    });

    it('answers 404 for unknown, unassigned and inactive numbers, 400 for what is not a number', async () => {
      await t.factories.number(pm.pm, { phoneNumber: '+14125551236' });
      await t.factories.number(pm.pm, { phoneNumber: '+14125551237', status: 'inactive' });
      for (const phone of ['+14125559876', '+14125551236', '+14125551237']) {
        const missing = await lookup(phone);
        expect({ phone, status: missing.status }).toEqual({ phone, status: 404 });
        expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(missing.body.code ?? missing.body.type).toBeDefined();
      }
      // A second time (now cached as "nobody") still 404.
      expect((await lookup('+14125559876')).status).toBe(404);
      for (const bad of ['hello', '123', '']) {
        const refused = await lookup(bad);
        expect({ bad, status: refused.status }).toEqual({ bad, status: 400 });
      }
      expect((await t.http.get('/chatbot/lookup', { apiKey: chatbotKey })).status).toBe(400);
    });

    it('needs a chatbot-scoped API key', async () => {
      expect((await t.http.get('/chatbot/lookup?phone_number=%2B14125551234')).status).toBe(401);
      expect((await lookup('+14125551234', 'pnk_not_a_real_key')).status).toBe(401);
      const forbidden = await lookup('+14125551234', t.adminKey);
      expect(forbidden.status).toBe(403);
      expect(forbidden.text).not.toContain('Jane');
    });
  });

  describe('cached lookups, answered before the router', () => {
    const lookedUpCount = async () => {
      const metrics = await t.http.get('/metrics', { apiKey: t.adminKey });
      const line = (metrics.text as string).split('\n').find((l) => l.startsWith('http_requests_total{method="GET",route="/chatbot/lookup",status_code="200"}'));
      return Number(line?.split(' ')[1] ?? 0);
    };
    const headerNames = (headers: Headers) => [...headers.keys()].sort();

    it('answers a known number with the bytes and headers of the route, without reaching it, and counts it', async () => {
      const pm = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(pm.pm);
      await t.factories.number(pm.pm, { phoneNumber: '+14125551260', assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
      const viaRoute = await lookup('+14125551260'); // a miss: the route answers, and the owner is cached
      const counted = await lookedUpCount();
      const route = jest.spyOn(t.app.get(OwnerLookupService), 'byPhone');
      try {
        const fromMemory = await lookup('(412) 555-1260');
        const echoed = await t.http.get('/chatbot/lookup?phone_number=%2B14125551260', { apiKey: chatbotKey, headers: { 'x-request-id': 'bot-call-42' } });
        expect(route).not.toHaveBeenCalled();
        expect([fromMemory.status, echoed.status]).toEqual([200, 200]);
        expect(fromMemory.text).toBe(viaRoute.text);
        expect(headerNames(fromMemory.headers)).toEqual(headerNames(viaRoute.headers));
        for (const name of ['content-type', 'content-length']) expect(fromMemory.headers.get(name)).toBe(viaRoute.headers.get(name));
        expect(fromMemory.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(fromMemory.headers.get('x-request-id')).not.toBe(viaRoute.headers.get('x-request-id'));
        expect(echoed.headers.get('x-request-id')).toBe('bot-call-42');
        expect((await lookedUpCount()) - counted).toBe(2);
      } finally {
        route.mockRestore();
      }
    });

    it('leaves to the route every call it cannot answer from memory, which answers it as before', async () => {
      const pm = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(pm.pm);
      await t.factories.number(pm.pm, { phoneNumber: '+14125551261', assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
      expect((await lookup('+14125551261')).status).toBe(200); // cached from here on
      const freshKey = (await t.factories.apiKey(['chatbot'])).key; // not verified yet
      const route = jest.spyOn(t.app.get(OwnerLookupService), 'byPhone');
      const path = '/chatbot/lookup?phone_number=%2B14125551261';
      try {
        const cases: Array<[string, () => Promise<{ status: number }>, number]> = [
          ['a browser (Origin)', () => t.http.get(path, { apiKey: chatbotKey, headers: { origin: 'https://example.com' } }), 200],
          ['a key not in memory yet', () => t.http.get(path, { apiKey: freshKey }), 200],
          ['an unknown number', () => lookup('+14125559999'), 404],
          ['not a number', () => lookup('not-a-number'), 400],
          ['the number twice', () => t.http.get(`${path}&phone_number=%2B14125551261`, { apiKey: chatbotKey }), 400],
        ];
        for (const [what, call, status] of cases) {
          route.mockClear();
          expect({ what, status: (await call()).status }).toEqual({ what, status });
          expect({ what, routeCalls: route.mock.calls.length }).toEqual({ what, routeCalls: 1 });
        }
        expect((await t.http.get(path)).status).toBe(401);
        expect((await t.http.get(path, { apiKey: 'pnk_not_a_real_key' })).status).toBe(401);
        expect((await t.http.get(path, { apiKey: t.adminKey })).status).toBe(403);
      } finally {
        route.mockRestore();
      }
    });
  });

  describe('POST /vapi/webhook', () => {
    it('answers assistant-request with the assistant and the owner as variable values, by VAPI id', async () => {
      const number = await t.factories.number(pm.pm, { phoneNumber: '+14125551238', assignTo: { type: 'realtor', realtorId: otherRealtor.realtor.id } });
      // The number field is deliberately another one: the VAPI id wins.
      const answered = await webhook(assistantRequest(number.vapiPhoneNumberId!, '+14125559999'));
      expect(answered.status).toBe(200);
      expect(answered.body).toEqual({
        assistantId: ASSISTANT_ID,
        assistantOverrides: {
          variableValues: expect.objectContaining({
            phone_number: '+14125551238',
            owner_type: 'realtor',
            owner_id: otherRealtor.realtor.id,
            owner_name: 'Bob Roe',
            property_manager_id: pm.pm.id,
          }),
        },
      });
    });

    it('falls back to the phone number when the VAPI id is unknown or missing', async () => {
      const byNumber = await webhook(assistantRequest('vapi-id-we-never-stored', '+14125551234'));
      expect(byNumber.status).toBe(200);
      expect(byNumber.body.assistantOverrides.variableValues).toMatchObject({ phone_number: '+14125551234', owner_name: 'Jane Doe' });
      const noId = await webhook(assistantRequest(undefined, '+14125551235'));
      expect(noId.body.assistantOverrides.variableValues).toMatchObject({ owner_type: 'property_manager', owner_id: pm.pm.id });
    });

    it("answers VAPI's error form when nobody owns the number", async () => {
      const unknown = await webhook(assistantRequest('vapi-unknown', '+14125559876'));
      expect(unknown.status).toBe(200);
      expect(unknown.body).toEqual({ error: expect.any(String) });
      const unassigned = await webhook(assistantRequest(undefined, '+14125551236'));
      expect(unassigned.body).toEqual({ error: expect.any(String) });
    });

    it('acknowledges other message types', async () => {
      for (const type of ['status-update', 'end-of-call-report', 'conversation-update', 'hang']) {
        const acked = await webhook({ message: { type, call: { id: 'call_1' }, status: 'ended', extra: { nested: [1, 2] } } });
        expect({ type, status: acked.status }).toEqual({ type, status: 200 });
        expect(acked.body).toEqual({ received: true });
      }
    });

    it('refuses a missing or wrong secret', async () => {
      const body = assistantRequest(undefined, '+14125551234');
      for (const secret of [null, '', 'wrong', `${WEBHOOK_SECRET}x`, WEBHOOK_SECRET.slice(0, -1)]) {
        const refused = await webhook(body, secret);
        expect({ secret, status: refused.status }).toEqual({ secret, status: 401 });
        expect(refused.text).not.toContain('Jane');
      }
    });
  });

  describe('never stale', () => {
    it('sees assign, reassign, unassign and deactivate on this instance at once', async () => {
      // Its own PM and realtors: assigning frees an assignee's previous number.
      const pm = await t.factories.propertyManager();
      const realtor = await t.factories.realtor(pm.pm);
      const otherRealtor = await t.factories.realtor(pm.pm);
      const number = await t.factories.number(pm.pm, { phoneNumber: '+14125551240' });
      const id = number.id;
      expect((await lookup('+14125551240')).status).toBe(404); // "nobody" is cached now

      const assign = (type: 'realtor' | 'property_manager', assigneeId?: number) =>
        t.http.post('/assign-phone-number', { purchased_phone_number_id: id, assign_to_type: type, assign_to_id: assigneeId }, { jwt: pm.jwt });
      expect((await assign('realtor', realtor.realtor.id)).status).toBe(200);
      expect((await lookup('+14125551240')).body).toMatchObject({ owner_type: 'realtor', owner_id: realtor.realtor.id });
      // The answer is now in memory: what follows checks that memory, not just the database.
      const stats = t.app.get(OwnerLookupService).stats;
      const hits = stats.hits;
      expect((await lookup('+14125551240')).body).toMatchObject({ owner_id: realtor.realtor.id });
      expect(stats.hits).toBe(hits + 1);

      expect((await t.http.post('/unassign-phone-number', { purchased_phone_number_id: id }, { jwt: pm.jwt })).status).toBe(200);
      expect((await assign('realtor', otherRealtor.realtor.id)).status).toBe(200);
      expect((await lookup('+14125551240')).body).toMatchObject({ owner_type: 'realtor', owner_id: otherRealtor.realtor.id });

      // A change made by plain SQL (no domain event) is seen through the database's NOTIFY, within 1 s.
      await t.dataSource.query(`UPDATE realtors SET name = 'Robert Roe' WHERE id = $1`, [otherRealtor.realtor.id]);
      const renamed = await within(1000, () => lookup('+14125551240'), (r) => r.body?.owner_name === 'Robert Roe');
      expect(renamed.value.body.owner_name).toBe('Robert Roe');

      expect((await t.http.post(`/admin/purchased-numbers/${id}/deactivate`, {}, { apiKey: t.adminKey })).status).toBe(200);
      expect((await lookup('+14125551240')).status).toBe(404);
      expect((await webhook(assistantRequest(number.vapiPhoneNumberId!, '+14125551240'))).body).toEqual({ error: expect.any(String) });
    });

    it('stops a revoked chatbot key at once', async () => {
      const { id, key } = await t.factories.apiKey(['chatbot']);
      expect((await lookup('+14125551234', key)).status).toBe(200);
      expect((await lookup('+14125551234', key)).status).toBe(200); // now from memory
      expect((await t.http.delete(`/admin/api-keys/${id}`, { apiKey: t.adminKey })).status).toBe(200);
      expect((await lookup('+14125551234', key)).status).toBe(401);
    });

    describe('with a second instance on the same database', () => {
      let other: TestApp;
      let uncached: TestApp;

      // Closed only when the suite ends: instances in one process share @nestjs-cls/transactional's
      // TransactionHost registry (the last one started serves every instance's @Transactional).
      beforeAll(async () => {
        other = await startTestApp({ env: ENV, databaseUrl: t.databaseUrl });
        uncached = await startTestApp({ env: { ...ENV, CHATBOT_LOOKUP_CACHE_SIZE: '0' }, databaseUrl: t.databaseUrl });
      });
      afterAll(async () => {
        await uncached.close();
        await other.close();
      });

      it('with the cache off, answers misses that arrive together with one select, each caller its own owner', async () => {
        const numbers: { owner: RealtorFixture; number: { id: number; phoneNumber: string } }[] = [];
        for (let i = 0; i < 6; i++) {
          const owner = await t.factories.realtor(pm.pm);
          numbers.push({ owner, number: await t.factories.number(pm.pm, { phoneNumber: `+1412555130${i}`, assignTo: { type: 'realtor', realtorId: owner.realtor.id } }) });
        }
        // The same numbers twice, in other forms, and one nobody owns, all in flight at once.
        const asked = [...numbers.map((n) => n.number.phoneNumber), ...numbers.map((n) => `(412) 555-130${n.number.phoneNumber.slice(-1)}`), '+14125551399'];
        const answers = await Promise.all(asked.map((phone) => lookupOn(uncached, phone)));
        answers.forEach((answer, i) => {
          const expected = numbers[i % numbers.length];
          if (i === asked.length - 1) expect(answer.status).toBe(404);
          else expect({ i, status: answer.status, owner: answer.body.owner_id, number: answer.body.purchased_phone_number_id }).toEqual({ i, status: 200, owner: expected.owner.realtor.id, number: expected.number.id });
        });

        // Asked within one event-loop turn, they are one select.
        const service = uncached.app.get(OwnerLookupService);
        const pool = (service as unknown as { pool: { query: (...args: unknown[]) => Promise<unknown> } }).pool;
        const query = pool.query.bind(pool);
        let selects = 0;
        pool.query = (...args: unknown[]) => ((selects += 1), query(...args));
        const misses = service.stats.misses;
        const owners = await Promise.allSettled(asked.map((phone) => service.byPhone(phone)));
        expect(selects).toBe(1);
        expect(service.stats.misses - misses).toBe(asked.length);
        expect(owners.map((o) => (o.status === 'fulfilled' ? JSON.parse(o.value.json).owner_id : 'nobody'))).toEqual([
          ...numbers.map((n) => n.owner.realtor.id),
          ...numbers.map((n) => n.owner.realtor.id),
          'nobody',
        ]);
      });

      it('sees a reassignment made elsewhere within 1 s', async () => {
        const pm = await t.factories.propertyManager();
        const realtor = await t.factories.realtor(pm.pm);
        const number = await t.factories.number(pm.pm, { phoneNumber: '+14125551241', assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
        // Warm both caches.
        expect((await lookupOn(other, '+14125551241')).body.owner_id).toBe(realtor.realtor.id);
        expect((await lookupOn(other, '+14125551241')).body.owner_id).toBe(realtor.realtor.id);

        expect((await t.http.post('/unassign-phone-number', { purchased_phone_number_id: number.id }, { jwt: pm.jwt })).status).toBe(200);
        const gone = await within(1000, () => lookupOn(other, '+14125551241'), (r) => r.status === 404);
        expect(gone.value.status).toBe(404);
        expect(gone.elapsed).toBeLessThan(1000);

        const assigned = await t.http.post('/assign-phone-number', { purchased_phone_number_id: number.id, assign_to_type: 'property_manager' }, { jwt: pm.jwt });
        expect(assigned.status).toBe(200);
        const seen = await within(1000, () => lookupOn(other, '+14125551241'), (r) => r.body?.owner_type === 'property_manager');
        expect(seen.value.body).toMatchObject({ owner_type: 'property_manager', owner_id: pm.pm.id });
        expect(seen.elapsed).toBeLessThan(1000);
      });

      it('drops a released number (a plain write from any connection) within 1 s', async () => {
        const pm = await t.factories.propertyManager();
        const number = await t.factories.number(pm.pm, { phoneNumber: '+14125551242', assignTo: { type: 'property_manager' } });
        expect((await lookupOn(other, '+14125551242')).status).toBe(200);
        // Neither instance wrote this: only the trigger can tell them.
        const outsider = new Client({ connectionString: t.databaseUrl });
        await outsider.connect();
        try {
          await outsider.query(
            `UPDATE purchased_phone_numbers SET status = 'inactive', assigned_to_type = NULL, assigned_realtor_id = NULL,
                    assigned_at = NULL, released_at = now() WHERE id = $1`,
            [number.id],
          );
        } finally {
          await outsider.end();
        }
        for (const app of [t, other]) {
          const gone = await within(1000, () => lookupOn(app, '+14125551242'), (r) => r.status === 404);
          expect(gone.value.status).toBe(404);
        }
      });

      it('stops a key revoked elsewhere within 1 s', async () => {
        const { id, key } = await t.factories.apiKey(['chatbot']);
        expect((await lookupOn(other, '+14125551234', key)).status).toBe(200);
        expect((await t.http.delete(`/admin/api-keys/${id}`, { apiKey: t.adminKey })).status).toBe(200);
        const refused = await within(1000, () => lookupOn(other, '+14125551234', key), (r) => r.status === 401);
        expect(refused.value.status).toBe(401);
      });

      it('flushes after a lost feed connection, serves fresh data meanwhile, and resumes invalidation', async () => {
        const pm = await t.factories.propertyManager();
        const realtor = await t.factories.realtor(pm.pm);
        const number = await t.factories.number(pm.pm, { phoneNumber: '+14125551243', assignTo: { type: 'property_manager' } });
        expect((await lookupOn(other, '+14125551243')).status).toBe(200);
        // Kill every change-feed connection on the server, as a network failure or a restart would.
        const killed = await t.dataSource.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'phone-number-service:change-feed' AND datname = current_database()`,
        );
        expect(killed.length).toBeGreaterThanOrEqual(2);
        // A change nobody hears about while the feeds are down...
        await new Client({ connectionString: t.databaseUrl }).connect().then(async (c) => {
          await c.query(`UPDATE purchased_phone_numbers SET status = 'available', assigned_to_type = NULL, assigned_at = NULL WHERE id = $1`, [number.id]);
          await c.end();
        });
        // ...is still never answered stale.
        const fresh = await within(1000, () => lookupOn(other, '+14125551243'), (r) => r.status === 404);
        expect(fresh.value.status).toBe(404);

        // Once reconnected, invalidation works again.
        const reconnected = await within(5000, async () => {
          const rows = await t.dataSource.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'phone-number-service:change-feed' AND datname = current_database()`,
          );
          return rows[0].n as number;
        }, (n) => n >= 2);
        expect(reconnected.value).toBeGreaterThanOrEqual(2);
        await new Promise((r) => setTimeout(r, 50));
        await t.dataSource.query(`UPDATE purchased_phone_numbers SET status = 'assigned', assigned_to_type = 'property_manager', assigned_at = now() WHERE id = $1`, [number.id]);
        expect((await lookupOn(other, '+14125551243')).status).toBe(200);
        expect((await lookupOn(other, '+14125551243')).status).toBe(200);
        await new Client({ connectionString: t.databaseUrl }).connect().then(async (c) => {
          await c.query(`UPDATE realtors SET name = 'Jane Q. Doe' WHERE id = $1`, [realtor.realtor.id]);
          await c.query(`UPDATE purchased_phone_numbers SET status = 'inactive', assigned_to_type = NULL, assigned_at = NULL WHERE id = $1`, [number.id]);
          await c.end();
        });
        const gone = await within(1000, () => lookupOn(other, '+14125551243'), (r) => r.status === 404);
        expect(gone.value.status).toBe(404);
        expect(gone.elapsed).toBeLessThan(1000);
      });
    });
  });
});
