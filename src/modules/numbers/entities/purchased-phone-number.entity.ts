import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const NUMBER_STATUSES = ['available', 'assigned', 'inactive'] as const;
export type NumberStatus = (typeof NUMBER_STATUSES)[number];
export const ASSIGNEE_TYPES = ['property_manager', 'realtor'] as const;
export type AssigneeType = (typeof ASSIGNEE_TYPES)[number];

/**
 * A number we own, for one PM. Its current assignee is stored here and only here
 * (`assigned_to_type`, plus `assigned_realtor_id` for a realtor; a PM assignee is the owning PM).
 */
@Entity({ name: 'purchased_phone_numbers' })
export class PurchasedPhoneNumberEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column('integer', { name: 'property_manager_id' })
  propertyManagerId: number;

  /** E.164. */
  @Column('text', { name: 'phone_number' })
  phoneNumber: string;

  @Column('text', { name: 'twilio_sid' })
  twilioSid: string;

  @Column('text', { name: 'vapi_phone_number_id', nullable: true })
  vapiPhoneNumberId: string | null;

  @Column('text', { default: 'available' })
  status: NumberStatus;

  @Column('text', { name: 'assigned_to_type', nullable: true })
  assignedToType: AssigneeType | null;

  @Column('integer', { name: 'assigned_realtor_id', nullable: true })
  assignedRealtorId: number | null;

  @Column('timestamptz', { name: 'assigned_at', nullable: true })
  assignedAt: Date | null;

  @Column('text', { nullable: true })
  notes: string | null;

  @Column('timestamptz', { name: 'purchased_at', default: () => 'now()' })
  purchasedAt: Date;

  /** Set once the number was given back to its provider; it then stays inactive for history. */
  @Column('timestamptz', { name: 'released_at', nullable: true })
  releasedAt: Date | null;

  /** The id of the current assignee: the PM's or the realtor's, per `assignedToType`. */
  get assignedToId(): number | null {
    if (this.assignedToType === 'property_manager') return this.propertyManagerId;
    if (this.assignedToType === 'realtor') return this.assignedRealtorId;
    return null;
  }
}
