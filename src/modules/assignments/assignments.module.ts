import { Module } from '@nestjs/common';
import { NumbersModule } from '../numbers/numbers.module';
import { AssignmentsController, MyNumberController } from './assignments.controller';
import { AssignmentsService } from './assignments.service';

@Module({
  imports: [NumbersModule],
  controllers: [AssignmentsController, MyNumberController],
  providers: [AssignmentsService],
})
export class AssignmentsModule {}
