import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditService } from './audit.service';
import { AuditRecordEntity } from './entities/audit-record.entity';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditRecordEntity])],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
