import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { Credentials } from '../support/http-client';
import { nextPhoneNumber, TEST_JWT_SECRET } from '../support/factories';
import type { PmFixture, RealtorFixture } from '../support/factories';
import type { TestApp } from '../support/test-app';
import { PhoneNumberRequestEntity } from '../../src/modules/phone-requests/entities/phone-number-request.entity';
import { PurchasedPhoneNumberEntity } from '../../src/modules/numbers/entities/purchased-phone-number.entity';
import { NumberProvider } from '../../src/modules/providers/number-provider';

/**
 * Who may call what: one row per operation of the OpenAPI document (method + path as the
 * document spells it). The matrix test fails when the document has an operation without a row,
 * so a new endpoint cannot escape it. Rows for operations not (yet) in the document are skipped.
 */

export const ISSUER = 'https://auth.matrix.test/auth/v1';
export const VAPI_SECRET = 'matrix-vapi-webhook-secret-value';
/** Admin calls are allowed from loopback only; the "outside" admin comes through a trusted proxy. */
export const MATRIX_ENV = {
  JWT_ISSUER: ISSUER,
  ADMIN_IP_ALLOWLIST: '127.0.0.1/32,::1/128',
  TRUST_PROXY: '127.0.0.1,::1',
  VAPI_WEBHOOK_SECRET: VAPI_SECRET,
};
export const OUTSIDE_IP = '203.0.113.77';

export const ACTORS = [
  'anonymous',
  'expiredJwt',
  'wrongSignatureJwt',
  'algNoneJwt',
  'otherIssuerJwt',
  'pmA',
  'pmB',
  'realtorOfA',
  'chatbotKey',
  'revokedKey',
  'adminJwt',
  'adminKey',
  'adminOutsideAllowlist',
] as const;
export type ActorName = (typeof ACTORS)[number];

/** Credentials that prove nothing: every protected operation answers 401. */
const INVALID_CREDENTIALS: ActorName[] = ['anonymous', 'expiredJwt', 'wrongSignatureJwt', 'algNoneJwt', 'otherIssuerJwt', 'revokedKey'];

export interface World {
  t: TestApp;
  pmA: PmFixture;
  pmB: PmFixture;
  realtorA: RealtorFixture;
  credentials: Record<ActorName, Credentials>;
}

export interface PreparedCall {
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Runs after the call (e.g. "PM A's object is unchanged"). */
  check?: (status: number, body: any) => Promise<void>;
}

export interface AccessRow {
  /** `public`: no credential; `webhook`: only the x-vapi-secret header; else roles via credentials. */
  kind?: 'public' | 'webhook';
  /** Success status for each actor allowed in; everyone else: 401 (no valid credential) or 403. */
  allow: Partial<Record<ActorName, number>>;
  /** Audit records a successful call writes, when not one (a bulk add audits each number). */
  successAuditRecords?: number;
  /** Exceptions to the rule above, e.g. PM B gets 404 for PM A's object. */
  expect?: Partial<Record<ActorName, number>>;
  /** A valid call for `actor` on fresh data (mutations must not depend on each other). */
  prepare: (w: World, actor: ActorName) => Promise<PreparedCall>;
}

export function expectedStatus(row: AccessRow, actor: ActorName): number {
  const exception = row.expect?.[actor];
  if (exception !== undefined) return exception;
  if (row.kind === 'public') return row.allow.anonymous ?? 200;
  if (row.kind === 'webhook') return 401;
  if (INVALID_CREDENTIALS.includes(actor)) return 401;
  return row.allow[actor] ?? 403;
}

/** The actor that gets furthest into an operation: the fuzz tests call as this one. */
export function privilegedActor(row: AccessRow): ActorName | undefined {
  if (row.kind) return undefined;
  const order: ActorName[] = ['adminKey', 'pmA', 'realtorOfA', 'chatbotKey'];
  return order.find((actor) => row.allow[actor] !== undefined);
}

