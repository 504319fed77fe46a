import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

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
export class PurchaseOperationEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text', { name: 'idempotency_key', nullable: true })
  idempotencyKey: string | null;

  @Column('text', { name: 'request_hash' })
  requestHash: string;

  @Column('integer', { name: 'property_manager_id' })
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
