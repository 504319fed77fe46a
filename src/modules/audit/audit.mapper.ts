import { AuditRecordDto } from './dto/audit-log.dto';
import { AuditRecordEntity } from './entities/audit-record.entity';

export const toAuditRecordDto = (r: AuditRecordEntity): AuditRecordDto => ({
  id: String(r.id),
  occurred_at: r.occurredAt,
  actor_type: r.actorType,
  actor_id: r.actorId,
  credential: r.credential,
  action: r.action,
  target_type: r.targetType,
  target_id: r.targetId,
  outcome: r.outcome,
  request_id: r.requestId,
  client_ip: r.clientIp,
  details: r.details,
});
