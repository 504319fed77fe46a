import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Page, PageRequest } from '../../common/pagination/paginate';
import { AppConfig } from '../../config/app-config';
import type { Actor } from '../../common/auth/principal';
import { DirectoryService } from '../directory/directory.service';
import { TelephonySettings } from '../providers/telephony-settings';
import { PurchasePhoneNumberDto } from './dto/purchase.dto';
import { isFinal, PurchaseOperationEntity, PurchaseOutcome, StoredActor } from './entities/purchase-operation.entity';
import { PurchaseLedger } from './purchase-ledger';
import { OperationFilter, PurchaseOperationsRepository } from './purchase-operations.repository';
import { err, PurchaseWorkflow } from './purchase-workflow';
import { IdempotencyKeyReusedError, PurchaseInProgressError, PurchaseOperationNotFoundError, TelephonyNotConfiguredError, toDomainError } from './purchases.errors';

export const DEFAULT_AREA_CODE = '412';
const REPLAY_POLL_MS = 100;

/**
 * The guide's automated purchase, as a use case: validate before spending anything, claim the
 * operation (idempotency key, lease), run the workflow, answer from what was stored. The workflow
 * (`PurchaseWorkflow`) holds the steps; the ledger writes them down; the repository owns the SQL.
 */
@Injectable()
export class PurchasesService {
  constructor(
    private readonly config: AppConfig,
    private readonly telephony: TelephonySettings,
    private readonly directory: DirectoryService,
    private readonly operations: PurchaseOperationsRepository,
    private readonly workflow: PurchaseWorkflow,
    private readonly ledger: PurchaseLedger,
  ) {}

  async purchase(dto: PurchasePhoneNumberDto, idempotencyKey: string | undefined, actor: Actor): Promise<PurchaseOutcome> {
    const areaCode = dto.area_code ?? DEFAULT_AREA_CODE;
    const requestHash = hashRequest({ property_manager_id: dto.property_manager_id, area_code: areaCode, notes: dto.notes ?? null });
    if (idempotencyKey) {
      const existing = await this.operations.findByIdempotencyKey(idempotencyKey);
      if (existing) return this.replay(existing, requestHash);
    }
    // Nothing is spent before we know it can succeed.
    if (this.telephony.missing.length > 0) throw new TelephonyNotConfiguredError(this.telephony.missing);
    await this.directory.requireActivePropertyManager(dto.property_manager_id);

    const id = randomUUID();
    const owner = randomUUID();
    const claimed = await this.operations.insertLeased(
      { id, idempotencyKey: idempotencyKey ?? null, requestHash, propertyManagerId: dto.property_manager_id, areaCode, notes: dto.notes ?? null, sandbox: this.telephony.sandbox, actor: storedActor(actor) },
      owner,
      this.leaseMs,
    );
    if (!claimed) {
      // A concurrent call with the same key won: its answer is ours.
      return this.replay((await this.operations.findByIdempotencyKey(idempotencyKey!))!, requestHash);
    }
    const op = await this.operations.load(id);
    this.ledger.log('log', op, 'purchase started');
    await this.whileLeased(op, owner, () => this.workflow.drive(op, owner, 'request'));
    return answer(op);
  }

  /** Finishes or undoes one unfinished operation, if nobody holds it now. */
  async resume(id: string): Promise<void> {
    const owner = randomUUID();
    if (!(await this.operations.acquireLease(id, owner, this.leaseMs))) return;
    const op = await this.operations.load(id);
    await this.whileLeased(op, owner, async () => {
      if (op.sandbox !== this.telephony.sandbox) {
        // A live purchase may hold real money: only an instance in live mode may touch it.
        if (!op.sandbox) return this.ledger.log('warn', op, 'live purchase left unfinished; this instance runs in sandbox and leaves it alone');
        // A sandbox purchase bought nothing anywhere: close it.
        return this.ledger.fail(op, owner, 'reconciler', err('upstream_failed', 'purchase_interrupted', 'The sandbox purchase was interrupted; nothing was bought.'));
      }
      await this.operations.countAttempt(id);
      op.attempts += 1;
      this.ledger.log('log', op, `reconciler resumes the purchase from ${op.state}`);
      await this.workflow.drive(op, owner, 'reconciler');
    });
  }

  async get(id: string): Promise<PurchaseOperationEntity> {
    const op = await this.operations.findById(id);
    if (!op) throw new PurchaseOperationNotFoundError(id);
    return op;
  }

  /** True while a purchase for the PM has not ended (an offboarding waits for it). */
  inProgressFor(propertyManagerId: number): Promise<boolean> {
    return this.operations.hasUnfinishedFor(propertyManagerId);
  }

  list(filter: OperationFilter, page: PageRequest): Promise<Page<PurchaseOperationEntity>> {
    return this.operations.list(filter, page);
  }

  /** Ids of unfinished operations nobody holds, untouched for the settle time. */
  /** Numbers of purchases unfinished or finished since `since` (see the repository). */
  numbersInFlight(since: Date) {
    return this.operations.numbersInFlight(since);
  }

  findStale(limit = 50): Promise<string[]> {
    return this.operations.findStale(this.config.telephony.purchaseSettleMs, limit);
  }

  /**
   * How long a worker owns an operation without renewing: long enough for a slow provider call,
   * short enough that a crashed worker's operations are picked up soon. Renewed at a third of it.
   */
  private get leaseMs(): number {
    return this.config.telephony.purchaseLeaseMs;
  }

  /** Runs `work` holding the lease: renewed in the background, handed back at the end. */
  private async whileLeased(op: PurchaseOperationEntity, owner: string, work: () => Promise<void>): Promise<void> {
    const renew = setInterval(() => {
      this.operations.renewLease(op.id, owner, this.leaseMs).catch((error: unknown) => this.ledger.log('warn', op, `could not renew the lease: ${(error as Error).message}`));
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    renew.unref();
    try {
      await work();
    } finally {
      clearInterval(renew);
      await this.operations.releaseLease(op.id, owner).catch(() => undefined); // it runs out on its own
    }
  }

  /** Same key: the first result again; while its first call still works on it, wait, never buy again. */
  private async replay(existing: PurchaseOperationEntity, requestHash: string): Promise<PurchaseOutcome> {
    if (existing.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    const deadline = Date.now() + 6 * this.config.telephony.providerTimeoutMs + 2000;
    for (;;) {
      const op = await this.operations.load(existing.id);
      if (isFinal(op.state) || op.error) return answer(op);
      // Nobody holds it: its first caller is gone and the reconciler will finish it.
      if (!(await this.operations.isLeased(op.id)) || Date.now() > deadline) throw new PurchaseInProgressError(op.id);
      await sleep(REPLAY_POLL_MS);
    }
  }
}

/** The stored outcome, or the stored error the first caller saw. */
function answer(op: PurchaseOperationEntity): PurchaseOutcome {
  if (op.state === 'succeeded' && op.result) return op.result;
  throw toDomainError(
    op.error ?? { kind: 'upstream_failed', code: 'purchase_unfinished', message: `Purchase ${op.id} is not finished yet; it is completed or undone automatically.` },
    op.id,
  );
}

function hashRequest(body: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

const storedActor = (actor: Actor): StoredActor => ({
  actorType: actor.principal.actorType,
  actorId: actor.principal.actorId,
  credential: actor.principal.credential,
  requestId: actor.requestId,
  clientIp: actor.clientIp,
});
