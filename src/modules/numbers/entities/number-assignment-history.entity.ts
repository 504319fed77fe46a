import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AssigneeType } from './purchased-phone-number.entity';

export type AssignmentEndReason = 'unassigned' | 'reassigned' | 'deactivated' | 'released';

/** A finished assignment period. The current one lives on the number itself. */
@Entity({ name: 'number_assignment_history' })
export class NumberAssignmentHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column('integer', { name: 'purchased_phone_number_id' })
  purchasedPhoneNumberId: number;

  @Column('text', { name: 'assigned_to_type' })
  assignedToType: AssigneeType;

  @Column('integer', { name: 'property_manager_id' })
  propertyManagerId: number;

  @Column('integer', { name: 'realtor_id', nullable: true })
  realtorId: number | null;

  @Column('timestamptz', { name: 'assigned_at' })
  assignedAt: Date;

  @Column('timestamptz', { name: 'unassigned_at' })
  unassignedAt: Date;

  @Column('text', { name: 'end_reason' })
  endReason: AssignmentEndReason;
}
