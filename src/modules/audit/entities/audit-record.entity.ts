import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One admin action. Append-only: the database refuses updates and deletes. */
@Entity({ name: 'audit_log' })
@Check('ck_audit_outcome', `outcome IN ('success', 'failure', 'denied')`)
@Index('ix_audit_action', ['action', 'id'])
@Index('ix_audit_occurred', ['occurredAt', 'id'])
@Index('ix_audit_actor', ['actorId', 'id'])
@Index('ix_audit_credential', ['credential', 'id'])
@Index('ix_audit_outcome', ['outcome', 'id'])
@Index('ix_audit_request', ['requestId'])
export class AuditRecordEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'BY DEFAULT', primaryKeyConstraintName: 'audit_log_pkey' })
  id: string;

  @Column('timestamptz', { name: 'occurred_at', default: () => 'now()' })
  occurredAt: Date;

  @Column('text', { name: 'actor_type' })
  actorType: string;

  @Column('text', { name: 'actor_id', nullable: true })
  actorId: string | null;

  @Column('text', { nullable: true })
  credential: string | null;

  @Column('text')
  action: string;

  @Column('text', { name: 'target_type', nullable: true })
  targetType: string | null;

  @Column('text', { name: 'target_id', nullable: true })
  targetId: string | null;

  @Column('text')
  outcome: AuditOutcome;

  @Column('text', { name: 'request_id', nullable: true })
  requestId: string | null;

  @Column('text', { name: 'client_ip', nullable: true })
  clientIp: string | null;

  @Column('jsonb', { default: () => "'{}'" })
  details: Record<string, unknown>;
}
