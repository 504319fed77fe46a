import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One person's call-forwarding state: a PM's own (no realtor) or one realtor's. */
@Entity({ name: 'call_forwarding_states' })
@ForeignKey('realtors', ['realtorId', 'propertyManagerId'], ['id', 'propertyManagerId'], { name: 'fk_forwarding_states_realtor' })
@Index('uq_forwarding_states_property_manager', ['propertyManagerId'], { unique: true, where: 'realtor_id IS NULL' })
@Index('uq_forwarding_states_realtor', ['realtorId'], { unique: true, where: 'realtor_id IS NOT NULL' })
export class CallForwardingStateEntity {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'BY DEFAULT', primaryKeyConstraintName: 'call_forwarding_states_pkey' })
  id: number;

  @Column('integer', { name: 'property_manager_id' })
  @ForeignKey('property_managers', { name: 'call_forwarding_states_property_manager_id_fkey' })
  propertyManagerId: number;

  @Column('integer', { name: 'realtor_id', nullable: true })
  realtorId: number | null;

  @Column('text', { nullable: true })
  carrier: string | null;

  @Column('boolean', { name: 'business_forwarding_enabled', default: false })
  businessForwardingEnabled: boolean;

  @Column('boolean', { name: 'after_hours_enabled', default: false })
  afterHoursEnabled: boolean;

  @Column('timestamptz', { name: 'last_after_hours_update', nullable: true })
  lastAfterHoursUpdate: Date | null;

  @Column('timestamptz', { name: 'business_forwarding_confirmed_at', nullable: true })
  businessForwardingConfirmedAt: Date | null;

  @Column('timestamptz', { name: 'after_hours_last_enabled_at', nullable: true })
  afterHoursLastEnabledAt: Date | null;

  @Column('timestamptz', { name: 'after_hours_last_disabled_at', nullable: true })
  afterHoursLastDisabledAt: Date | null;

  @Column('text', { name: 'forwarding_failure_reason', nullable: true })
  forwardingFailureReason: string | null;

  @Column('timestamptz', { name: 'last_forwarding_update', nullable: true })
  lastForwardingUpdate: Date | null;
}
