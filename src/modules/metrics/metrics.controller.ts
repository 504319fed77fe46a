import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/authenticated.decorator';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Controller('metrics')
@Authenticated('metrics', 'admin')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus metrics of this instance (text exposition format). Needs a `metrics`- or `admin`-scoped key. */
  @Get()
  @ApiOperation({ summary: 'Prometheus metrics of this instance' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