const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>, secret = TEST_JWT_SECRET) =>
  jwt.sign({ iat: now(), exp: now() + 3600, iss: ISSUER, ...claims }, secret, { algorithm: 'HS256' });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function buildWorld(t: TestApp): Promise<World> {
  const pmA = await t.factories.propertyManager();
  const pmB = await t.factories.propertyManager();
  const realtorA = await t.factories.realtor(pmA.pm);
  // PM A and realtor A each hold a number (GET /my-number).
  await t.factories.number(pmA.pm, { assignTo: { type: 'property_manager' } });
  await t.factories.number(pmA.pm, { assignTo: { type: 'realtor', realtorId: realtorA.realtor.id } });
  const chatbot = await t.factories.apiKey(['chatbot']);
  const revoked = await t.factories.apiKey(['admin']);
  const revokedResponse = await t.http.delete(`/admin/api-keys/${revoked.id}`, { apiKey: t.adminKey });
  if (revokedResponse.status !== 200) throw new Error(`could not revoke the key: ${revokedResponse.status}`);
  const adminClaims = { sub: 'admin-matrix', role: 'admin' };
  const credentials: Record<ActorName, Credentials> = {
    anonymous: {},
    expiredJwt: { jwt: sign({ ...adminClaims, iat: now() - 7200, exp: now() - 60 }) },
    wrongSignatureJwt: { jwt: sign(adminClaims, 'some-other-secret-that-is-long-enough!!') },
    algNoneJwt: { jwt: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...adminClaims, iss: ISSUER, exp: now() + 3600 })}.` },
    otherIssuerJwt: { jwt: sign({ ...adminClaims, iss: 'https://someone-else.test/' }) },
    pmA: { jwt: sign({ sub: pmA.pm.authUserId, role: 'authenticated' }) },
    pmB: { jwt: sign({ sub: pmB.pm.authUserId, role: 'authenticated' }) },
    realtorOfA: { jwt: sign({ sub: realtorA.realtor.authUserId, role: 'authenticated' }) },
    chatbotKey: { apiKey: chatbot.key },
    revokedKey: { apiKey: revoked.key },
    adminJwt: { jwt: sign(adminClaims) },
    adminKey: { apiKey: t.adminKey },
    adminOutsideAllowlist: { apiKey: t.adminKey, headers: { 'x-forwarded-for': OUTSIDE_IP } },
  };
  return { t, pmA, pmB, realtorA, credentials };
}

const numberRepo = (w: World) => w.t.dataSource.getRepository(PurchasedPhoneNumberEntity);
const requestRepo = (w: World) => w.t.dataSource.getRepository(PhoneNumberRequestEntity);
const unique = () => randomUUID().slice(0, 8);

export interface Operation {
  method: string;
  path: string;
  key: string;
}

/** Every operation of the generated OpenAPI document. */
export async function documentedOperations(t: TestApp): Promise<Operation[]> {
  const document = await t.http.get('/docs-json');
  expect(document.status).toBe(200);
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, unknown>>(document.body.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      if (item[method]) operations.push({ method: method.toUpperCase(), path, key: `${method.toUpperCase()} ${path}` });
    }
  }
  return operations;
}

export const ACCESS: Record<string, AccessRow> = {
  // ── operations ────────────────────────────────────────────────────────────────────────
  'GET /health': { kind: 'public', allow: { anonymous: 200 }, prepare: async () => ({ path: '/health' }) },
  'GET /health/live': { kind: 'public', allow: { anonymous: 200 }, prepare: async () => ({ path: '/health/live' }) },
  'GET /health/ready': { kind: 'public', allow: { anonymous: 200 }, prepare: async () => ({ path: '/health/ready' }) },
  // A `metrics`-scoped key (see test/operations.e2e-spec.ts) or an admin.
  'GET /metrics': { allow: { adminJwt: 200, adminKey: 200 }, prepare: async () => ({ path: '/metrics' }) },

  // ── admin ─────────────────────────────────────────────────────────────────────────────
  'GET /admin/all-phone-number-requests': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async () => ({ path: '/admin/all-phone-number-requests?status=pending' }),
  },
  'POST /admin/add-purchased-number': {
    allow: { adminJwt: 201, adminKey: 201 },
    prepare: async (w) => {
      const phoneNumber = nextPhoneNumber();
      return {
        path: '/admin/add-purchased-number',
        body: { property_manager_id: w.pmA.pm.id, phone_number: phoneNumber, notes: 'matrix' },
        check: async (status) => {
          expect(await numberRepo(w).existsBy({ phoneNumber })).toBe(status === 201);
        },
      };
    },
  },
  'POST /admin/add-purchased-numbers': {
    allow: { adminJwt: 201, adminKey: 201 },
    successAuditRecords: 2,
    prepare: async (w) => {
      const phones = [nextPhoneNumber(), nextPhoneNumber()];
      return {
        path: '/admin/add-purchased-numbers',
        body: { numbers: phones.map((phone_number) => ({ property_manager_id: w.pmA.pm.id, phone_number, notes: 'matrix' })) },
        check: async (status) => {
          for (const phoneNumber of phones) expect(await numberRepo(w).existsBy({ phoneNumber })).toBe(status === 201);
        },
      };
    },
  },
  'GET /admin/all-purchased-numbers': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => ({ path: `/admin/all-purchased-numbers?property_manager_id=${w.pmA.pm.id}` }),
  },
  'POST /admin/purchased-numbers/{id}/deactivate': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => {
      const number = await w.t.factories.number(w.pmA.pm);
      return {
        path: `/admin/purchased-numbers/${number.id}/deactivate`,
        check: async (status) => {
          const after = await numberRepo(w).findOneByOrFail({ id: number.id });
          expect(after.status).toBe(status === 200 ? 'inactive' : 'available');
        },
      };
    },
  },
  'POST /admin/purchased-numbers/{id}/reactivate': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => {
      const number = await w.t.factories.number(w.pmA.pm, { status: 'inactive' });
      return {
        path: `/admin/purchased-numbers/${number.id}/reactivate`,
        check: async (status) => {
          const after = await numberRepo(w).findOneByOrFail({ id: number.id });
          expect(after.status).toBe(status === 200 ? 'available' : 'inactive');
        },
      };
    },
  },
  'POST /admin/property-managers': {
    allow: { adminJwt: 201, adminKey: 201 },
    prepare: async () => {
      const id = unique();
      return { path: '/admin/property-managers', body: { name: `PM ${id}`, email: `matrix-${id}@example.com`, auth_user_id: `auth-matrix-${id}` } };
    },
  },
  'GET /admin/property-managers/{id}': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => ({ path: `/admin/property-managers/${w.pmA.pm.id}` }),
  },
  'PATCH /admin/property-managers/{id}': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => {
      const { pm } = await w.t.factories.propertyManager();
      const name = `Renamed ${unique()}`;
      return {
        path: `/admin/property-managers/${pm.id}`,
        body: { name },
        check: async (status) => {
          const [row] = await w.t.dataSource.query('SELECT name FROM property_managers WHERE id = $1', [pm.id]);
          expect(row.name === name).toBe(status === 200);
        },
      };
    },
  },
  'POST /admin/property-managers/{id}/offboard': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => {
      const { pm } = await w.t.factories.propertyManager();
      const number = await w.t.factories.number(pm);
      return {
        path: `/admin/property-managers/${pm.id}/offboard`,
        body: { release_numbers: false },
        check: async (status) => {
          const after = await numberRepo(w).findOneByOrFail({ id: number.id });
          expect(after.status).toBe(status === 200 ? 'inactive' : 'available');
          const [row] = await w.t.dataSource.query('SELECT offboarded_at FROM property_managers WHERE id = $1', [pm.id]);
          expect(row.offboarded_at !== null).toBe(status === 200);
        },
      };
    },
  },
  'GET /admin/property-managers': { allow: { adminJwt: 200, adminKey: 200 }, prepare: async () => ({ path: '/admin/property-managers' }) },
  'POST /admin/api-keys': {
    allow: { adminJwt: 201, adminKey: 201 },
    prepare: async () => ({ path: '/admin/api-keys', body: { name: `matrix ${unique()}`, scopes: ['chatbot'] } }),
  },
  'GET /admin/api-keys': { allow: { adminJwt: 200, adminKey: 200 }, prepare: async () => ({ path: '/admin/api-keys' }) },
  'DELETE /admin/api-keys/{id}': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => {
      const key = await w.t.factories.apiKey(['chatbot']);
      return {
        path: `/admin/api-keys/${key.id}`,
        check: async (status) => {
          const [row] = await w.t.dataSource.query('SELECT revoked_at FROM api_keys WHERE id = $1', [key.id]);
          expect(row.revoked_at === null).toBe(status !== 200);
        },
      };
    },
  },
  'GET /admin/audit-log': { allow: { adminJwt: 200, adminKey: 200 }, prepare: async () => ({ path: '/admin/audit-log?limit=5' }) },

  // Operations other modules add; their rows are ready for when they appear in the document.
  'POST /admin/purchase-phone-number': {
    allow: { adminJwt: 201, adminKey: 201 },
    prepare: async (w) => ({
      path: '/admin/purchase-phone-number',
      body: { property_manager_id: w.pmA.pm.id, area_code: '412', notes: 'matrix' },
      headers: { 'idempotency-key': randomUUID() },
    }),
  },
  'POST /admin/purchased-numbers/{id}/release': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => {
      const number = await w.t.factories.number(w.pmA.pm);
      return {
        path: `/admin/purchased-numbers/${number.id}/release`,
        check: async (status) => {
          const after = await numberRepo(w).findOneByOrFail({ id: number.id });
          expect(after.status).toBe(status === 200 ? 'inactive' : 'available');
        },
      };
    },
  },
  'GET /admin/inventory/drift': { allow: { adminJwt: 200, adminKey: 200 }, prepare: async () => ({ path: '/admin/inventory/drift?kind=orphan_at_vapi' }) },
  'POST /admin/inventory/adopt': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => {
      // A number the sandbox "Twilio" holds and we have no row for.
      const phone = nextPhoneNumber();
      await w.t.app.get(NumberProvider).buy({ phoneNumber: phone, voiceUrl: 'https://x.test/v', smsUrl: 'https://x.test/s', friendlyName: 'matrix' });
      return {
        path: '/admin/inventory/adopt',
        body: { phone_number: phone, property_manager_id: w.pmA.pm.id },
        check: async (status) => {
          const row = await numberRepo(w).findOneBy({ phoneNumber: phone });
          expect(row !== null).toBe(status === 200);
        },
      };
    },
  },
  'POST /admin/purchased-numbers/{id}/repair': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => {
      // Not in the sandbox inventory: the repair marks it inactive.
      const number = await w.t.factories.number(w.pmA.pm);
      return {
        path: `/admin/purchased-numbers/${number.id}/repair`,
        check: async (status) => {
          const after = await numberRepo(w).findOneByOrFail({ id: number.id });
          expect(after.status).toBe(status === 200 ? 'inactive' : 'available');
        },
      };
    },
  },
  'POST /admin/inventory/release': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async () => ({ path: '/admin/inventory/release', body: { vapi_phone_number_id: `sandbox-${randomUUID()}` } }),
  },
  'GET /admin/purchase-operations': { allow: { adminJwt: 200, adminKey: 200 }, prepare: async () => ({ path: '/admin/purchase-operations' }) },
  'GET /admin/purchase-operations/{id}': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => {
      // A finished (failed) operation: nothing for the reconciler to pick up while the matrix runs.
      const id = randomUUID();
      await w.t.dataSource.query(
        `INSERT INTO purchase_operations (id, request_hash, property_manager_id, area_code, sandbox, state, actor, finished_at)
         VALUES ($1, 'matrix', $2, '412', true, 'failed', '{}'::jsonb, now())`,
        [id, w.pmA.pm.id],
      );
      return { path: `/admin/purchase-operations/${id}` };
    },
  },
  'GET /chatbot/lookup': {
    allow: { chatbotKey: 200 },
    prepare: async (w) => {
      const realtor = await w.t.factories.realtor(w.pmA.pm);
      const number = await w.t.factories.number(w.pmA.pm, { assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
      return { path: `/chatbot/lookup?phone_number=${encodeURIComponent(number.phoneNumber)}` };
    },
  },
  'POST /vapi/webhook': {
    kind: 'webhook',
    allow: {},
    prepare: async () => ({ path: '/vapi/webhook', body: { message: { type: 'status-update', status: 'in-progress' } } }),
  },

  'GET /admin/call-forwarding-events': {
    allow: { adminJwt: 200, adminKey: 200 },
    prepare: async (w) => ({ path: `/admin/call-forwarding-events?property_manager_id=${w.pmA.pm.id}&limit=5` }),
  },

  // ── call forwarding (PM or realtor) ──────────────────────────────────────────────────────
  'GET /call-forwarding-carriers': {
    allow: { pmA: 200, pmB: 200, realtorOfA: 200 },
    prepare: async () => ({ path: '/call-forwarding-carriers' }),
  },
  'GET /call-forwarding-state': {
    allow: { pmA: 200, pmB: 200, realtorOfA: 200 },
    prepare: async (w, actor) => ({
      path: '/call-forwarding-state',
      check: async (status, body) => {
        if (status !== 200) return;
        // Everyone sees themselves only.
        const self = actor === 'realtorOfA' ? w.realtorA.realtor.id : actor === 'pmA' ? w.pmA.pm.id : w.pmB.pm.id;
        expect(body.user_id).toBe(self);
      },
    }),
  },
  'PATCH /call-forwarding-state': {
    allow: { pmA: 200, realtorOfA: 200 },
    // PM B names PM A's realtor: not found, and nothing changes.
    expect: { pmB: 404 },
    prepare: async (w, actor) => {
      const realtor = await w.t.factories.realtor(w.pmA.pm);
      const target = actor === 'realtorOfA' ? w.realtorA.realtor.id : realtor.realtor.id;
      return {
        path: '/call-forwarding-state',
        body: actor === 'realtorOfA' ? { carrier: 'Mint', notes: `matrix ${unique()}` } : { carrier: 'Mint', realtor_id: realtor.realtor.id },
        check: async (status) => {
          const rows = await w.t.dataSource.query('SELECT carrier FROM call_forwarding_states WHERE realtor_id = $1', [target]);
          expect(rows.length === 1 && rows[0].carrier === 'Mint').toBe(status === 200);
        },
      };
    },
  },
  'GET /call-forwarding-events': {
    allow: { pmA: 200, pmB: 200, realtorOfA: 200 },
    prepare: async (w, actor) => ({
      path: '/call-forwarding-events?limit=200',
      check: async (status, body) => {
        if (status !== 200) return;
        for (const event of body.events) {
          if (actor === 'realtorOfA') expect(event.target_user_id).toBe(w.realtorA.realtor.id);
          else expect(event.property_manager_id).toBe(actor === 'pmA' ? w.pmA.pm.id : w.pmB.pm.id);
        }
      },
    }),
  },

  // ── dashboard (PM) ────────────────────────────────────────────────────────────────────
  'POST /request-phone-number': {
    allow: { pmA: 201, pmB: 201 },
    prepare: async () => ({ path: '/request-phone-number', body: { area_code: '412', notes: 'matrix' } }),
  },
  'GET /my-phone-number-requests': {
    allow: { pmA: 200, pmB: 200 },
    prepare: async (w, actor) => {
      const mine = await w.t.factories.request(w.pmA.pm);
      return {
        path: '/my-phone-number-requests?limit=200',
        check: async (status, body) => {
          if (status !== 200) return;
          const ids = body.requests.map((r: { request_id: number }) => r.request_id);
          // PM B never sees PM A's requests.
          expect(ids.includes(mine.id)).toBe(actor === 'pmA');
        },
      };
    },
  },
  'POST /my-phone-number-requests/{request_id}/cancel': {
    allow: { pmA: 200 },
    expect: { pmB: 404 },
    prepare: async (w) => {
      const request = await w.t.factories.request(w.pmA.pm);
      return {
        path: `/my-phone-number-requests/${request.id}/cancel`,
        check: async (status) => {
          const after = await requestRepo(w).findOneByOrFail({ id: request.id });
          expect(after.status).toBe(status === 200 ? 'cancelled' : 'pending');
        },
      };
    },
  },
  'GET /purchased-phone-numbers': {
    allow: { pmA: 200, pmB: 200 },
    prepare: async (w, actor) => {
      const number = await w.t.factories.number(w.pmA.pm);
      return {
        path: '/purchased-phone-numbers',
        check: async (status, body) => {
          if (status !== 200) return;
          expect(JSON.stringify(body).includes(number.phoneNumber)).toBe(actor === 'pmA');
          expect(JSON.stringify(body).includes(w.realtorA.realtor.email)).toBe(actor === 'pmA');
        },
      };
    },
  },
  'POST /assign-phone-number': {
    allow: { pmA: 200 },
    expect: { pmB: 404 },
    prepare: async (w) => {
      const number = await w.t.factories.number(w.pmA.pm);
      const realtor = await w.t.factories.realtor(w.pmA.pm);
      return {
        path: '/assign-phone-number',
        body: { purchased_phone_number_id: number.id, assign_to_type: 'realtor', assign_to_id: realtor.realtor.id },
        check: async (status) => {
          const after = await numberRepo(w).findOneByOrFail({ id: number.id });
          expect(after.status).toBe(status === 200 ? 'assigned' : 'available');
        },
      };
    },
  },
  'POST /unassign-phone-number': {
    allow: { pmA: 200 },
    expect: { pmB: 404 },
    prepare: async (w) => {
      const realtor = await w.t.factories.realtor(w.pmA.pm);
      const number = await w.t.factories.number(w.pmA.pm, { assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
      return {
        path: '/unassign-phone-number',
        body: { purchased_phone_number_id: number.id },
        check: async (status) => {
          const after = await numberRepo(w).findOneByOrFail({ id: number.id });
          expect(after.status).toBe(status === 200 ? 'available' : 'assigned');
          expect(after.assignedRealtorId).toBe(status === 200 ? null : realtor.realtor.id);
        },
      };
    },
  },
  'GET /my-number': {
    allow: { pmA: 200, realtorOfA: 200 },
    // PM B holds no number: 404, and never PM A's.
    expect: { pmB: 404 },
    prepare: async () => ({ path: '/my-number' }),
  },
  'POST /property-manager/realtors': {
    allow: { pmA: 201, pmB: 201 },
    prepare: async () => {
      const id = unique();
      return { path: '/property-manager/realtors', body: { name: `Realtor ${id}`, email: `matrix-realtor-${id}@example.com` } };
    },
  },
  'PATCH /property-manager/realtors/{id}': {
    allow: { pmA: 200 },
    expect: { pmB: 404 },
    prepare: async (w) => {
      const realtor = await w.t.factories.realtor(w.pmA.pm);
      const name = `Renamed ${unique()}`;
      return {
        path: `/property-manager/realtors/${realtor.realtor.id}`,
        body: { name },
        check: async (status) => {
          const [row] = await w.t.dataSource.query('SELECT name FROM realtors WHERE id = $1', [realtor.realtor.id]);
          expect(row.name === name).toBe(status === 200);
        },
      };
    },
  },
  'DELETE /property-manager/realtors/{id}': {
    allow: { pmA: 200 },
    expect: { pmB: 404 },
    prepare: async (w) => {
      const realtor = await w.t.factories.realtor(w.pmA.pm);
      const number = await w.t.factories.number(w.pmA.pm, { assignTo: { type: 'realtor', realtorId: realtor.realtor.id } });
      return {
        path: `/property-manager/realtors/${realtor.realtor.id}`,
        check: async (status) => {
          const [row] = await w.t.dataSource.query('SELECT removed_at FROM realtors WHERE id = $1', [realtor.realtor.id]);
          expect(row.removed_at !== null).toBe(status === 200);
          const after = await numberRepo(w).findOneByOrFail({ id: number.id });
          expect(after.status).toBe(status === 200 ? 'available' : 'assigned');
        },
      };
    },
  },
  'GET /property-manager/realtors': {
    allow: { pmA: 200, pmB: 200 },
    prepare: async (w, actor) => ({
      path: '/property-manager/realtors?limit=200',
      check: async (status, body) => {
        if (status !== 200) return;
        const ids = body.realtors.map((r: { realtor_id: number }) => r.realtor_id);
        expect(ids.includes(w.realtorA.realtor.id)).toBe(actor === 'pmA');
      },
    }),
  },
};
