import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';

export const PURCHASE_STATES = ['started', 'buying', 'registering', 'recording', 'releasing', 'succeeded', 'failed'] as const;
export type PurchaseState = (typeof PURCHASE_STATES)[number];
export const FINAL_STATES: readonly PurchaseState[] = ['succeeded', 'failed'];
export const isFinal = (state: PurchaseState) => FINAL_STATES.includes(state);

/** The error a caller saw (or sees again on a replay), in domain terms. */
export interface StoredError {
  kind: 'upstream_failed' | 'upstream_timeout' | 'unavailable' | 'conflict' | 'not_found' | 'invalid';
  code: string;
  message: string;
}

/** What a purchase produced, kept for replays; the response is built from it at the edge. */
export interface PurchaseOutcome {
  purchasedPhoneNumberId: number;
  phoneNumber: string;
  twilioSid: string;
  vapiPhoneNumberId: string;
  status: string;
  propertyManagerId: number;
  sandbox: boolean;
}

/** Unfinished after this many reconciler passes: shown to admins as needing attention. */
export const NEEDS_ATTENTION_ATTEMPTS = 3;
export const needsAttention = (op: Pick<PurchaseOperationEntity, 'state' | 'attempts'>) => !isFinal(op.state) && op.attempts >= NEEDS_ATTENTION_ATTEMPTS;

/** Who started the purchase; the reconciler audits in their name. */
export interface StoredActor {
  actorType: 'api_key' | 'user';
  actorId: string;
  credential: string;
  requestId: string;
  clientIp: string;
}

/**
 * One automated purchase. States, in order: `started` (nothing spent) → `buying` (number
 * chosen, the buy may have been sent) → `registering` (bought; VAPI may have been called) →
 * `recording` (registered; the database row is next) → `succeeded`. A definite refusal after
 * money was spent goes through `releasing` (giving the number back) to `failed`.
 */
@Entity({ name: 'purchase_operations' })
@Unique('uq_purchase_ops_idempotency_key', ['idempotencyKey'])
@Check('ck_purchase_ops_area_code', `area_code ~ '^[0-9]{3}$'`)
@Check('ck_purchase_ops_state', `state IN ('started', 'buying', 'registering', 'recording', 'releasing', 'succeeded', 'failed')`)
@Check('ck_purchase_ops_number_chosen', `state IN ('started', 'failed') OR phone_number IS NOT NULL`)
@Check('ck_purchase_ops_bought', `state NOT IN ('registering', 'recording') OR twilio_sid IS NOT NULL`)
@Check('ck_purchase_ops_registered', `state <> 'recording' OR vapi_phone_number_id IS NOT NULL`)
@Check('ck_purchase_ops_succeeded', `(state = 'succeeded') = (purchased_phone_number_id IS NOT NULL AND result IS NOT NULL)`)
@Check('ck_purchase_ops_finished', `(state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)`)
@Check('ck_purchase_ops_lease', `(lease_owner IS NULL) = (lease_expires_at IS NULL)`)
/** Two purchases running at once never chase the same number. */
@Index('uq_purchase_ops_active_number', ['phoneNumber'], { unique: true, where: `state NOT IN ('succeeded', 'failed')` })
@Index('ix_purchase_ops_unfinished', ['updatedAt'], { where: `state NOT IN ('succeeded', 'failed')` })
@Index('ix_purchase_ops_created', ['createdAt', 'id'])
export class PurchaseOperationEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'purchase_operations_pkey' })
  id: string;

  @Column('text', { name: 'idempotency_key', nullable: true })
  idempotencyKey: string | null;

  @Column('text', { name: 'request_hash' })
  requestHash: string;

  @Column('integer', { name: 'property_manager_id' })
  @ForeignKey('property_managers', { name: 'purchase_operations_property_manager_id_fkey' })
  propertyManagerId: number;

  @Column('text', { name: 'area_code' })
  areaCode: string;

  @Column('text', { nullable: true })
  notes: string | null;

  @Column('boolean')
  sandbox: boolean;

  @Column('text')
  state: PurchaseState;

  @Column('text', { name: 'phone_number', nullable: true })
  phoneNumber: string | null;

  @Column('text', { name: 'twilio_sid', nullable: true })
  twilioSid: string | null;

  @Column('text', { name: 'vapi_phone_number_id', nullable: true })
  vapiPhoneNumberId: string | null;

  @Column('integer', { name: 'purchased_phone_number_id', nullable: true })
  @ForeignKey('purchased_phone_numbers', { name: 'purchase_operations_purchased_phone_number_id_fkey' })
  purchasedPhoneNumberId: number | null;

  @Column('jsonb')
  actor: StoredActor;

  /** What the purchase produced, kept for replays. */
  @Column('jsonb', { nullable: true })
  result: PurchaseOutcome | null;

  /** The error response the first caller got (also set while the outcome is still being resolved). */
  @Column('jsonb', { nullable: true })
  error: StoredError | null;

  /** The latest provider or database problem, for admins; never a credential. */
  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  /** Reconciler passes over this operation. */
  @Column('integer', { default: 0 })
  attempts: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  /** Which worker (a request or a reconciler pass, on any instance) owns the operation now, and until when. */
  @Column('uuid', { name: 'lease_owner', nullable: true })
  leaseOwner: string | null;

  @Column('timestamptz', { name: 'lease_expires_at', nullable: true })
  leaseExpiresAt: Date | null;
}
