import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Page, PageRequest, paginate } from '../../common/pagination/paginate';
import {
  NEEDS_ATTENTION_ATTEMPTS,
  PurchaseOperationEntity,
  PurchaseOutcome,
  PurchaseState,
  StoredActor,
  StoredError,
} from './entities/purchase-operation.entity';

export interface NewOperation {
  id: string;
  idempotencyKey: string | null;
  requestHash: string;
  propertyManagerId: number;
  areaCode: string;
  notes: string | null;
  sandbox: boolean;
  actor: StoredActor;
}

export interface OperationFilter {
  state?: PurchaseState;
  needsAttention?: boolean;
}

const UNFINISHED = `state NOT IN ('succeeded', 'failed')`;
const NEEDS_ATTENTION = `(${UNFINISHED} AND attempts >= ${NEEDS_ATTENTION_ATTEMPTS})`;
const LEASE_FREE = `(lease_owner IS NULL OR lease_expires_at < now())`;

/** Thrown when an operation is no longer where its owner left it: the lease was lost to another worker. */
export class OperationChangedError extends Error {
  constructor(id: string, expected: PurchaseState) {
    super(`purchase ${id} changed under its owner (expected ${expected})`);
  }
}

/**
 * All SQL of purchase operations. An operation is worked on only by the holder of its lease (a
 * row column, renewed while the work runs): nobody holds a connection while waiting on a provider,
 * and a crashed holder's lease simply runs out. Every state change is fenced by state and owner.
 */
