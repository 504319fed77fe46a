import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const REQUEST_STATUSES = ['pending', 'fulfilled', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

@Entity({ name: 'phone_number_requests' })
export class PhoneNumberRequestEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column('integer', { name: 'property_manager_id' })
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
  fulfilledByNumberId: number | null;
}
