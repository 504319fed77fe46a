import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { translateDatabaseError } from '../../database/database-errors';
import { isProviderError, NumberProvider, OwnedNumber } from '../providers/number-provider';
import { ProviderError } from '../providers/provider-error';
import { TelephonySettings } from '../providers/telephony-settings';
import { VoiceAgentProvider } from '../providers/voice-agent-provider';
import { PurchaseOperationEntity, PurchaseState, StoredError } from './entities/purchase-operation.entity';
import { describeError } from './purchase-errors-text';
import { PurchaseLedger } from './purchase-ledger';
import { twilioFriendlyNameOf, vapiNameOf } from './provider-names';

const SEARCH_LIMIT = 5;

/** Who moves the operation: the request that started it, or the reconciler finishing it later. */
export type Driver = 'request' | 'reconciler';

/**
 * The purchase as steps: search, buy that specific number, register it with VAPI, record it — or,
 * after a definite refusal once money was spent, give the number back. Each step saves its result
 * through the ledger as it happens; an unknown outcome is resolved by looking at the provider,
 * never by buying again; what cannot be finished now is parked for the reconciler.
 * The caller holds the operation's lease (`owner`) for the whole drive.
 */
@Injectable()
export class PurchaseWorkflow {
  private readonly logger = new Logger('PurchasesService');

  constructor(
    private readonly numbers: NumberProvider,
    private readonly voice: VoiceAgentProvider,
    private readonly telephony: TelephonySettings,
    private readonly config: AppConfig,
    private readonly ledger: PurchaseLedger,
  ) {}

  /** Moves the operation forward until it is final or must wait. */
  async drive(op: PurchaseOperationEntity, owner: string, by: Driver): Promise<void> {
    for (;;) {
      const before: PurchaseState = op.state;
      switch (op.state) {
        case 'started':
          // A purchase interrupted before buying is closed, not continued: its caller has an answer by now.
          if (by === 'reconciler') {
            await this.ledger.fail(op, owner, by, err('upstream_failed', 'purchase_interrupted', 'The purchase was interrupted before anything was bought; nothing was charged. Retry with a new Idempotency-Key.'));
          } else await this.chooseNumber(op, owner, by);
          break;
        case 'buying':
          await this.buy(op, owner, by);
          break;
        case 'registering':
          await this.register(op, owner, by);
          break;
        case 'recording':
          await this.record(op, owner, by);
          break;
        case 'releasing':
          await this.compensate(op, owner, by);
          break;
        default:
          return;
      }
      if (op.state === before) return;
    }
  }

  async chooseNumber(op: PurchaseOperationEntity, owner: string, by: Driver): Promise<void> {
    let candidates: string[];
    try {
      candidates = await this.numbers.searchAvailable(op.areaCode, SEARCH_LIMIT);
    } catch (error) {
      if (!isProviderError(error)) throw error;
      // A search buys nothing: any failure simply ends the purchase.
      return this.ledger.fail(op, owner, by, providerFailure(error, 'twilio_search_failed', `Searching Twilio for numbers in area code ${op.areaCode} failed`), error);
    }
    for (const phoneNumber of candidates) {
      try {
        // Written before the buy: a crash from here on is resolved by looking this number up.
        return await this.ledger.transition(op, owner, 'buying', { phoneNumber });
      } catch (error) {
        // Another purchase is after this number right now: take the next one.
        if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') continue;
        throw error;
      }
    }
    return this.ledger.fail(op, owner, by, err('conflict', 'no_numbers_available', `Twilio has no numbers available in area code ${op.areaCode}; try another area code.`));
  }

  async buy(op: PurchaseOperationEntity, owner: string, by: Driver): Promise<void> {
    const phoneNumber = op.phoneNumber!;
    if (by === 'reconciler') {
      // The buy may or may not have happened: look, never buy blindly again.
      let owned: OwnedNumber | null;
      try {
        owned = await this.numbers.findOwned(phoneNumber);
      } catch (error) {
        return this.ledger.park(op, error, by);
      }
      if (owned && isOurs(owned, op)) return this.ledger.transition(op, owner, 'registering', { twilioSid: owned.sid });
      // A buy Twilio is still processing may land after our client gave up: keep looking for a while.
      if (Date.now() - op.createdAt.getTime() < this.config.telephony.purchaseBuyGraceMs) {
        return this.ledger.park(op, `${phoneNumber} not at Twilio yet; looking again until the grace period ends`, by);
      }
      return this.ledger.fail(op, owner, by, err('upstream_failed', 'number_not_bought', `Buying ${phoneNumber} did not complete at Twilio; nothing was charged. Retry with a new Idempotency-Key.`));
    }
    try {
      const bought = await this.numbers.buy({
        phoneNumber,
        voiceUrl: this.telephony.vapiInboundVoiceUrl,
        smsUrl: this.telephony.vapiInboundSmsUrl,
        friendlyName: twilioFriendlyNameOf(op),
      });
      this.ledger.log('log', op, `bought ${phoneNumber} (${bought.sid})`);
      return this.ledger.transition(op, owner, 'registering', { twilioSid: bought.sid });
    } catch (error) {
      if (!isProviderError(error)) throw error;
      if (error.outcome === 'refused') {
        const code = error.code === 21422 ? 'number_not_available' : 'twilio_purchase_failed';
        return this.ledger.fail(op, owner, by, providerFailure(error, code, `Twilio refused to sell ${phoneNumber}`), error);
      }
      this.ledger.log('warn', op, `buying ${phoneNumber}: unknown outcome (${error.describe()}); looking it up`);
      try {
        const owned = await this.numbers.findOwned(phoneNumber);
        if (owned && isOurs(owned, op)) return this.ledger.transition(op, owner, 'registering', { twilioSid: owned.sid });
      } catch (lookupError) {
        this.ledger.log('warn', op, `looking up ${phoneNumber} failed: ${describeError(lookupError)}`);
      }
      return this.ledger.park(op, error, by);
    }
  }

