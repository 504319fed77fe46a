import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { NumbersModule } from '../numbers/numbers.module';
import { AdminPurchasedNumbersController } from './admin-purchased-numbers.controller';
import { PurchasedNumbersController } from './purchased-numbers.controller';
import { NumberListPages } from './number-list-pages';
import { PurchasedNumbersService } from './purchased-numbers.service';

@Module({
  imports: [NumbersModule, DirectoryModule],
  controllers: [AdminPurchasedNumbersController, PurchasedNumbersController],
  providers: [PurchasedNumbersService, NumberListPages],
})
export class PurchasedNumbersModule {}
