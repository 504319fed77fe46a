import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { FailOpenThrottlerStorage } from './fail-open-throttler-storage';
import { RedisConnection, RedisConnectionModule } from './redis-connection';
import { RateLimitGuard, throttlers } from './rate-limit.guard';

/**
 * Rate limits (a global guard) and the auth-failure limiter the error filter feeds; shared by the
 * fleet through Redis when `REDIS_URL` is set.
 */
@Global()
@Module({
  imports: [
    RedisConnectionModule,
    ThrottlerModule.forRootAsync({
      imports: [RedisConnectionModule],
      inject: [AppConfig, RedisConnection],
      // Headers are ours: a 429 carries one plain `Retry-After` (see the problem filter).
      // Counted on Redis for the whole fleet when REDIS_URL is set, else per instance.
      useFactory: (config: AppConfig, redis: RedisConnection) => ({
        throttlers: throttlers(config),
        setHeaders: false,
        storage: new FailOpenThrottlerStorage(redis),
      }),
    }),
  ],
  providers: [AuthFailureLimiter, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [AuthFailureLimiter],
})
export class SecurityModule {}
