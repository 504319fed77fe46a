import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource } from 'typeorm';
import { Page, PageRequest, paginate } from '../../common/pagination/paginate';
import type { Actor, Principal } from '../auth/principal';
import { AuditOutcome, AuditRecordEntity } from './entities/audit-record.entity';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string | number;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
}

/** An admin call that was refused or failed; recorded after its transaction rolled back. */
export interface AuditAttempt {
  /** Set when the credential was verified (e.g. a 403 for the wrong role or address). */
  principal?: Principal;
  /** What was presented but not verified: `jwt`, `api_key:<id>`, or null for nothing. */
  presentedCredential: string | null;
  requestId: string;
  clientIp: string;
  action: string;
  targetId?: string;
  outcome: Exclude<AuditOutcome, 'success'>;
  details: Record<string, unknown>;
}

export interface AuditLogFilter {
  action?: string;
  actor?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
}

/**
 * Writes audit records: a change's record always inside the transaction of the change; a
 * refused or failed attempt's record on its own, after the rollback, so it is kept.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Records a change, in the transaction the change runs in. */
  async record(actor: Actor, entry: AuditEntry): Promise<void> {
    await this.txHost.tx.insert(AuditRecordEntity, {
      actorType: actor.principal.actorType,
      actorId: actor.principal.actorId,
      credential: actor.principal.credential,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId === undefined ? null : String(entry.targetId),
      outcome: entry.outcome ?? 'success',
      requestId: actor.requestId,
      clientIp: actor.clientIp,
      details: (entry.details ?? {}) as never,
    });
  }

  /** Records a refused or failed attempt on its own connection: it must outlive the rolled-back work. */
  async recordAttempt(attempt: AuditAttempt): Promise<void> {
    await this.dataSource.getRepository(AuditRecordEntity).insert({
      actorType: attempt.principal?.actorType ?? 'anonymous',
      actorId: attempt.principal?.actorId ?? null,
      credential: attempt.principal?.credential ?? attempt.presentedCredential,
      action: attempt.action,
      targetType: null,
      targetId: attempt.targetId ?? null,
      outcome: attempt.outcome,
      requestId: attempt.requestId,
      clientIp: attempt.clientIp,
      details: attempt.details as never,
    });
  }

  /** Newest first, keyset-paginated by id. */
  async list(filter: AuditLogFilter, page: PageRequest): Promise<Page<AuditRecordEntity>> {
    const query = this.dataSource.getRepository(AuditRecordEntity).createQueryBuilder('a');
    if (filter.action) query.andWhere('a.action = :action', { action: filter.action });
    if (filter.outcome) query.andWhere('a.outcome = :outcome', { outcome: filter.outcome });
    if (filter.actor) {
      query.andWhere(
        new Brackets((q) => q.where('a.actor_id = :actor', { actor: filter.actor }).orWhere('a.credential = :actor')),
      );
    }
    if (filter.from) query.andWhere('a.occurred_at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('a.occurred_at < :to', { to: filter.to });
    return paginate(query, page, { direction: 'DESC' });
  }
}
