import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Bookkeeping of the legacy importer: what each imported row looked like in the source and here. */
@Entity({ name: 'legacy_import_rows' })
@Index('ix_legacy_import_rows_target', ['targetTable', 'targetId'])
export class LegacyImportRowEntity {
  @PrimaryColumn('text', { name: 'source_table', primaryKeyConstraintName: 'legacy_import_rows_pkey' })
  sourceTable: string;

  @PrimaryColumn('text', { name: 'source_id', primaryKeyConstraintName: 'legacy_import_rows_pkey' })
  sourceId: string;

  @Column('text', { name: 'target_table' })
  targetTable: string;

  @Column('integer', { name: 'target_id' })
  targetId: number;

  @Column('text', { name: 'source_hash' })
  sourceHash: string;

  @Column('text', { name: 'target_hash' })
  targetHash: string;

  @Column('timestamptz', { name: 'imported_at', default: () => 'now()' })
  importedAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
