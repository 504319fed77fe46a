import { writeScopeOf } from './change-feed';

describe('writeScopeOf', () => {
  it.each([
    ['UPDATE "purchased_phone_numbers" SET "status" = $1 WHERE "id" IN ($2)', 'lookup'],
    ['INSERT INTO "purchased_phone_numbers"("property_manager_id", "phone_number") VALUES ($1, $2) RETURNING "id"', 'lookup'],
    ['DELETE FROM "realtors" WHERE "id" = $1', 'lookup'],
    ['update realtors set name = $1 where id = $2', 'lookup'],
    ['INSERT INTO "property_managers"("name") VALUES ($1)', 'lookup'],
    ['TRUNCATE TABLE purchased_phone_numbers', 'lookup'],
    ['WITH moved AS (UPDATE purchased_phone_numbers SET status = $1 RETURNING id) SELECT * FROM moved', 'lookup'],
    ['UPDATE "api_keys" SET "revoked_at" = $1 WHERE "id" IN ($2)', 'api_keys'],
    ['UPDATE "api_keys" SET "scopes" = $1 WHERE "id" IN ($2)', 'api_keys'],
    ['DELETE FROM "api_keys" WHERE "id" = $1', 'api_keys'],
  ])('%s → %s', (query, scope) => {
    expect(writeScopeOf(query)).toBe(scope);
  });

  it.each([
    'SELECT "n"."id" FROM "purchased_phone_numbers" "n" WHERE "n"."id" = $1 FOR UPDATE',
    'UPDATE "api_keys" SET "last_used_at" = $1 WHERE ("id" = $2 AND "revoked_at" IS NULL)',
    'INSERT INTO "audit_log"("action") VALUES ($1)',
    'INSERT INTO "number_assignment_history"("purchased_phone_number_id") VALUES ($1)',
    'UPDATE "phone_number_requests" SET "status" = $1',
    'WITH x AS (SELECT 1) SELECT * FROM purchased_phone_numbers, x',
    'START TRANSACTION',
    'COMMIT',
  ])('%s is not a watched write', (query) => {
    expect(writeScopeOf(query)).toBeUndefined();
  });
});
