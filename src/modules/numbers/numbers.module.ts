import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DirectoryModule } from '../directory/directory.module';
import { PhoneRequestsModule } from '../phone-requests/phone-requests.module';
import { NumberAssignmentHistoryEntity } from './entities/number-assignment-history.entity';
import { PurchasedPhoneNumberEntity } from './entities/purchased-phone-number.entity';
import { NumbersRepository } from './numbers.repository';
import { NumbersService } from './numbers.service';

/** The owner of every purchased number's state and assignment history (no HTTP of its own). */
@Module({
  imports: [TypeOrmModule.forFeature([PurchasedPhoneNumberEntity, NumberAssignmentHistoryEntity]), DirectoryModule, PhoneRequestsModule],
  providers: [NumbersRepository, NumbersService],
  exports: [NumbersService],
})
export class NumbersModule {}
