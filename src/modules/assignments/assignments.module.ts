import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DirectoryModule } from '../directory/directory.module';
import { PurchasedPhoneNumberEntity } from '../purchased-numbers/entities/purchased-phone-number.entity';
import { AssignmentsController, MyNumberController } from './assignments.controller';
import { AssignmentsService } from './assignments.service';
import { NumberAssignmentHistoryEntity } from './entities/number-assignment-history.entity';

@Module({
  imports: [TypeOrmModule.forFeature([PurchasedPhoneNumberEntity, NumberAssignmentHistoryEntity]), DirectoryModule],
  controllers: [AssignmentsController, MyNumberController],
  providers: [AssignmentsService],
  exports: [AssignmentsService],
})
export class AssignmentsModule {}
