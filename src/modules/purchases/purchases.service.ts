import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainError, withOutcomeAudited } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { translateDatabaseError } from '../../database/database-errors';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/principal';
import { DirectoryService } from '../directory/directory.service';
import { isProviderError, NumberProvider, OwnedNumber } from '../providers/number-provider';
import { ProviderError } from '../providers/provider-error';
import { TelephonySettings } from '../providers/telephony-settings';
import { VoiceAgentProvider } from '../providers/voice-agent-provider';
import { PurchasedNumbersService } from '../purchased-numbers/purchased-numbers.service';
import { PurchasePhoneNumberDto } from './dto/purchase.dto';
import { isFinal, PurchaseOperationEntity, PurchaseResult, PurchaseState, StoredActor, StoredError } from './entities/purchase-operation.entity';
import { withOperationLock } from './operation-lock';
import {
  IdempotencyKeyReusedError,
  PurchaseInProgressError,
  PurchaseOperationNotFoundError,
  TelephonyNotConfiguredError,
  toDomainError,
} from './purchases.errors';

export const DEFAULT_AREA_CODE = '412';
const SEARCH_LIMIT = 5;

type Driver = 'request' | 'reconciler';

/**
 * The guide's automated purchase: search, buy that specific number, register it with VAPI,
 * record it, fulfil the PM's requests. Every step's result is saved in `purchase_operations`
 * as it happens; an unknown outcome is resolved by looking at the provider, never by buying
 * again; what cannot be finished now is left in a state the reconciler finishes or undoes.
 */
@Injectable()
export class PurchasesService {
  private readonly logger = new Logger(PurchasesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly telephony: TelephonySettings,
    private readonly numbers: NumberProvider,
    private readonly voice: VoiceAgentProvider,
    private readonly directory: DirectoryService,
    private readonly purchasedNumbers: PurchasedNumbersService,
    private readonly audit: AuditService,
  ) {}

