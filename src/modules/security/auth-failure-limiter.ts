import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { ProblemDetails } from '../../common/errors/problem-details';
import type { ProblemObserver } from '../../common/errors/problem-observer';
import { clientIpOf } from '../../common/http/request-context';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../../config/app-config';
import { RedisConnection } from './redis-connection';

// An IPv6 client usually holds a whole /64: counting per address would let it rotate freely.
const keyOf = (ip: string) => normalizeIp(ip, 64);

interface Window {
  failures: number;
  resetAt: number;
}

/** Where instances tell each other that an address reached the limit (after REDIS_KEY_PREFIX). */
export const AUTH_BLOCK_CHANNEL = 'auth-failures:blocked';
// Counts one address's failures in the fleet-wide window: INCR, and start the window on the first.
const COUNT_SCRIPT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { n, redis.call('PTTL', KEYS[1]) }`;

/**
 * Counts refused credentials (401s, never 5xx: a failing dependency says nothing about the
 * credential) per client IP. Once an address reaches `RATE_LIMIT_AUTH_FAILURES` in a window,
 * every request from it but the health checks is answered 429 until the window ends: guessing
 * keys or tokens gets slow.
 *
 * The check runs on every request, so it only ever reads this instance's memory (bounded, so a
 * spray of addresses cannot grow it). With `REDIS_URL` the failures are also counted in Redis for
 * the whole fleet; the instance that sees the count reach the limit publishes the block and every
 * instance holds it locally until the window ends. Without Redis, or while it is unreachable,
 * each instance counts on its own.
 */
@Injectable()
export class AuthFailureLimiter implements ProblemObserver, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuthFailureLimiter.name);
  private readonly windows = new LRUCache<string, Window>({ max: 50_000 });
  private readonly limit: number;
  private readonly windowMs: number;
  private subscriber?: Redis;
  private channel = AUTH_BLOCK_CHANNEL;

  constructor(
    config: AppConfig,
    @Optional() private readonly redis?: RedisConnection,
  ) {
    this.limit = config.rateLimits.authFailures;
    this.windowMs = config.rateLimits.windowSeconds * 1000;
  }

  async onModuleInit(): Promise<void> {
    const client = this.redis?.client;
    if (!client || this.limit === 0) return;
    this.channel = `${this.redis!.prefix}${AUTH_BLOCK_CHANNEL}`;
    // A subscribed connection can do nothing else: a second one, resubscribed on every reconnect.
    this.subscriber = client.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
    this.subscriber.on('error', () => undefined); // the main connection reports outages
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const { key, ttlMs } = JSON.parse(message) as { key: string; ttlMs: number };
        this.block(key, Date.now() + Math.min(Math.max(ttlMs, 0), this.windowMs));
      } catch {
        // not ours
      }
    });
    void this.subscriber.subscribe(this.channel).catch((error: unknown) => this.redis?.degraded(error));
  }

  async onApplicationShutdown(): Promise<void> {
    // Not quit(): with Redis away it would wait in the offline queue for ever.
    this.subscriber?.disconnect();
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
    if (this.redis?.available) void this.countShared(key);
  }

  private async countShared(key: string): Promise<void> {
    const client = this.redis!.client!;
    try {
      const [count, ttlMs] = (await client.eval(COUNT_SCRIPT, 1, `auth-failures:${key}`, this.windowMs)) as [number, number];
      // Exactly one instance sees the count reach the limit, and tells the others.
      if (count === this.limit) await client.publish(this.channel, JSON.stringify({ key, ttlMs }));
    } catch (error) {
      this.redis!.degraded(error);
    }
  }

  private block(key: string, resetAt: number): void {
    const window = this.windows.get(key);
    if (window && window.resetAt > Date.now()) {
      window.failures = Math.max(window.failures, this.limit);
      window.resetAt = Math.max(window.resetAt, resetAt);
    } else {
      this.windows.set(key, { failures: this.limit, resetAt });
    }
    this.logger.debug?.(`address group ${key} blocked fleet-wide after ${this.limit} refused credentials`);
  }
}
