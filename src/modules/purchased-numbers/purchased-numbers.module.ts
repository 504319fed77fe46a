import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { NumbersModule } from '../numbers/numbers.module';
import { AdminPurchasedNumbersController } from './admin-purchased-numbers.controller';
import { PurchasedNumbersController } from './purchased-numbers.controller';
import { PurchasedNumbersService } from './purchased-numbers.service';

@Module({
  imports: [NumbersModule, DirectoryModule],
  controllers: [AdminPurchasedNumbersController, PurchasedNumbersController],
  providers: [PurchasedNumbersService],
})
export class PurchasedNumbersModule {}
