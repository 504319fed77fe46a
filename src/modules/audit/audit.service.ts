import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Actor } from '../auth/principal';
import { AuditOutcome, AuditRecordEntity } from './entities/audit-record.entity';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string | number;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
}

/** Writes audit records; always inside the transaction of the change it describes. */
@Injectable()
export class AuditService {
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
}
