import { BeforeApplicationShutdown, Controller, Get, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { ServiceUnavailableError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { ChangeFeed } from '../../database/change-feed';
import { Readiness } from './readiness';

type CheckStatus = { status: 'up' | 'down'; [detail: string]: unknown };

/**
 * A failed check as 503 problem JSON naming each check's state, never the error behind it (it may
 * name hosts or SQL). `dependency_unavailable` for /health and /health/ready alike.
 */
function unavailable(checks: Record<string, CheckStatus>): ServiceUnavailableError {
  const down = Object.entries(checks).filter(([, check]) => check.status === 'down').map(([name]) => name);
  return new ServiceUnavailableError('dependency_unavailable', `Not available: ${down.join(', ')}.`, { checks });
}

const sanitized = (result: HealthCheckResult['details']): Record<string, CheckStatus> =>
  Object.fromEntries(
    Object.entries(result).map(([name, { status, message: _message, ...rest }]) => [name, { ...rest, status: status === 'up' ? 'up' : 'down' }]),
  );
import { InventoryMonitor } from '../inventory/inventory-monitor';

@ApiTags('operations')
@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  private migrated = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly readiness: Readiness,
    private readonly inventory: InventoryMonitor,
    @Optional() private readonly changes?: ChangeFeed,
  ) {}

  /** Closing (also without a signal, e.g. in tests): not ready any more. */
  beforeApplicationShutdown(): void {
    this.readiness.accepting = false;
  }

  /**
   * Is the database reachable, and does telephony run `live` or in `sandbox`. 503 when down.
   * `inventory_drift` carries the last scheduled inventory check (findings per kind); drift never
   * makes the service unhealthy.
   */
  @Get()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiProblemResponses(503)
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 2000 }),
        () => this.indicators.check('telephony').up({ mode: this.config.telephony.mode }),
        () => {
          const state = this.inventory.state();
          return this.indicators.check('inventory_drift').up({ checked_at: state.checkedAt?.toISOString() ?? null, counts: state.counts, last_error: state.lastError });
        },
      ]);
    } catch (error) {
      const details = (error as { getResponse?: () => HealthCheckResult }).getResponse?.()?.details;
      throw unavailable(details ? sanitized(details) : { database: { status: 'down' } });
    }
  }

  /** Liveness: the process answers. Touches nothing else, so a database outage never restarts it. */
  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers, every migration has run, the change feed is listening (so
   * the lookup cache is live) and the instance is not shutting down. 503 otherwise.
   */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiProblemResponses(503)
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['status', 'checks'],
      properties: {
        status: { type: 'string', enum: ['ok'] },
        checks: {
          type: 'object',
          additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up', 'down'] } } },
        },
      },
    },
  })
  async ready(): Promise<{ status: 'ok'; checks: Record<string, CheckStatus> }> {
    const checks: Record<string, CheckStatus> = {
      database: { status: 'down' },
      migrations: { status: 'down' },
      change_feed: { status: this.changes && !this.changes.live ? 'down' : 'up' },
      accepting: { status: this.readiness.accepting ? 'up' : 'down' },
    };
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), 2000);
      checks.database.status = 'up';
      // Migrations never un-run: once seen complete, no need to ask again.
      if (!this.migrated) this.migrated = !(await withTimeout(this.dataSource.showMigrations(), 2000));
      checks.migrations.status = this.migrated ? 'up' : 'down';
    } catch {
      // reported as down
    }
    if (Object.values(checks).some((check) => check.status === 'down')) throw unavailable(checks);
    return { status: 'ok', checks };
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
