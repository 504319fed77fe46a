import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity({ name: 'realtors' })
@Check('ck_realtors_name', 'length(btrim(name)) > 0')
// Among realtors not removed: a removed realtor's login and email may belong to someone new.
@Index('uq_realtors_auth_user_id', ['authUserId'], { unique: true, where: 'removed_at IS NULL' })
@Index('ix_realtors_property_manager', ['propertyManagerId', 'id'])
/** The target of the composite foreign key that keeps a realtor's number within their PM. */
@Unique('uq_realtors_id_property_manager', ['id', 'propertyManagerId'])
// On (property_manager_id, lower(email)) WHERE removed_at IS NULL: an expression TypeORM cannot describe, so it is left alone.
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

  /** Set when their PM removed them: gone from lists, logins and the chatbot; kept for history. */
  @Column('timestamptz', { name: 'removed_at', nullable: true })
  removedAt: Date | null;
}
