import { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { RedisConnection } from './redis-connection';

/**
 * @nestjs/throttler's counters: on Redis when `REDIS_URL` is set (one count for the whole fleet,
 * @nest-lab/throttler-storage-redis's atomic script), in this instance's memory otherwise. When
 * Redis does not answer, the request is counted in memory instead of failing: limits then hold per
 * instance until Redis is back (fail open, with one warning per outage).
 */
export class FailOpenThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly local = new ThrottlerStorageService();
  private readonly shared?: ThrottlerStorageRedisService;

  constructor(private readonly redis: RedisConnection) {
    if (redis.client) this.shared = new ThrottlerStorageRedisService(redis.client);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (this.shared && this.redis.available) {
      try {
        return await this.shared.increment(`throttle:${key}`, ttl, limit, blockDuration, throttlerName);
      } catch (error) {
        this.redis.degraded(error);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
