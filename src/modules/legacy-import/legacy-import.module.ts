import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NumbersModule } from '../numbers/numbers.module';
import { LegacyImportRowEntity } from './entities/legacy-import-row.entity';
import { LegacyImportService } from './legacy-import.service';

/** Bringing the old system's data in (`npm run import-legacy`); no HTTP of its own. */
@Module({
  imports: [TypeOrmModule.forFeature([LegacyImportRowEntity]), NumbersModule],
  providers: [LegacyImportService],
  exports: [LegacyImportService],
})
export class LegacyImportModule {}
