import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export const NUMBER_STATUSES = ['available', 'assigned', 'inactive'] as const;
export type NumberStatus = (typeof NUMBER_STATUSES)[number];
export const ASSIGNEE_TYPES = ['property_manager', 'realtor'] as const;
export type AssigneeType = (typeof ASSIGNEE_TYPES)[number];

/**
 * A number we own, for one PM. Its current assignee is stored here and only here
 * (`assigned_to_type`, plus `assigned_realtor_id` for a realtor; a PM assignee is the owning PM).
 */
@Entity({ name: 'purchased_phone_numbers' })
@Unique('uq_numbers_phone_number', ['phoneNumber'])
@Unique('uq_numbers_twilio_sid', ['twilioSid'])
@Unique('uq_numbers_vapi_phone_number_id', ['vapiPhoneNumberId'])
@Check('ck_numbers_e164', `phone_number ~ '^\\+[1-9][0-9]{6,14}$'`)
@Check('ck_numbers_status', `status IN ('available', 'assigned', 'inactive')`)
@Check('ck_numbers_assigned_to_type', `assigned_to_type IN ('property_manager', 'realtor')`)
@Check(
  'ck_numbers_assignment_matches_status',
  `(status = 'assigned' AND assigned_to_type IS NOT NULL AND assigned_at IS NOT NULL)
   OR (status <> 'assigned' AND assigned_to_type IS NULL AND assigned_realtor_id IS NULL AND assigned_at IS NULL)`,
)
@Check('ck_numbers_realtor_matches_type', `(assigned_to_type = 'realtor') = (assigned_realtor_id IS NOT NULL)`)
@Check('ck_numbers_released_is_inactive', `released_at IS NULL OR status = 'inactive'`)
/** A realtor can only hold a number of their own PM. */
@ForeignKey('realtors', ['assignedRealtorId', 'propertyManagerId'], ['id', 'propertyManagerId'], { name: 'fk_numbers_assigned_realtor' })
/** An assignee holds at most one number at a time. */
@Index('uq_numbers_one_per_property_manager', ['propertyManagerId'], { unique: true, where: `assigned_to_type = 'property_manager'` })
@Index('uq_numbers_one_per_realtor', ['assignedRealtorId'], { unique: true, where: 'assigned_realtor_id IS NOT NULL' })
@Index('ix_numbers_property_manager', ['propertyManagerId', 'id'])
@Index('ix_numbers_status', ['status', 'id'])
export class PurchasedPhoneNumberEntity {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'BY DEFAULT', primaryKeyConstraintName: 'purchased_phone_numbers_pkey' })
  id: number;

  @Column('integer', { name: 'property_manager_id' })
  @ForeignKey('property_managers', { name: 'purchased_phone_numbers_property_manager_id_fkey' })
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
