import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../../config/app-config';

/**
 * Writing an audit row for every 429 would turn a flood into database writes: the limit would
 * protect nothing. The first rate-limit refusal per client (IPv6 by /64) and route in a window is
 * recorded; the rest of that window is not.
 */
@Injectable()
export class RefusalAuditSampler {
  private readonly recorded: LRUCache<string, true>;

  constructor(config: AppConfig) {
    this.recorded = new LRUCache({ max: 50_000, ttl: config.rateLimits.windowSeconds * 1000 });
  }

  shouldRecordRateLimited(ip: string, route: string): boolean {
    const key = `${normalizeIp(ip, 64)} ${route}`;
    if (this.recorded.has(key)) return false;
    this.recorded.set(key, true);
    return true;
  }
}
