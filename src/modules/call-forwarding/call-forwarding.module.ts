import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CallForwardingEventEntity } from './entities/call-forwarding-event.entity';
import { CallForwardingStateEntity } from './entities/call-forwarding-state.entity';
import { NumbersModule } from '../numbers/numbers.module';
import { ProvidersModule } from '../providers/providers.module';
import { AdminCallForwardingController, CallForwardingController } from './call-forwarding.controller';
import { CallForwardingRepository } from './call-forwarding.repository';
import { CallForwardingService } from './call-forwarding.service';

/** PMs and realtors forwarding their mobile line to their assigned number (ORIGIN.md). */
@Module({
  imports: [TypeOrmModule.forFeature([CallForwardingStateEntity, CallForwardingEventEntity]), NumbersModule, ProvidersModule],
  controllers: [CallForwardingController, AdminCallForwardingController],
  providers: [CallForwardingRepository, CallForwardingService],
})
export class CallForwardingModule {}
