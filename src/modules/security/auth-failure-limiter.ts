import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { ProblemDetails } from '../../common/errors/problem-details';
import type { ProblemObserver } from '../../common/errors/problem-observer';
import { clientIpOf } from '../../common/http/request-context';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../../config/app-config';

// An IPv6 client usually holds a whole /64: counting per address would let it rotate freely.
const keyOf = (ip: string) => normalizeIp(ip, 64);

interface Window {
  failures: number;
  resetAt: number;
}

/**
 * Counts refused credentials (401s) per client IP. Once an address reaches
 * `RATE_LIMIT_AUTH_FAILURES` in a window, every request from it is answered 429 until the window
 * ends: guessing keys or tokens gets slow. Kept in memory per instance; the cache is bounded so a
 * spray of addresses cannot grow it without limit.
 */
@Injectable()
export class AuthFailureLimiter implements ProblemObserver {
  private readonly windows = new LRUCache<string, Window>({ max: 50_000 });
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(config: AppConfig) {
    this.limit = config.rateLimits.authFailures;
    this.windowMs = config.rateLimits.windowSeconds * 1000;
  }

  /** Seconds until the address may try again, or 0 when it is not blocked. */
  retryAfter(ip: string, now = Date.now()): number {
    if (this.limit === 0) return 0;
    const window = this.windows.get(keyOf(ip));
    if (!window || window.resetAt <= now || window.failures < this.limit) return 0;
    return Math.max(1, Math.ceil((window.resetAt - now) / 1000));
  }

  /** Every refused credential counts against its address. */
  observe(request: FastifyRequest, body: ProblemDetails): void {
    if (body.status === 401) this.recordFailure(clientIpOf(request));
  }

  recordFailure(ip: string, now = Date.now()): void {
    if (this.limit === 0) return;
    const key = keyOf(ip);
    const window = this.windows.get(key);
    if (!window || window.resetAt <= now) this.windows.set(key, { failures: 1, resetAt: now + this.windowMs });
    else window.failures += 1;
  }
}
