import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AssigneeType } from './purchased-phone-number.entity';

export type AssignmentEndReason = 'unassigned' | 'reassigned' | 'deactivated' | 'released' | 'removed';

/** A finished assignment period. The current one lives on the number itself. */
@Entity({ name: 'number_assignment_history' })
@Check('ck_history_type', `assigned_to_type IN ('property_manager', 'realtor')`)
@Check('ck_history_end_reason', `end_reason IN ('unassigned', 'reassigned', 'deactivated', 'released', 'removed')`)
@Check('ck_history_realtor_matches_type', `(assigned_to_type = 'realtor') = (realtor_id IS NOT NULL)`)
@Check('ck_history_period', 'unassigned_at >= assigned_at')
@Index('ix_history_number', ['purchasedPhoneNumberId', 'id'])
export class NumberAssignmentHistoryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'BY DEFAULT', primaryKeyConstraintName: 'number_assignment_history_pkey' })
  id: string;

  @Column('integer', { name: 'purchased_phone_number_id' })
  @ForeignKey('purchased_phone_numbers', { name: 'number_assignment_history_purchased_phone_number_id_fkey' })
  purchasedPhoneNumberId: number;

  @Column('text', { name: 'assigned_to_type' })
  assignedToType: AssigneeType;

  @Column('integer', { name: 'property_manager_id' })
  @ForeignKey('property_managers', { name: 'number_assignment_history_property_manager_id_fkey' })
  propertyManagerId: number;

  @Column('integer', { name: 'realtor_id', nullable: true })
  @ForeignKey('realtors', { name: 'number_assignment_history_realtor_id_fkey' })
  realtorId: number | null;

  @Column('timestamptz', { name: 'assigned_at' })
  assignedAt: Date;

  @Column('timestamptz', { name: 'unassigned_at' })
  unassignedAt: Date;

  @Column('text', { name: 'end_reason' })
  endReason: AssignmentEndReason;
}
