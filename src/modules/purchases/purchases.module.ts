import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DirectoryModule } from '../directory/directory.module';
import { NumbersModule } from '../numbers/numbers.module';
import { ProvidersModule } from '../providers/providers.module';
import { AdminPurchasesController } from './admin-purchases.controller';
import { PurchaseOperationEntity } from './entities/purchase-operation.entity';
import { NumberReleaseService } from './number-release.service';
import { PurchaseLedger } from './purchase-ledger';
import { PurchaseOperationsRepository } from './purchase-operations.repository';
import { PurchaseReconciler } from './purchase-reconciler';
import { PurchaseWorkflow } from './purchase-workflow';
import { PurchasesService } from './purchases.service';

@Module({
  imports: [TypeOrmModule.forFeature([PurchaseOperationEntity]), ProvidersModule, DirectoryModule, NumbersModule],
  controllers: [AdminPurchasesController],
  providers: [PurchasesService, PurchaseOperationsRepository, PurchaseWorkflow, PurchaseLedger, NumberReleaseService, PurchaseReconciler],
  exports: [PurchasesService, PurchaseReconciler, NumberReleaseService],
})
export class PurchasesModule {}
