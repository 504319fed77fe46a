import { Module } from '@nestjs/common';
import { NumbersModule } from '../numbers/numbers.module';
import { PhoneRequestsModule } from '../phone-requests/phone-requests.module';
import { PurchasesModule } from '../purchases/purchases.module';
import { AdminPropertyManagerController, RealtorRemovalController } from './people.controller';
import { PeopleService } from './people.service';

/** People leaving: realtors removed, PMs offboarded, and the admin's view of one PM. */
@Module({
  imports: [NumbersModule, PhoneRequestsModule, PurchasesModule],
  controllers: [AdminPropertyManagerController, RealtorRemovalController],
  providers: [PeopleService],
})
export class PeopleModule {}
