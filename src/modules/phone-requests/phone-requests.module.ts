import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminPhoneRequestsController } from './admin-phone-requests.controller';
import { PhoneNumberRequestEntity } from './entities/phone-number-request.entity';
import { PhoneRequestsController } from './phone-requests.controller';
import { PhoneRequestsService } from './phone-requests.service';

@Module({
  imports: [TypeOrmModule.forFeature([PhoneNumberRequestEntity])],
  controllers: [PhoneRequestsController, AdminPhoneRequestsController],
  providers: [PhoneRequestsService],
  exports: [PhoneRequestsService],
})
export class PhoneRequestsModule {}
