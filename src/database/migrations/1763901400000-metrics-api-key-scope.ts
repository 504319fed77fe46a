import { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys may carry the `metrics` scope (GET /metrics for Prometheus). */
export class MetricsApiKeyScope1763901400000 implements MigrationInterface {
  name = 'MetricsApiKeyScope1763901400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT ck_api_keys_scopes`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_scopes
                   CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['admin', 'chatbot', 'metrics']::text[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT ck_api_keys_scopes`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_scopes
                   CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['admin', 'chatbot']::text[]) NOT VALID`);
  }
}
