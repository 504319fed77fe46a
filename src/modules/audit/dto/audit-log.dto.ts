import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../entities/audit-record.entity';

export class AuditLogQueryDto extends PageQueryDto {
  /** Only this action, e.g. `api_key.create` or `POST /admin/api-keys` (refused attempts). */
  @IsOptional() @IsString() @MaxLength(200)
  action?: string;

  /** Only records by this actor: a JWT `sub`, an API key id, or a credential (`api_key:<id>`). */
  @IsOptional() @IsString() @MaxLength(200)
  actor?: string;

  @IsOptional() @IsIn(AUDIT_OUTCOMES, { message: `outcome must be one of: ${AUDIT_OUTCOMES.join(', ')}` })
  outcome?: AuditOutcome;

  /** From this time (inclusive), ISO 8601. @example "2024-01-15T00:00:00Z" */
  @IsOptional() @Type(() => Date) @IsDate({ message: 'from must be an ISO 8601 date-time' })
  from?: Date;

  /** Up to this time (exclusive), ISO 8601. */
  @IsOptional() @Type(() => Date) @IsDate({ message: 'to must be an ISO 8601 date-time' })
  to?: Date;
}

export class AuditRecordDto {
  /** @example "42" */
  id: string;
  occurred_at: Date;
  /** `user` (JWT), `api_key`, or `anonymous` for a refused call without a valid credential. */
  actor_type: string;
  actor_id: string | null;
  /** Which credential: `jwt` or `api_key:<id>`. */
  credential: string | null;
  /** @example "purchased_number.add" */
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** `success`, `failure` (the use case failed; nothing changed) or `denied` (401/403/429). */
  outcome: AuditOutcome;
  request_id: string | null;
  client_ip: string | null;
  details: Record<string, unknown>;
}

export class AuditLogDto {
  records: AuditRecordDto[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
}
