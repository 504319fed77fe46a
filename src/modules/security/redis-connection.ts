import { Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';

/**
 * The optional Redis behind fleet-wide rate limits (`REDIS_URL`). Redis is never allowed to fail
 * a request: commands are not queued while it is away (`enableOfflineQueue: false`) and time out
 * after 250 ms, and whoever uses it falls back to counting on this instance, with one warning per
 * outage (and one line when it is back), not one per request.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly client?: Redis;
  /** Prefix of every key (applied by the client) and channel (applied by whoever names one). */
  readonly prefix: string;
  private degradedSince?: number;

  constructor(config: AppConfig) {
    this.prefix = config.redisKeyPrefix;
    if (!config.redisUrl) return;
    this.client = new Redis(config.redisUrl, {
      connectionName: 'phone-number-service',
      keyPrefix: config.redisKeyPrefix,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 250,
      connectTimeout: 2_000,
      // Keep trying, at most every 2 s.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.client.on('error', (error: Error) => this.degraded(error));
    this.client.on('ready', () => {
      if (this.degradedSince !== undefined) {
        this.logger.log(`Redis is back after ${Math.round((Date.now() - this.degradedSince) / 1000)} s; rate limits are shared again`);
      }
      this.degradedSince = undefined;
    });
  }

  /** True while commands can be sent; false without REDIS_URL or while Redis is unreachable. */
  get available(): boolean {
    return this.client?.status === 'ready';
  }

  /** Records that Redis failed: one warning per outage. */
  degraded(error: unknown): void {
    if (this.degradedSince !== undefined) return;
    this.degradedSince = Date.now();
    this.logger.warn(
      `Redis unreachable (${error instanceof Error ? error.message : String(error)}); rate limits are counted per instance until it is back`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    this.client.removeAllListeners('error');
    this.client.on('error', () => undefined);
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }
}

/** One Redis connection per process, for whatever is shared across the fleet. */
@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisConnectionModule {}