@Injectable()
export class PurchaseOperationsRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  private get manager(): EntityManager {
    return this.txHost.tx;
  }

  findById(id: string): Promise<PurchaseOperationEntity | null> {
    return this.manager.findOne(PurchaseOperationEntity, { where: { id } });
  }

  load(id: string): Promise<PurchaseOperationEntity> {
    return this.manager.findOneOrFail(PurchaseOperationEntity, { where: { id } });
  }

  findByIdempotencyKey(idempotencyKey: string): Promise<PurchaseOperationEntity | null> {
    return this.manager.findOne(PurchaseOperationEntity, { where: { idempotencyKey } });
  }

  /** Inserts a new operation leased to `owner`; false when another call already holds its idempotency key. */
  async insertLeased(op: NewOperation, owner: string, leaseMs: number): Promise<boolean> {
    const inserted: unknown[] = await this.manager.query(
      `INSERT INTO purchase_operations
         (id, idempotency_key, request_hash, property_manager_id, area_code, notes, sandbox, state, actor, lease_owner, lease_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'started', $8, $9, now() + make_interval(secs => $10::double precision / 1000))
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [op.id, op.idempotencyKey, op.requestHash, op.propertyManagerId, op.areaCode, op.notes, op.sandbox, op.actor, owner, leaseMs],
    );
    return inserted.length === 1;
  }

  /** Takes the lease of an unfinished operation nobody holds (or whose holder's lease ran out). */
  async acquireLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const [, affected] = (await this.manager.query(
      `UPDATE purchase_operations
          SET lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1 AND ${UNFINISHED} AND ${LEASE_FREE}`,
      [id, owner, leaseMs],
    )) as [unknown, number];
    return affected === 1;
  }

  /** From a timer: on a connection of its own, never in whatever transaction the timer's context held. */
  async renewLease(id: string, owner: string, leaseMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE purchase_operations SET lease_expires_at = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1 AND lease_owner = $2`,
      [id, owner, leaseMs],
    );
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.manager.query(`UPDATE purchase_operations SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2`, [id, owner]);
  }

  /** True while the PM has a purchase that has not ended (succeeded or failed). */
  async hasUnfinishedFor(propertyManagerId: number): Promise<boolean> {
    const rows: unknown[] = await this.manager.query(`SELECT 1 FROM purchase_operations WHERE property_manager_id = $1 AND ${UNFINISHED} LIMIT 1`, [propertyManagerId]);
    return rows.length > 0;
  }

  /** True while some worker holds the operation (its lease has not run out). */
  async isLeased(id: string): Promise<boolean> {
    const [row] = (await this.manager.query(`SELECT NOT ${LEASE_FREE} AS leased FROM purchase_operations WHERE id = $1`, [id])) as Array<{ leased: boolean }>;
    return row?.leased === true;
  }

  /** Moves `op` from its current state to `to`, only if it is still there and still ours. */
  async transition(op: PurchaseOperationEntity, owner: string, to: PurchaseState, patch: Partial<PurchaseOperationEntity> = {}): Promise<void> {
    const result = await this.manager
      .createQueryBuilder()
      .update(PurchaseOperationEntity)
      .set({ ...patch, state: to, updatedAt: () => 'now()' } as never)
      .where('id = :id AND state = :from AND lease_owner = :owner', { id: op.id, from: op.state, owner })
      .execute();
    if (result.affected !== 1) throw new OperationChangedError(op.id, op.state);
    Object.assign(op, patch, { state: to });
  }

  /** Ends `op` as failed (in the caller's transaction, with its audit record). */
  async markFailed(op: PurchaseOperationEntity, owner: string, error: StoredError, lastError: string | null): Promise<void> {
    const result = await this.manager
      .createQueryBuilder()
      .update(PurchaseOperationEntity)
      .set({ state: 'failed', error, lastError, finishedAt: () => 'now()', updatedAt: () => 'now()' } as never)
      .where('id = :id AND state = :from AND lease_owner = :owner', { id: op.id, from: op.state, owner })
      .execute();
    if (result.affected !== 1) throw new OperationChangedError(op.id, op.state);
    Object.assign(op, { state: 'failed', error, lastError });
  }

  /** Locks `op` for the transaction that records its number; undefined when it is no longer ours to record. */
  async lockForRecording(id: string, owner: string): Promise<PurchaseOperationEntity | undefined> {
    const op = await this.manager.findOne(PurchaseOperationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    return op?.state === 'recording' && op.leaseOwner === owner ? op : undefined;
  }

  async markSucceeded(id: string, outcome: PurchaseOutcome): Promise<void> {
    await this.manager.update(PurchaseOperationEntity, { id }, {
      state: 'succeeded',
      result: outcome,
      purchasedPhoneNumberId: outcome.purchasedPhoneNumberId,
      error: null,
      finishedAt: () => 'now()',
      updatedAt: () => 'now()',
    } as never);
  }

  /** Leaves `op` where it is with a note (and, once, the error its first caller gets); restarts the settle clock. */
  async park(id: string, patch: { lastError: string; error?: StoredError }): Promise<void> {
    await this.manager.update(PurchaseOperationEntity, { id }, { ...patch, updatedAt: () => 'now()' } as never);
  }

  async countAttempt(id: string): Promise<void> {
    await this.manager.increment(PurchaseOperationEntity, { id }, 'attempts', 1);
  }

  /** Newest first. */
  list(filter: OperationFilter, page: PageRequest): Promise<Page<PurchaseOperationEntity>> {
    const query = this.manager.getRepository(PurchaseOperationEntity).createQueryBuilder('op');
    if (filter.state) query.andWhere('op.state = :state', { state: filter.state });
    if (filter.needsAttention === true) query.andWhere(NEEDS_ATTENTION);
    if (filter.needsAttention === false) query.andWhere(`NOT ${NEEDS_ATTENTION}`);
    return paginate(query, page, {
      direction: 'DESC',
      keys: [
        // At the milliseconds a cursor can carry (the column keeps microseconds), then the id.
        { column: `date_trunc('milliseconds', op.created_at)`, valueOf: (op) => op.createdAt.toISOString(), pattern: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/ },
        { column: 'op.id', valueOf: (op) => op.id, pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ },
      ],
    });
  }

  /**
   * The numbers of purchases not finished, or finished at or after `since`: the inventory check
   * leaves them alone (an unfinished one is its lease holder's to finish; one finished during a
   * check may be half seen by it).
   */
  async numbersInFlight(since: Date): Promise<Array<{ phoneNumber: string | null; twilioSid: string | null; vapiPhoneNumberId: string | null }>> {
    const rows: Array<{ phone_number: string | null; twilio_sid: string | null; vapi_phone_number_id: string | null }> = await this.manager.query(
      `SELECT phone_number, twilio_sid, vapi_phone_number_id FROM purchase_operations
        WHERE (${UNFINISHED} OR finished_at >= $1) AND phone_number IS NOT NULL`,
      [since],
    );
    return rows.map((r) => ({ phoneNumber: r.phone_number, twilioSid: r.twilio_sid, vapiPhoneNumberId: r.vapi_phone_number_id }));
  }

  /** Unfinished operations nobody holds, untouched for `settleMs`: their owner is gone or gave up. */
  async findStale(settleMs: number, limit = 50): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.manager.query(
      `SELECT id FROM purchase_operations
        WHERE ${UNFINISHED} AND ${LEASE_FREE} AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at LIMIT $2`,
      [settleMs, limit],
    );
    return rows.map((r) => r.id);
  }
}
