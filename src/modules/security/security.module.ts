import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { RateLimitGuard, throttlers } from './rate-limit.guard';

/** Rate limits (a global guard) and the auth-failure limiter the error filter feeds. */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      // Headers are ours: a 429 carries one plain `Retry-After` (see the problem filter).
      useFactory: (config: AppConfig) => ({ throttlers: throttlers(config), setHeaders: false }),
    }),
  ],
  providers: [AuthFailureLimiter, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [AuthFailureLimiter],
})
export class SecurityModule {}
