import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the legacy importer (`npm run import-legacy`) brought in: one row per source row (or per
 * number recovered from a person's `twilio_contact`), with a hash of what it should look like here
 * (`source_hash`, from the cleaned source row) and of what was written (`target_hash`). The next
 * run compares both with the source and this database to tell new, changed-in-source,
 * changed-here (a conflict) and unchanged rows apart.
 */
export class LegacyImportRows1763900700000 implements MigrationInterface {
  name = 'LegacyImportRows1763900700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE legacy_import_rows (
        source_table  text NOT NULL,
        source_id     text NOT NULL,
        target_table  text NOT NULL,
        target_id     integer NOT NULL,
        source_hash   text NOT NULL,
        target_hash   text NOT NULL,
        imported_at   timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT legacy_import_rows_pkey PRIMARY KEY (source_table, source_id)
      )`);
    await q.query(`CREATE INDEX ix_legacy_import_rows_target ON legacy_import_rows (target_table, target_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE legacy_import_rows`);
  }
}
