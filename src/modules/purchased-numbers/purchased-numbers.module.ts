import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssignmentsModule } from '../assignments/assignments.module';
import { DirectoryModule } from '../directory/directory.module';
import { PhoneRequestsModule } from '../phone-requests/phone-requests.module';
import { AdminPurchasedNumbersController } from './admin-purchased-numbers.controller';
import { PurchasedPhoneNumberEntity } from './entities/purchased-phone-number.entity';
import { PurchasedNumbersController } from './purchased-numbers.controller';
import { PurchasedNumbersService } from './purchased-numbers.service';

@Module({
  imports: [TypeOrmModule.forFeature([PurchasedPhoneNumberEntity]), DirectoryModule, PhoneRequestsModule, AssignmentsModule],
  controllers: [AdminPurchasedNumbersController, PurchasedNumbersController],
  providers: [PurchasedNumbersService],
  exports: [PurchasedNumbersService],
})
export class PurchasedNumbersModule {}
