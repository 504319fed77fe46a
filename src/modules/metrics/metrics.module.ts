import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** `GET /metrics` for Prometheus; `METRICS_ENABLED=false` leaves the route and the collection out. */
@Module({})
export class MetricsModule {
  static forRoot(enabled: boolean): DynamicModule {
    if (!enabled) return { module: MetricsModule };
    return {
      module: MetricsModule,
      imports: [AuthModule],
      controllers: [MetricsController],
      providers: [MetricsService],
      exports: [MetricsService],
    };
  }
}
