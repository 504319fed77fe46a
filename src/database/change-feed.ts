import { Global, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource, EntitySubscriberInterface } from 'typeorm';
import type { AfterQueryEvent } from 'typeorm/subscriber/event/QueryEvent';
import type { TransactionCommitEvent } from 'typeorm/subscriber/event/TransactionCommitEvent';
import type { QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';

/** The channel the triggers of migration 1763900200000 notify on. */
export const CHANGE_CHANNEL = 'lookup_changes';

/**
 * What changed. `reset` means "anything may have changed": the feed was (re)connected, or this
 * instance wrote to a watched table and does not know which rows.
 */
export type ChangeEvent =
  | { t: 'number'; p: string[]; v: string[] }
  | { t: 'directory' }
  | { t: 'api_key'; id: string }
  | { t: 'reset'; scope: 'all' | 'lookup' | 'api_keys' };

export type ChangeListener = (event: ChangeEvent) => void;

// Tables whose rows feed cached answers; a local write to one of them flushes at once.
const LOOKUP_WRITE = /^\s*(?:insert\s+into|update|delete\s+from|truncate)\s+(?:table\s+)?(?:"?public"?\.)?"?(purchased_phone_numbers|property_managers|realtors)"?(?:[\s(;,]|$)/i;
// A data-modifying CTE may write anywhere in the statement.
const LOOKUP_WRITE_IN_CTE = /^\s*with\b[\s\S]*\b(?:insert\s+into|update|delete\s+from)\s+(?:"?public"?\.)?"?(?:purchased_phone_numbers|property_managers|realtors)\b/i;
// Only a change to what a key may do matters; `last_used_at` bookkeeping does not.
const API_KEY_WRITE = /^\s*(?:update\s+"?api_keys"?\s+set\s+(?!"?last_used_at"?\s*=\s*\$\d+\s+where)|delete\s+from\s+"?api_keys"?|truncate\s+(?:table\s+)?"?api_keys"?)/i;

/** Which cached data a statement may change: `lookup`, `api_keys`, or nothing (reads, other tables). */
export function writeScopeOf(query: string): 'lookup' | 'api_keys' | undefined {
  if (LOOKUP_WRITE.test(query) || LOOKUP_WRITE_IN_CTE.test(query)) return 'lookup';
  if (API_KEY_WRITE.test(query)) return 'api_keys';
  return undefined;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * Tells in-process caches when what they hold may be stale. Two sources:
 *
 * 1. A dedicated `pg` connection LISTENing on `lookup_changes`: triggers announce every committed
 *    change, made by any instance, module or raw SQL. Delivery is asynchronous (sub-millisecond on
 *    one host, bounded by the 1 s target across instances).
 * 2. This instance's own writes, seen synchronously: a TypeORM subscriber watches every statement.
 *    A write to a watched table flushes at once and again when its transaction commits (a lookup
 *    that ran between the write and the commit read the old, then still-true, row and may have
 *    cached it). So by the time the request that changed something has answered, this instance's
 *    caches have been flushed: the next lookup here can never see the old owner, whatever the
 *    NOTIFY timing.
 *
 * While the LISTEN connection is down `live` is false: caches must not serve or store (they would
 * miss invalidations); they are flushed on the loss and again when it is back.
 */
@Injectable()
export class ChangeFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeFeed.name);
  private readonly listeners = new Set<ChangeListener>();
  private client?: Client;
  private connected = false;
  private closing = false;
  private backoffMs = MIN_BACKOFF_MS;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly dirtyTransactions = new WeakMap<QueryRunner, Set<'lookup' | 'api_keys'>>();

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** True while invalidations are being received: only then may a cache serve what it holds. */
  get live(): boolean {
    return this.connected;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async onModuleInit(): Promise<void> {
    this.dataSource.subscribers.push(this.localWriteSubscriber());
    // The first connection is awaited so a freshly started instance caches from its first request;
    // if it fails the app still starts (uncached) and keeps trying.
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  /** Drops the LISTEN connection as a network failure would (used by tests of the recovery). */
  simulateConnectionLoss(): void {
    this.client?.emit('error', new Error('simulated connection loss'));
  }

  private async connect(): Promise<void> {
    if (this.closing) return;
    const url = this.config.database.url;
    if (!url) return;
    const client = new Client({ connectionString: url, application_name: 'phone-number-service:change-feed', keepAlive: true });
    this.client = client;
    let failed = false;
    const onLost = (error?: Error) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      const wasConnected = this.connected;
      this.connected = false;
      this.emit({ t: 'reset', scope: 'all' });
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.closing) return;
      if (wasConnected) this.logger.warn(`change feed lost (${error?.message ?? 'connection ended'}); caches off until it is back`);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || !message.payload) return;
      try {
        this.emit(JSON.parse(message.payload) as ChangeEvent);
      } catch {
        this.emit({ t: 'reset', scope: 'all' });
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      if (failed || this.closing) return;
      // Anything may have changed while nobody listened.
      this.emit({ t: 'reset', scope: 'all' });
      this.connected = true;
      this.backoffMs = MIN_BACKOFF_MS;
      this.logger.log('change feed listening');
    } catch (error) {
      onLost(error as Error);
    }
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private emit(event: ChangeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error }, 'change listener failed');
      }
    }
  }

  private localWriteSubscriber(): EntitySubscriberInterface {
    const onWrite = (event: AfterQueryEvent<unknown>) => {
      const scope = writeScopeOf(event.query);
      if (!scope) return;
      this.emit({ t: 'reset', scope });
      const runner = event.queryRunner;
      if (runner?.isTransactionActive) {
        const dirty = this.dirtyTransactions.get(runner) ?? new Set();
        dirty.add(scope);
        this.dirtyTransactions.set(runner, dirty);
      }
    };
    const onCommit = (event: TransactionCommitEvent) => {
      const dirty = this.dirtyTransactions.get(event.queryRunner);
      if (!dirty) return;
      // A released savepoint is not the commit: the outer transaction may still be open.
      if (!event.queryRunner.isTransactionActive) this.dirtyTransactions.delete(event.queryRunner);
      for (const scope of dirty) this.emit({ t: 'reset', scope });
    };
    return {
      afterQuery: onWrite,
      afterTransactionCommit: onCommit,
      afterTransactionRollback: (event) => {
        if (!event.queryRunner.isTransactionActive) this.dirtyTransactions.delete(event.queryRunner);
      },
    };
  }
}

/** One feed per process, for every module that caches. */
@Global()
@Module({ providers: [ChangeFeed], exports: [ChangeFeed] })
export class ChangeFeedModule {}
