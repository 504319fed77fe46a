import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity({ name: 'realtors' })
@Check('ck_realtors_name', 'length(btrim(name)) > 0')
@Unique('uq_realtors_auth_user_id', ['authUserId'])
/** The target of the composite foreign key that keeps a realtor's number within their PM. */
@Unique('uq_realtors_id_property_manager', ['id', 'propertyManagerId'])
// On (property_manager_id, lower(email)): an expression TypeORM cannot describe, so it is left alone.
@Index('uq_realtors_email_per_pm', { synchronize: false })
export class RealtorEntity {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'BY DEFAULT', primaryKeyConstraintName: 'realtors_pkey' })
  id: number;

  @Column('integer', { name: 'property_manager_id' })
  @ForeignKey('property_managers', { name: 'realtors_property_manager_id_fkey' })
  propertyManagerId: number;

  @Column('text')
  name: string;

  @Column('text')
  email: string;

  /** The `sub` of this realtor's dashboard JWT. */
  @Column('text', { name: 'auth_user_id', nullable: true })
  authUserId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
