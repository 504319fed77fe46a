import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { InventoryModule } from '../inventory/inventory.module';
import { HealthController } from './health.controller';
import { ReadinessModule } from './readiness';

/** `GET /health` (database and telephony), `/health/live` and `/health/ready`. Never rate limited. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ReadinessModule, InventoryModule],
  controllers: [HealthController],
})
export class HealthModule {}
