import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { AppConfig } from '../../config/app-config';
import { InventoryMonitor } from '../inventory/inventory-monitor';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly config: AppConfig,
    private readonly inventory: InventoryMonitor,
  ) {}

  /**
   * Is the database reachable, and does telephony run `live` or in `sandbox`. 503 when down.
   * `inventory_drift` carries the last scheduled inventory check (findings per kind); drift never
   * makes the service unhealthy.
   */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.indicators.check('telephony').up({ mode: this.config.telephony.mode }),
      () => {
        const state = this.inventory.state();
        return this.indicators.check('inventory_drift').up({
          checked_at: state.checkedAt?.toISOString() ?? null,
          counts: state.counts,
          last_error: state.lastError,
        });
      },
    ]);
  }
}
