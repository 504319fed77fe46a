import { Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ChangeFeed } from '../../database/change-feed';
import { OwnerLookupService } from '../chatbot/owner-lookup.service';
import { DRIFT_KINDS } from '../inventory/drift';
import { InventoryMonitor } from '../inventory/inventory-monitor';
import { RedisConnection } from '../security/redis-connection';
import { HttpRequestMetrics } from './http-request-metrics';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The Prometheus metrics of one instance, in a registry of its own (several apps in one process,
 * as in the tests, do not collide). HTTP metrics are recorded by a Fastify `onResponse` hook keyed
 * by route template into plain per-series sums (`HttpRequestMetrics`), so the hot routes pay a map
 * lookup and a few additions. Everything else is read when scraped.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly http = new HttpRequestMetrics();

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly changes?: ChangeFeed,
    @Optional() private readonly redis?: RedisConnection,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.http.registerWith(this.registry);
    this.lookupMetrics(registers);
    new Gauge({
      name: 'change_feed_live',
      help: '1 while the LISTEN connection that keeps caches fresh is up (caches serve only then), else 0.',
      registers,
      collect: function () {
        this.set(changes?.live ? 1 : 0);
      },
    });
    const pool = () => (dataSource.driver as unknown as { master?: PgPool }).master;
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections of this instance: in use, idle, and requests waiting for one.',
      labelNames: ['state'],
      registers,
      collect: function () {
        const p = pool();
        if (!p) return;
        this.set({ state: 'in_use' }, p.totalCount - p.idleCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      },
    });
    new Gauge({
      name: 'db_pool_max',
      help: 'Configured size of the database pool (DATABASE_POOL_SIZE).',
      registers,
      collect: function () {
        this.set(config.database.poolSize);
      },
    });
    new Gauge({
      name: 'rate_limit_shared',
      help: '1 while rate limits are counted in Redis for the whole fleet, 0 when per instance (no REDIS_URL, or Redis unreachable).',
      registers,
      collect: function () {
        this.set(redis?.available ? 1 : 0);
      },
    });
    this.purchaseMetrics(registers);
    this.inventoryMetrics(registers);
  }

  /** Counts every response by route template (`/admin/purchased-numbers/:id`, not the path). */
  installHttpHook(fastify: FastifyInstance): void {
    const http = this.http;
    fastify.addHook('onResponse', (request, reply, done) => {
      http.record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  /** Counts a response answered without Fastify's hooks (the chatbot's cached lookups), as the hook above would. */
  recordResponse(method: string, route: string, statusCode: number, seconds: number): void {
    this.http.record(method, route, statusCode, seconds);
  }

  async scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private lookupMetrics(registers: Registry[]): void {
    const lookups = () => {
      try {
        return this.moduleRef.get(OwnerLookupService, { strict: false }).stats;
      } catch {
        return undefined;
      }
    };
    // The service counts; these counters follow its totals at each scrape.
    const follow = (name: string, help: string, read: (stats: { hits: number; misses: number }) => number) => {
      let seen = 0;
      new Counter({
        name,
        help,
        registers,
        collect: function () {
          const stats = lookups();
          if (!stats) return;
          const total = read(stats);
          if (total > seen) this.inc(total - seen);
          seen = total;
        },
      });
    };
    follow('chatbot_lookup_cache_hits_total', 'Owner lookups answered from the in-process cache.', (s) => s.hits);
    follow('chatbot_lookup_cache_misses_total', 'Owner lookups that went to the database.', (s) => s.misses);
  }

  /** The scheduled inventory check's last findings per kind (what `/health` shows), read at scrape time. */
  private inventoryMetrics(registers: Registry[]): void {
    const state = () => {
      try {
        return this.moduleRef.get(InventoryMonitor, { strict: false }).state();
      } catch {
        return undefined;
      }
    };
    new Gauge({
      name: 'inventory_drift_findings',
      help: 'Drift between our numbers and Twilio/VAPI found by the last scheduled inventory check, by kind (absent before the first check).',
      labelNames: ['kind'],
      registers,
      collect: function () {
        const counts = state()?.counts;
        if (!counts) return;
        for (const kind of DRIFT_KINDS) this.set({ kind }, counts[kind] ?? 0);
      },
    });
    new Gauge({
      name: 'inventory_check_failing',
      help: '1 when the last scheduled inventory check failed (a provider unreachable), else 0.',
      registers,
      collect: function () {
        this.set(state()?.lastError ? 1 : 0);
      },
    });
  }

  /** Purchase operations by state and the reconciler's backlog: one small query per scrape. */
  private purchaseMetrics(registers: Registry[]): void {
    const settleMs = this.config.telephony.purchaseSettleMs;
    const dataSource = this.dataSource;
    let pending: Promise<{ states: Map<string, number>; backlog: number; attention: number } | undefined> | undefined;
    // Both gauges collect at the same scrape: one query serves them.
    const read = () =>
      (pending ??= dataSource
        .query(
          `SELECT state, count(*)::int AS n,
                  count(*) FILTER (WHERE state NOT IN ('succeeded', 'failed')
                                     AND updated_at < now() - make_interval(secs => $1::double precision / 1000))::int AS backlog,
                  count(*) FILTER (WHERE state NOT IN ('succeeded', 'failed') AND attempts >= 3)::int AS attention
           FROM purchase_operations GROUP BY state`,
          [settleMs],
        )
        .then((rows: Array<{ state: string; n: number; backlog: number; attention: number }>) => ({
          states: new Map(rows.map((r) => [r.state, r.n])),
          backlog: rows.reduce((sum, r) => sum + r.backlog, 0),
          attention: rows.reduce((sum, r) => sum + r.attention, 0),
        }))
        // The database being down must not break the scrape: these gauges keep their last value.
        .catch(() => undefined)
        .finally(() => setImmediate(() => (pending = undefined))));
    const STATES = ['started', 'buying', 'registering', 'recording', 'releasing', 'succeeded', 'failed'];
    new Gauge({
      name: 'purchase_operations',
      help: 'Automated purchases by state (outcome: succeeded or failed; the rest are in progress).',
      labelNames: ['state'],
      registers,
      collect: async function () {
        const result = await read();
        if (!result) return;
        for (const state of STATES) this.set({ state }, result.states.get(state) ?? 0);
      },
    });
    new Gauge({
      name: 'purchase_reconciler_backlog',
      help: 'Unfinished purchases untouched for the settle time: what the reconciler has to finish or undo.',
      registers,
      collect: async function () {
        const result = await read();
        if (result) this.set(result.backlog);
      },
    });
    new Gauge({
      name: 'purchase_operations_needing_attention',
      help: 'Unfinished purchases the reconciler tried 3 times or more (listed by GET /admin/purchase-operations?needs_attention=true).',
      registers,
      collect: async function () {
        const result = await read();
        if (result) this.set(result.attention);
      },
    });
  }
}
