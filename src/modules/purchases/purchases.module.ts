import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssignmentsModule } from '../assignments/assignments.module';
import { DirectoryModule } from '../directory/directory.module';
import { ProvidersModule } from '../providers/providers.module';
import { PurchasedNumbersModule } from '../purchased-numbers/purchased-numbers.module';
import { AdminPurchasesController } from './admin-purchases.controller';
import { PurchaseOperationEntity } from './entities/purchase-operation.entity';
import { NumberReleaseService } from './number-release.service';
import { PurchaseReconciler } from './purchase-reconciler';
import { PurchasesService } from './purchases.service';

@Module({
  imports: [TypeOrmModule.forFeature([PurchaseOperationEntity]), ProvidersModule, DirectoryModule, PurchasedNumbersModule, AssignmentsModule],
  controllers: [AdminPurchasesController],
  providers: [PurchasesService, NumberReleaseService, PurchaseReconciler],
  exports: [PurchasesService, PurchaseReconciler],
})
export class PurchasesModule {}
