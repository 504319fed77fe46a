import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { ApiKeyScope } from '../../../common/auth/principal';

@Entity({ name: 'api_keys' })
@Check('ck_api_keys_name', 'length(btrim(name)) > 0')
@Check('ck_api_keys_scopes', `cardinality(scopes) > 0 AND scopes <@ ARRAY['admin', 'chatbot', 'metrics']::text[]`)
export class ApiKeyEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'api_keys_pkey' })
  id: string;

  @Column('text')
  name: string;

  /** SHA-256 of the whole key; the key itself is never stored. */
  @Column('bytea', { name: 'key_hash' })
  keyHash: Buffer;

  @Column('text', { array: true })
  scopes: ApiKeyScope[];

  @Column('text', { name: 'created_by', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
