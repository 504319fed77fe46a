import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { PurchasesService } from './purchases.service';

/**
 * At start-up and then periodically, finishes or undoes every purchase left unfinished by a
 * crash, a timeout or a provider outage. Safe with many instances: each operation is worked on
 * under its advisory lock, so exactly one instance (or the original request) owns it.
 */
@Injectable()
export class PurchaseReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PurchaseReconciler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly purchases: PurchasesService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: start-up does not wait on providers.
    void this.runOnce();
    const every = this.config.telephony.reconcileIntervalMs;
    if (every > 0) {
      this.timer = setInterval(() => void this.runOnce(), every);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass over the stale operations; overlapping passes are skipped. */
  runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    let ids: string[];
    try {
      ids = await this.purchases.findStale();
    } catch (error) {
      if (!this.stopped) this.logger.warn({ msg: `reconciler could not list purchases: ${(error as Error).message}` });
      return;
    }
    for (const id of ids) {
      if (this.stopped) return;
      try {
        await this.purchases.resume(id);
      } catch (error) {
        // Never throws: the operation stays unfinished, visible to admins, and is tried again.
        this.logger.error({ operation_id: id, msg: `reconciler could not advance purchase: ${(error as Error).message}` });
      }
    }
  }
}
