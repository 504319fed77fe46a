/**
 * A typed client for the phone number service, generated from its OpenAPI document
 * (`npm run client:generate` writes openapi.json and schema.d.ts; CI fails when they are stale).
 *
 *   import { createPhoneNumberClient } from '<this directory>';
 *   const api = createPhoneNumberClient({ baseUrl: 'https://…', headers: { 'X-API-Key': key } });
 *   const { data, error, response } = await api.GET('/admin/all-purchased-numbers', { params: { query: { status: 'available' } } });
 *
 * `error` is the RFC 9457 problem (`components['schemas']['ProblemDto']`) for any documented failure.
 * Needs `openapi-fetch` (runtime) next to it.
 */
import createClient, { type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, operations, paths } from './schema';

export function createPhoneNumberClient(options: ClientOptions = {}) {
  return createClient<paths>(options);
}

export type PhoneNumberClient = ReturnType<typeof createPhoneNumberClient>;
