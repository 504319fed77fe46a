import { Injectable, Logger } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/principal';
import { isProviderError } from '../providers/number-provider';
import { ProviderError } from '../providers/provider-error';
import { NumbersService } from '../numbers/numbers.service';
import { PurchaseOperationEntity, PurchaseState, StoredError } from './entities/purchase-operation.entity';
import { PurchaseOperationsRepository } from './purchase-operations.repository';
import { describeError as describe } from './purchase-errors-text';

/**
 * Where the purchase workflow writes down what happened: each step's result, the final outcome
 * with its audit record, and the log line. Kept apart from the workflow so its steps can be
 * tested with fake providers and an in-memory ledger.
 */
@Injectable()
export class PurchaseLedger {
  private readonly logger = new Logger('PurchasesService');

  constructor(
    private readonly operations: PurchaseOperationsRepository,
    private readonly numbers: NumbersService,
    private readonly audit: AuditService,
  ) {}

  transition(op: PurchaseOperationEntity, owner: string, to: PurchaseState, patch: Partial<PurchaseOperationEntity> = {}): Promise<void> {
    return this.operations.transition(op, owner, to, patch);
  }

  /**
   * Ends the operation as failed. A failure found by the reconciler is audited here, in the same
   * transaction; one found while its request runs is that request's failure, audited with it.
   */
  @Transactional()
  async fail(op: PurchaseOperationEntity, owner: string, by: 'request' | 'reconciler', error: StoredError, cause?: ProviderError): Promise<void> {
    await this.operations.markFailed(op, owner, error, cause?.describe() ?? op.lastError);
    if (by === 'reconciler') await this.audit.record(actorOf(op), {
      action: 'purchased_number.purchase',
      targetType: 'purchase_operation',
      targetId: op.id,
      outcome: 'failure',
      details: { code: error.code, phone_number: op.phoneNumber, twilio_sid: op.twilioSid, sandbox: op.sandbox },
    });
    this.log('warn', op, `purchase failed: ${error.code}`);
  }

  /** Stores the number (fulfilling the PM's requests), finishes the operation and audits it: one transaction. */
  @Transactional()
  async recordNumber(op: PurchaseOperationEntity, owner: string): Promise<void> {
    if (!(await this.operations.lockForRecording(op.id, owner))) return;
    const { number, fulfilledRequestIds } = await this.numbers.add({
      propertyManagerId: op.propertyManagerId,
      phoneNumber: op.phoneNumber!,
      twilioSid: op.twilioSid!,
      vapiPhoneNumberId: op.vapiPhoneNumberId,
      notes: op.notes,
    });
    const outcome = {
      purchasedPhoneNumberId: number.id,
      phoneNumber: number.phoneNumber,
      twilioSid: number.twilioSid,
      vapiPhoneNumberId: number.vapiPhoneNumberId!,
      status: number.status,
      propertyManagerId: number.propertyManagerId,
      sandbox: op.sandbox,
    };
    await this.operations.markSucceeded(op.id, outcome);
    await this.audit.record(actorOf(op), {
      action: 'purchased_number.purchase',
      targetType: 'purchased_phone_number',
      targetId: number.id,
      details: { operation_id: op.id, phone_number: number.phoneNumber, fulfilled_request_ids: fulfilledRequestIds, sandbox: op.sandbox },
    });
    Object.assign(op, { state: 'succeeded', result: outcome, purchasedPhoneNumberId: number.id, error: null });
  }

  /**
   * Leaves the operation where it is for the reconciler (unknown outcome, provider down). The
   * caller that started it gets an error saying so; `updated_at` restarts the settle clock.
   */
  async park(op: PurchaseOperationEntity, error: unknown, by: 'request' | 'reconciler'): Promise<void> {
    const lastError = typeof error === 'string' ? error : describe(error);
    const patch: { lastError: string; error?: StoredError } = { lastError };
    if (by === 'request' && !op.error) {
      const timeout = isProviderError(error) && error.isTimeout;
      patch.error = {
        kind: timeout ? 'upstream_timeout' : isProviderError(error) ? 'upstream_failed' : 'unavailable',
        code: 'purchase_outcome_unknown',
        message:
          `${timeout ? 'A provider did not answer in time' : 'A step failed'} while purchasing ${op.phoneNumber ?? 'a number'}. ` +
          `Nothing is lost: purchase ${op.id} is completed or released automatically; see GET /admin/purchase-operations/${op.id}.`,
      };
    }
    await this.operations.park(op.id, patch);
    Object.assign(op, patch);
    this.log('warn', op, `purchase waits in ${op.state}: ${lastError}`);
  }

  /** Every line says whether it is live or sandbox, and which operation. */
  log(level: 'log' | 'warn' | 'error', op: PurchaseOperationEntity, message: string): void {
    this.logger[level]({ telephony: op.sandbox ? 'sandbox' : 'live', operation_id: op.id, state: op.state, msg: `${op.sandbox ? '[sandbox] ' : ''}${message}` });
  }
}

/** The purchase's starter, in whose name the reconciler audits too. */
export const actorOf = (op: PurchaseOperationEntity): Actor => ({
  principal: { roles: ['admin'], actorType: op.actor.actorType, actorId: op.actor.actorId, credential: op.actor.credential },
  requestId: op.actor.requestId,
  clientIp: op.actor.clientIp,
});
