import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAttemptAuditor } from './admin-attempt-auditor';
import { AuditLogController } from './audit-log.controller';
import { AuditService } from './audit.service';
import { AuditRecordEntity } from './entities/audit-record.entity';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditRecordEntity])],
  controllers: [AuditLogController],
  providers: [AuditService, AdminAttemptAuditor],
  exports: [AuditService, AdminAttemptAuditor],
})
export class AuditModule {}