  async purchase(dto: PurchasePhoneNumberDto, idempotencyKey: string | undefined, actor: Actor): Promise<PurchaseResult> {
    const areaCode = dto.area_code ?? DEFAULT_AREA_CODE;
    const requestHash = hashRequest({ property_manager_id: dto.property_manager_id, area_code: areaCode, notes: dto.notes ?? null });
    if (idempotencyKey) {
      const existing = await this.repository().findOne({ where: { idempotencyKey } });
      if (existing) return this.replay(existing, requestHash);
    }
    // Nothing is spent before we know it can succeed; a refusal here is audited too.
    try {
      if (this.telephony.missing.length > 0) throw new TelephonyNotConfiguredError(this.telephony.missing);
      await this.directory.requirePropertyManager(this.dataSource.manager, dto.property_manager_id);
    } catch (error) {
      if (error instanceof DomainError) {
        await this.dataSource.transaction((manager) =>
          this.audit.record(manager, actor, {
            action: 'purchased_number.purchase',
            targetType: 'property_manager',
            targetId: dto.property_manager_id,
            outcome: 'failure',
            details: { code: error.code, area_code: areaCode },
          }),
        );
        throw withOutcomeAudited(error);
      }
      throw error;
    }

    const id = randomUUID();
    const locked = await withOperationLock(this.dataSource, id, async () => {
      const inserted: Array<{ id: string }> = await this.dataSource.query(
        `INSERT INTO purchase_operations (id, idempotency_key, request_hash, property_manager_id, area_code, notes, sandbox, state, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'started', $8)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
        [id, idempotencyKey ?? null, requestHash, dto.property_manager_id, areaCode, dto.notes ?? null, this.telephony.sandbox, storedActor(actor)],
      );
      if (inserted.length === 0) return undefined; // a concurrent call with the same key won
      const op = await this.load(id);
      this.log('log', op, 'purchase started');
      await this.drive(op, 'request');
      return op;
    });
    const op = locked.acquired ? locked.value : undefined;
    if (!op) {
      const winner = await this.repository().findOne({ where: { idempotencyKey: idempotencyKey! } });
      return this.replay(winner!, requestHash);
    }
    try {
      return this.answer(op);
    } catch (error) {
      // A purchase that failed during this request has its failure record already (see fail()).
      if (op.state === 'failed' && error instanceof DomainError) throw withOutcomeAudited(error);
      throw error;
    }
  }

  /** Finishes or undoes one unfinished operation, if no one else owns it now. */
  async resume(id: string): Promise<void> {
    await withOperationLock(this.dataSource, id, async () => {
      const op = await this.load(id);
      if (isFinal(op.state)) return;
      if (op.sandbox !== this.telephony.sandbox) {
        // A live purchase may hold real money: only an instance in live mode may touch it.
        if (!op.sandbox) return this.log('warn', op, 'live purchase left unfinished; this instance runs in sandbox and leaves it alone');
        // A sandbox purchase bought nothing anywhere: close it.
        return this.fail(op, err('upstream_failed', 'purchase_interrupted', 'The sandbox purchase was interrupted; nothing was bought.'));
      }
      await this.repository().increment({ id }, 'attempts', 1);
      op.attempts += 1;
      this.log('log', op, `reconciler resumes the purchase from ${op.state}`);
      await this.drive(op, 'reconciler');
    });
  }

  async get(id: string): Promise<PurchaseOperationEntity> {
    const op = await this.repository().findOne({ where: { id } });
    if (!op) throw new PurchaseOperationNotFoundError(id);
    return op;
  }

  list(filter: { state?: PurchaseState; needsAttention?: boolean; limit: number }): Promise<PurchaseOperationEntity[]> {
    const query = this.repository().createQueryBuilder('op').orderBy('op.created_at', 'DESC').addOrderBy('op.id', 'DESC').limit(filter.limit);
    if (filter.state) query.andWhere('op.state = :state', { state: filter.state });
    if (filter.needsAttention === true) query.andWhere(`op.state NOT IN ('succeeded', 'failed') AND op.attempts >= 3`);
    if (filter.needsAttention === false) query.andWhere(`NOT (op.state NOT IN ('succeeded', 'failed') AND op.attempts >= 3)`);
    return query.getMany();
  }

  /** Ids of unfinished operations untouched for the settle time: their owner is gone or gave up. */
  async findStale(limit = 50): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM purchase_operations
       WHERE state NOT IN ('succeeded', 'failed') AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
       ORDER BY updated_at LIMIT $2`,
      [this.config.telephony.purchaseSettleMs, limit],
    );
    return rows.map((r) => r.id);
  }

  // --- replays -------------------------------------------------------------------------------

  /** Same key: the first result again; while the first call runs, wait for it, never buy again. */
  private async replay(existing: PurchaseOperationEntity, requestHash: string): Promise<PurchaseResult> {
    if (existing.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    const deadline = Date.now() + 6 * this.config.telephony.providerTimeoutMs + 2000;
    for (;;) {
      const op = await this.load(existing.id);
      if (isFinal(op.state) || op.error) return this.answer(op);
      // Nobody holds it: its first caller is gone and the reconciler will finish it.
      const free = await withOperationLock(this.dataSource, op.id, async () => true);
      if (free.acquired) {
        const again = await this.load(op.id);
        if (isFinal(again.state) || again.error) return this.answer(again);
        throw new PurchaseInProgressError(op.id);
      }
      if (Date.now() > deadline) throw new PurchaseInProgressError(op.id);
      await sleep(100);
    }
  }

  private answer(op: PurchaseOperationEntity): PurchaseResult {
    if (op.state === 'succeeded' && op.result) return op.result;
    const stored = op.error ?? {
      kind: 'upstream_failed',
      code: 'purchase_unfinished',
      message: `Purchase ${op.id} is not finished yet; it is completed or undone automatically.`,
    };
    throw toDomainError(stored, op.id);
  }

  // --- the state machine ---------------------------------------------------------------------

  /** Moves the operation forward until it is final or must wait (then it is left for the reconciler). */
  private async drive(op: PurchaseOperationEntity, by: Driver): Promise<void> {
    for (;;) {
      const before = op.state;
      switch (op.state) {
        case 'started':
          // A purchase interrupted before buying is closed, not continued: its caller has an answer by now.
          if (by === 'reconciler') await this.fail(op, err('upstream_failed', 'purchase_interrupted', 'The purchase was interrupted before anything was bought; nothing was charged. Retry with a new Idempotency-Key.'));
          else await this.chooseNumber(op);
          break;
        case 'buying':
          await this.buy(op, by);
          break;
        case 'registering':
          await this.register(op, by);
          break;
        case 'recording':
          await this.record(op, by);
          break;
        case 'releasing':
          await this.compensate(op);
          break;
        default:
          return;
      }
      if (op.state === before) return;
    }
  }

  private async chooseNumber(op: PurchaseOperationEntity): Promise<void> {
    let candidates: string[];
    try {
      candidates = await this.numbers.searchAvailable(op.areaCode, SEARCH_LIMIT);
    } catch (error) {
      if (!isProviderError(error)) throw error;
      // A search buys nothing: any failure simply ends the purchase.
      return this.fail(op, providerFailure(error, 'twilio_search_failed', `Searching Twilio for numbers in area code ${op.areaCode} failed`), error);
    }
    for (const phoneNumber of candidates) {
      try {
        // Written before the buy: a crash from here on is resolved by looking this number up.
        await this.transition(op, 'buying', { phoneNumber });
        return;
      } catch (error) {
        // Another purchase is after this number right now: take the next one.
        if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') continue;
        throw error;
      }
    }
    return this.fail(op, err('conflict', 'no_numbers_available', `Twilio has no numbers available in area code ${op.areaCode}; try another area code.`));
  }

  private async buy(op: PurchaseOperationEntity, by: Driver): Promise<void> {
    const phoneNumber = op.phoneNumber!;
    if (by === 'reconciler') {
      // The buy may or may not have happened: look, never buy blindly again.
      let owned: OwnedNumber | null;
      try {
        owned = await this.numbers.findOwned(phoneNumber);
      } catch (error) {
        return this.park(op, error, by);
      }
      if (owned && this.isOurs(owned, op)) return this.transition(op, 'registering', { twilioSid: owned.sid });
      // A buy Twilio is still processing may land after our client gave up: keep looking for a while.
      if (Date.now() - op.createdAt.getTime() < this.config.telephony.purchaseBuyGraceMs) {
        return this.park(op, `${phoneNumber} not at Twilio yet; looking again until the grace period ends`, by);
      }
      return this.fail(op, err('upstream_failed', 'number_not_bought', `Buying ${phoneNumber} did not complete at Twilio; nothing was charged. Retry with a new Idempotency-Key.`));
    }
    try {
      const bought = await this.numbers.buy({
        phoneNumber,
        voiceUrl: this.telephony.vapiInboundVoiceUrl,
        smsUrl: this.telephony.vapiInboundSmsUrl,
        friendlyName: friendlyNameOf(op),
      });
      this.log('log', op, `bought ${phoneNumber} (${bought.sid})`);
      return this.transition(op, 'registering', { twilioSid: bought.sid });
    } catch (error) {
      if (!isProviderError(error)) throw error;
      if (error.outcome === 'refused') {
        const code = error.code === 21422 ? 'number_not_available' : 'twilio_purchase_failed';
        return this.fail(op, providerFailure(error, code, `Twilio refused to sell ${phoneNumber}`), error);
      }
      this.log('warn', op, `buying ${phoneNumber}: unknown outcome (${error.describe()}); looking it up`);
      try {
        const owned = await this.numbers.findOwned(phoneNumber);
        if (owned && this.isOurs(owned, op)) return this.transition(op, 'registering', { twilioSid: owned.sid });
      } catch (lookupError) {
        this.log('warn', op, `looking up ${phoneNumber} failed: ${describe(lookupError)}`);
      }
      return this.park(op, error, by);
    }
  }

  private async register(op: PurchaseOperationEntity, by: Driver): Promise<void> {
    const phoneNumber = op.phoneNumber!;
    if (by === 'reconciler') {
      try {
        const found = await this.voice.findByNumber(phoneNumber);
        if (found) return this.transition(op, 'recording', { vapiPhoneNumberId: found.id });
      } catch (error) {
        return this.park(op, error, by);
      }
    }
    try {
      const registered = await this.voice.register({
        phoneNumber,
        name: friendlyNameOf(op),
        serverUrl: this.telephony.webhookUrl,
        serverSecret: this.telephony.webhookSecret,
      });
      this.log('log', op, `registered ${phoneNumber} with VAPI (${registered.id})`);
      return this.transition(op, 'recording', { vapiPhoneNumberId: registered.id });
    } catch (error) {
      if (!isProviderError(error)) throw error;
      if (error.outcome === 'refused') {
        // The guide's cleanup: a number VAPI refuses is given back to Twilio.
        this.log('warn', op, `VAPI refused ${phoneNumber} (${error.describe()}); releasing it at Twilio`);
        return this.transition(op, 'releasing', {
          error: providerFailure(error, 'vapi_registration_failed', `VAPI refused to register ${phoneNumber}; the Twilio number is being released`),
          lastError: error.describe(),
        });
      }
      this.log('warn', op, `registering ${phoneNumber}: unknown outcome (${error.describe()}); looking it up`);
      try {
        const found = await this.voice.findByNumber(phoneNumber);
        if (found) return this.transition(op, 'recording', { vapiPhoneNumberId: found.id });
      } catch (lookupError) {
        this.log('warn', op, `looking up ${phoneNumber} at VAPI failed: ${describe(lookupError)}`);
      }
      return this.park(op, error, by);
    }
  }

  /** Stores the number, fulfils the PM's requests and finishes the operation: one transaction. */
  private async record(op: PurchaseOperationEntity, by: Driver): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        const current = await manager.findOne(PurchaseOperationEntity, { where: { id: op.id }, lock: { mode: 'pessimistic_write' } });
        if (current?.state !== 'recording') return;
        const { number, fulfilledRequestIds } = await this.purchasedNumbers.recordNumber(manager, {
          propertyManagerId: op.propertyManagerId,
          phoneNumber: op.phoneNumber!,
          twilioSid: op.twilioSid!,
          vapiPhoneNumberId: op.vapiPhoneNumberId,
          notes: op.notes,
        });
        const result: PurchaseResult = {
          message: 'Phone number purchased and added successfully',
          purchased_phone_number_id: number.id,
          phone_number: number.phoneNumber,
          twilio_sid: number.twilioSid,
          vapi_phone_number_id: number.vapiPhoneNumberId!,
          status: number.status,
          property_manager_id: number.propertyManagerId,
          ...(op.sandbox ? { sandbox: true } : {}),
        };
        await manager.update(PurchaseOperationEntity, { id: op.id }, {
          state: 'succeeded',
          result,
          purchasedPhoneNumberId: number.id,
          error: null,
          finishedAt: () => 'now()',
          updatedAt: () => 'now()',
        } as never);
        await this.audit.record(manager, actorOf(op), {
          action: 'purchased_number.purchase',
          targetType: 'purchased_phone_number',
          targetId: number.id,
          details: { operation_id: op.id, phone_number: number.phoneNumber, fulfilled_request_ids: fulfilledRequestIds, sandbox: op.sandbox },
        });
      });
    } catch (error) {
      const refused = translateDatabaseError(error) ?? (error instanceof DomainError ? error : undefined);
      // Serialization failures and deadlocks pass: the reconciler simply records it again.
      if (refused && refused.code !== 'concurrent_update' && refused.kind !== 'unavailable') {
        // The database will never take this number: give it back rather than keep paying for it.
        this.log('error', op, `recording ${op.phoneNumber} was refused (${refused.code}); releasing it`);
        return this.transition(op, 'releasing', {
          error: err(refused.kind === 'conflict' ? 'conflict' : 'upstream_failed', refused.code, `${refused.message} The purchased number is being released.`),
          lastError: `database: ${refused.code}`,
        });
      }
      return this.park(op, error, by);
    }
    Object.assign(op, await this.load(op.id));
    if (op.state === 'succeeded') this.log('log', op, `purchase finished: ${op.phoneNumber} recorded as number ${op.purchasedPhoneNumberId}`);
  }

  /** Gives back what a failed purchase holds. Never throws: what fails stays `releasing` and is retried. */
  private async compensate(op: PurchaseOperationEntity): Promise<void> {
    try {
      if (op.vapiPhoneNumberId) await this.voice.remove(op.vapiPhoneNumberId);
      if (op.twilioSid) await this.numbers.release(op.twilioSid);
    } catch (error) {
      this.log('error', op, `releasing ${op.phoneNumber} failed, will retry: ${describe(error)}`);
      return this.park(op, error, 'reconciler');
    }
    this.log('warn', op, `released ${op.phoneNumber} (${op.twilioSid}) after a failed purchase`);
    await this.fail(op, op.error ?? err('upstream_failed', 'purchase_failed', 'The purchase failed; the number was released.'));
  }

  // --- persistence helpers ---------------------------------------------------------------------

  private async transition(op: PurchaseOperationEntity, to: PurchaseState, patch: Partial<PurchaseOperationEntity> = {}): Promise<void> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(PurchaseOperationEntity)
      .set({ ...patch, state: to, updatedAt: () => 'now()' } as never)
      .where('id = :id AND state = :from', { id: op.id, from: op.state })
      .execute();
    if (result.affected !== 1) throw new Error(`purchase ${op.id} changed under its owner (expected ${op.state})`);
    Object.assign(op, patch, { state: to });
  }

  /** Ends the operation as failed, with the audit record of the failure, in one transaction. */
  private async fail(op: PurchaseOperationEntity, error: StoredError, cause?: ProviderError): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(PurchaseOperationEntity)
        .set({ state: 'failed', error, lastError: cause?.describe() ?? op.lastError, finishedAt: () => 'now()', updatedAt: () => 'now()' } as never)
        .where('id = :id AND state = :from', { id: op.id, from: op.state })
        .execute();
      if (result.affected !== 1) throw new Error(`purchase ${op.id} changed under its owner (expected ${op.state})`);
      await this.audit.record(manager, actorOf(op), {
        action: 'purchased_number.purchase',
        targetType: 'purchase_operation',
        targetId: op.id,
        outcome: 'failure',
        details: { code: error.code, phone_number: op.phoneNumber, twilio_sid: op.twilioSid, sandbox: op.sandbox },
      });
    });
    Object.assign(op, { state: 'failed', error });
    this.log('warn', op, `purchase failed: ${error.code}`);
  }

  /**
   * Leaves the operation where it is for the reconciler (unknown outcome, provider down). The
   * caller that started it gets an error saying so; `updated_at` restarts the settle clock.
   */
  private async park(op: PurchaseOperationEntity, error: unknown, by: Driver): Promise<void> {
    const lastError = typeof error === 'string' ? error : describe(error);
    const patch: Record<string, unknown> = { lastError, updatedAt: () => 'now()' };
    if (by === 'request' && !op.error) {
      const timeout = isProviderError(error) && error.isTimeout;
      patch.error = err(
        timeout ? 'upstream_timeout' : isProviderError(error) ? 'upstream_failed' : 'unavailable',
        'purchase_outcome_unknown',
        `${timeout ? 'A provider did not answer in time' : 'A step failed'} while purchasing ${op.phoneNumber ?? 'a number'}. ` +
          `Nothing is lost: purchase ${op.id} is completed or released automatically; see GET /admin/purchase-operations/${op.id}.`,
      );
    }
    await this.repository().update({ id: op.id }, patch as never);
    Object.assign(op, patch);
    this.log('warn', op, `purchase waits in ${op.state}: ${lastError}`);
  }

  private isOurs(owned: OwnedNumber, op: PurchaseOperationEntity): boolean {
    return Boolean(owned.friendlyName?.includes(op.id));
  }

  private repository() {
    return this.dataSource.getRepository(PurchaseOperationEntity);
  }

  private async load(id: string): Promise<PurchaseOperationEntity> {
    return this.repository().findOneOrFail({ where: { id } });
  }

  /** Every line says whether it is live or sandbox, and which operation. */
  private log(level: 'log' | 'warn' | 'error', op: PurchaseOperationEntity, message: string): void {
    this.logger[level]({ telephony: op.sandbox ? 'sandbox' : 'live', operation_id: op.id, state: op.state, msg: `${op.sandbox ? '[sandbox] ' : ''}${message}` });
  }
}

const err = (kind: StoredError['kind'], code: string, message: string): StoredError => ({ kind, code, message });

function providerFailure(error: ProviderError, code: string, what: string): StoredError {
  const detail = error.isTimeout
    ? 'it did not answer in time'
    : error.status
      ? `it answered ${error.status}${error.code ? ` (code ${error.code})` : ''}`
      : 'the connection failed';
  return err(error.isTimeout ? 'upstream_timeout' : 'upstream_failed', code, `${what}: ${detail}.`);
}

function describe(error: unknown): string {
  if (isProviderError(error)) return error.describe();
  const code = (error as { code?: string }).code;
  return `${error instanceof Error ? error.name : 'error'}${code ? ` ${code}` : ''}`.slice(0, 300);
}

const friendlyNameOf = (op: PurchaseOperationEntity) => `PM ${op.propertyManagerId} purchase ${op.id}`;

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

const actorOf = (op: PurchaseOperationEntity): Actor => ({
  principal: { roles: ['admin'], actorType: op.actor.actorType, actorId: op.actor.actorId, credential: op.actor.credential },
  requestId: op.actor.requestId,
  clientIp: op.actor.clientIp,
});

