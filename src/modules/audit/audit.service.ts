import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { decodeCursor, toPage } from '../../common/pagination/cursor';
import type { Page } from '../../common/pagination/find-page';
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
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, actor: Actor, entry: AuditEntry): Promise<void> {
    await manager.insert(AuditRecordEntity, {
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
  async list(filter: AuditLogFilter, page: { limit: number; cursor?: string }): Promise<Page<AuditRecordEntity>> {
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
    const before = decodeCursor(page.cursor);
    if (before !== undefined) query.andWhere('a.id < :before', { before });
    const rows = await query.orderBy('a.id', 'DESC').limit(page.limit + 1).getMany();
    return toPage(rows, page.limit, (row) => row.id);
  }
}
