import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export const REQUEST_STATUSES = ['pending', 'fulfilled', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

@Entity({ name: 'phone_number_requests' })
@Check('ck_requests_country_code', `country_code ~ '^\\+[1-9][0-9]{0,2}$'`)
@Check('ck_requests_area_code', `area_code ~ '^[0-9]{2,5}$'`)
@Check('ck_requests_status', `status IN ('pending', 'fulfilled', 'cancelled')`)
@Check('ck_requests_fulfilled', `(status = 'fulfilled') = (fulfilled_at IS NOT NULL)`)
@Check('ck_requests_cancelled', `(status = 'cancelled') = (cancelled_at IS NOT NULL)`)
@Index('ix_requests_status', ['status', 'id'])
@Index('ix_requests_property_manager', ['propertyManagerId', 'id'])
export class PhoneNumberRequestEntity {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'BY DEFAULT', primaryKeyConstraintName: 'phone_number_requests_pkey' })
  id: number;

  @Column('integer', { name: 'property_manager_id' })
  @ForeignKey('property_managers', { name: 'phone_number_requests_property_manager_id_fkey' })
  propertyManagerId: number;

  @Column('text', { name: 'country_code', default: '+1' })
  countryCode: string;

  @Column('text', { name: 'area_code', nullable: true })
  areaCode: string | null;

  @Column('text', { default: 'pending' })
  status: RequestStatus;

  @Column('text', { nullable: true })
  notes: string | null;

  @Column('timestamptz', { name: 'requested_at', default: () => 'now()' })
  requestedAt: Date;

  @Column('timestamptz', { name: 'fulfilled_at', nullable: true })
  fulfilledAt: Date | null;

  @Column('timestamptz', { name: 'cancelled_at', nullable: true })
  cancelledAt: Date | null;

  /** The number whose arrival fulfilled this request. */
  @Column('integer', { name: 'fulfilled_by_number_id', nullable: true })
  @ForeignKey('purchased_phone_numbers', { name: 'phone_number_requests_fulfilled_by_number_id_fkey' })
  fulfilledByNumberId: number | null;
}
