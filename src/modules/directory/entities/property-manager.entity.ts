import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity({ name: 'property_managers' })
@Check('ck_property_managers_name', 'length(btrim(name)) > 0')
@Unique('uq_property_managers_auth_user_id', ['authUserId'])
// On lower(email): an expression TypeORM cannot describe, so it is declared only to be left alone.
@Index('uq_property_managers_email', { synchronize: false })
export class PropertyManagerEntity {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'BY DEFAULT', primaryKeyConstraintName: 'property_managers_pkey' })
  id: number;

  @Column('text')
  name: string;

  @Column('text')
  email: string;

  /** The `sub` of this PM's dashboard JWT. */
  @Column('text', { name: 'auth_user_id', nullable: true })
  authUserId: string | null;

  @Column('text', { name: 'company_name', nullable: true })
  companyName: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Set when the PM left (`POST /admin/property-managers/{id}/offboard`). */
  @Column('timestamptz', { name: 'offboarded_at', nullable: true })
  offboardedAt: Date | null;
}