  async register(op: PurchaseOperationEntity, owner: string, by: Driver): Promise<void> {
    const phoneNumber = op.phoneNumber!;
    if (by === 'reconciler') {
      try {
        const found = await this.voice.findByNumber(phoneNumber);
        if (found) return this.ledger.transition(op, owner, 'recording', { vapiPhoneNumberId: found.id });
      } catch (error) {
        return this.ledger.park(op, error, by);
      }
    }
    try {
      const registered = await this.voice.register({
        phoneNumber,
        name: vapiNameOf(op),
        serverUrl: this.telephony.webhookUrl,
        serverSecret: this.telephony.webhookSecret,
      });
      this.ledger.log('log', op, `registered ${phoneNumber} with VAPI (${registered.id})`);
      return this.ledger.transition(op, owner, 'recording', { vapiPhoneNumberId: registered.id });
    } catch (error) {
      if (!isProviderError(error)) throw error;
      if (error.outcome === 'refused') {
        // The guide's cleanup: a number VAPI refuses is given back to Twilio.
        this.ledger.log('warn', op, `VAPI refused ${phoneNumber} (${error.describe()}); releasing it at Twilio`);
        return this.ledger.transition(op, owner, 'releasing', {
          error: providerFailure(error, 'vapi_registration_failed', `VAPI refused to register ${phoneNumber}; the Twilio number is being released`),
          lastError: error.describe(),
        });
      }
      this.ledger.log('warn', op, `registering ${phoneNumber}: unknown outcome (${error.describe()}); looking it up`);
      try {
        const found = await this.voice.findByNumber(phoneNumber);
        if (found) return this.ledger.transition(op, owner, 'recording', { vapiPhoneNumberId: found.id });
      } catch (lookupError) {
        this.ledger.log('warn', op, `looking up ${phoneNumber} at VAPI failed: ${describeError(lookupError)}`);
      }
      return this.ledger.park(op, error, by);
    }
  }

  /** Stores the number, fulfils the PM's requests and finishes the operation: one transaction. */
  async record(op: PurchaseOperationEntity, owner: string, by: Driver): Promise<void> {
    try {
      await this.ledger.recordNumber(op, owner);
    } catch (error) {
      const refused = translateDatabaseError(error) ?? (error instanceof DomainError ? error : undefined);
      // Serialization failures and deadlocks pass: the reconciler simply records it again.
      // A database that is down (unavailable) is not a refusal: the number is recorded once it is back.
      if (refused && refused.code !== 'concurrent_update' && refused.kind !== 'unavailable') {
        // The database will never take this number: give it back rather than keep paying for it.
        this.ledger.log('error', op, `recording ${op.phoneNumber} was refused (${refused.code}); releasing it`);
        return this.ledger.transition(op, owner, 'releasing', {
          error: err(refused.kind === 'conflict' ? 'conflict' : 'upstream_failed', refused.code, `${refused.message} The purchased number is being released.`),
          lastError: `database: ${refused.code}`,
        });
      }
      return this.ledger.park(op, error, by);
    }
    if (op.state === 'succeeded') this.ledger.log('log', op, `purchase finished: ${op.phoneNumber} recorded as number ${op.purchasedPhoneNumberId}`);
  }

  /** Gives back what a failed purchase holds. Never throws: what fails stays `releasing` and is retried. */
  async compensate(op: PurchaseOperationEntity, owner: string, by: Driver): Promise<void> {
    try {
      if (op.vapiPhoneNumberId) await this.voice.remove(op.vapiPhoneNumberId);
      if (op.twilioSid) await this.numbers.release(op.twilioSid);
    } catch (error) {
      this.ledger.log('error', op, `releasing ${op.phoneNumber} failed, will retry: ${describeError(error)}`);
      return this.ledger.park(op, error, 'reconciler');
    }
    this.ledger.log('warn', op, `released ${op.phoneNumber} (${op.twilioSid}) after a failed purchase`);
    await this.ledger.fail(op, owner, by, op.error ?? err('upstream_failed', 'purchase_failed', 'The purchase failed; the number was released.'));
  }
}

export const err = (kind: StoredError['kind'], code: string, message: string): StoredError => ({ kind, code, message });

export function providerFailure(error: ProviderError, code: string, what: string): StoredError {
  const detail = error.isTimeout
    ? 'it did not answer in time'
    : error.status
      ? `it answered ${error.status}${error.code ? ` (code ${error.code})` : ''}`
      : 'the connection failed';
  return err(error.isTimeout ? 'upstream_timeout' : 'upstream_failed', code, `${what}: ${detail}.`);
}

/** Twilio's FriendlyName carries the operation id (`provider-names.ts`): a crashed purchase finds its number by it. */
const isOurs = (owned: OwnedNumber, op: PurchaseOperationEntity) => Boolean(owned.friendlyName?.includes(op.id));
