import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import type { DriftKind } from './drift';
import { InventoryService } from './inventory.service';

export interface InventoryCheckState {
  /** When the last check finished; null before the first. */
  checkedAt: Date | null;
  /** Findings per kind of the last successful check; null before the first. */
  counts: Record<DriftKind, number> | null;
  /** Why the last check failed, or null. */
  lastError: string | null;
}

/**
 * Runs the drift report every `INVENTORY_CHECK_INTERVAL_MS` (0: never), logs a warning per
 * finding and keeps the counts per kind for `/health` (and any metrics exporter: `state()`).
 */
@Injectable()
export class InventoryMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('InventoryCheck');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private current: InventoryCheckState = { checkedAt: null, counts: null, lastError: null };

  constructor(
    private readonly inventory: InventoryService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.telephony.inventoryCheckIntervalMs;
    if (every > 0) {
      this.timer = setInterval(() => void this.runOnce(), every);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** The last check's outcome. */
  state(): InventoryCheckState {
    return { ...this.current, counts: this.current.counts ? { ...this.current.counts } : null };
  }

  /** One check; overlapping runs are skipped. Never throws. */
  runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.check().finally(() => (this.running = undefined));
    return this.running;
  }

  private async check(): Promise<void> {
    try {
      const report = await this.inventory.report();
      for (const f of report.findings) {
        this.logger.warn({ drift: f.kind, phone_number: f.phoneNumber, purchased_number_id: f.ours?.id ?? null, msg: `inventory drift: ${f.problem}` });
      }
      this.current = { checkedAt: report.checkedAt, counts: report.counts, lastError: null };
    } catch (error) {
      this.current = { ...this.current, lastError: (error as Error).message };
      this.logger.error({ msg: `inventory check failed: ${(error as Error).message}` });
    }
  }
}
