import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';

/** The channel the triggers of migration 1763900200000 notify on. */
export const CHANGE_CHANNEL = 'lookup_changes';

/** What changed. `reset` means "anything may have changed": the feed was lost or (re)connected. */
export type ChangeEvent =
  | { t: 'number'; p: string[]; v: string[] }
  | { t: 'directory' }
  | { t: 'api_key'; id: string }
  | { t: 'reset' };

export type ChangeListener = (event: ChangeEvent) => void;

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * Tells in-process caches when what they hold may be stale. Two sources:
 *
 * 1. A dedicated `pg` connection LISTENing on `lookup_changes`: triggers announce every committed
 *    change, made by any instance, module or raw SQL. Delivery is asynchronous (sub-millisecond on
 *    one host, bounded by the 1 s target across instances).
 * 2. This instance's own domain events (`DomainEvents`), delivered synchronously when the
 *    transaction that caused them commits: by the time the request that changed something has
 *    answered, this instance's caches know, whatever the NOTIFY timing.
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

  constructor(private readonly config: AppConfig) {}

  /** True while invalidations are being received: only then may a cache serve what it holds. */
  get live(): boolean {
    return this.connected;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hands a change to every listener now (used by `DomainEvents` after a commit). */
  deliver(event: ChangeEvent): void {
    this.emit(event);
  }

  async onModuleInit(): Promise<void> {
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
      this.emit({ t: 'reset' });
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
        this.emit({ t: 'reset' });
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      if (failed || this.closing) return;
      // Anything may have changed while nobody listened.
      this.emit({ t: 'reset' });
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
}
