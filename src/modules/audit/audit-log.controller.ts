import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/authenticated.decorator';
import { AuditService } from './audit.service';
import { AuditLogDto, AuditLogQueryDto } from './dto/audit-log.dto';
import { toAuditRecordDto } from './audit.mapper';

/** Read-only: no endpoint changes or deletes audit records, and the database refuses it too. */
@ApiTags('admin: audit log')
@Authenticated('admin')
@Controller('admin/audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditService) {}

  /** Admin actions, newest first: successes, failures and refused attempts. */
  @Get()
  async list(@Query() query: AuditLogQueryDto): Promise<AuditLogDto> {
    const { action, actor, outcome, from, to } = query;
    const page = await this.audit.list({ action, actor, outcome, from, to }, query);
    return { records: page.items.map(toAuditRecordDto), next_cursor: page.nextCursor };
  }
}
