import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One change of a person's call-forwarding state. */
@Entity({ name: 'call_forwarding_events' })
@Index('ix_forwarding_events_state', ['stateId', 'createdAt'])
export class CallForwardingEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'BY DEFAULT', primaryKeyConstraintName: 'call_forwarding_events_pkey' })
  id: string;

  @Column('integer', { name: 'state_id' })
  @ForeignKey('call_forwarding_states', { name: 'call_forwarding_events_state_id_fkey' })
  stateId: number;

  @Column('text')
  action: string;

  @Column('text', { name: 'initiated_by_user_type' })
  initiatedByUserType: string;

  @Column('integer', { name: 'initiated_by_user_id' })
  initiatedByUserId: number;

  @Column('jsonb', { name: 'event_metadata', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column('timestamptz', { name: 'created_at', default: () => 'clock_timestamp()' })
  createdAt: Date;
}
