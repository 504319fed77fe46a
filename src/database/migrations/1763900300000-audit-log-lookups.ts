import { MigrationInterface, QueryRunner } from 'typeorm';

/** GET /admin/audit-log filters by actor and outcome, newest first. */
export class AuditLogLookups1763900300000 implements MigrationInterface {
  name = 'AuditLogLookups1763900300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_audit_actor ON audit_log (actor_id, id)`);
    await q.query(`CREATE INDEX ix_audit_credential ON audit_log (credential, id)`);
    await q.query(`CREATE INDEX ix_audit_outcome ON audit_log (outcome, id)`);
    await q.query(`CREATE INDEX ix_audit_request ON audit_log (request_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_audit_request`);
    await q.query(`DROP INDEX ix_audit_outcome`);
    await q.query(`DROP INDEX ix_audit_credential`);
    await q.query(`DROP INDEX ix_audit_actor`);
  }
}
