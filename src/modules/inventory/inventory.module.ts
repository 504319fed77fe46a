import { Module } from '@nestjs/common';
import { NumbersModule } from '../numbers/numbers.module';
import { ProvidersModule } from '../providers/providers.module';
import { PurchasesModule } from '../purchases/purchases.module';
import { InventoryMonitor } from './inventory-monitor';
import { InventoryController } from './inventory.controller';
import { InventoryService } from './inventory.service';

/** The inventory truth: drift between our numbers, Twilio and VAPI, and its repairs. */
@Module({
  imports: [ProvidersModule, NumbersModule, PurchasesModule],
  controllers: [InventoryController],
  providers: [InventoryService, InventoryMonitor],
  exports: [InventoryMonitor],
})
export class InventoryModule {}
