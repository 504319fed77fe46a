import { Injectable, Logger } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../../common/auth/principal';
import { PurchasedPhoneNumberEntity } from '../numbers/entities/purchased-phone-number.entity';
import { NumbersService } from '../numbers/numbers.service';
import { isProviderError, NumberProvider } from '../providers/number-provider';
import { TelephonySettings } from '../providers/telephony-settings';
import { VoiceAgentProvider } from '../providers/voice-agent-provider';
import { ReleaseFailedError, ReleaseTimedOutError, TelephonyNotConfiguredError } from './purchases.errors';

/**
 * Gives a number back at VAPI and Twilio and keeps the row as `inactive` (with `released_at`) for
 * history. The providers are called while the numbers module holds the number's lock, so two
 * concurrent releases call them once; if they fail, nothing here changes and the admin simply
 * retries (both calls treat "already gone" as done).
 */
@Injectable()
export class NumberReleaseService {
  private readonly logger = new Logger(NumberReleaseService.name);

  constructor(
    private readonly telephony: TelephonySettings,
    private readonly numbers: NumbersService,
    private readonly numberProvider: NumberProvider,
    private readonly voice: VoiceAgentProvider,
    private readonly audit: AuditService,
  ) {}

  /** Refuses (503) before anything changes when live telephony settings are missing. */
  assertConfigured(): void {
    if (this.telephony.missing.length > 0) throw new TelephonyNotConfiguredError(this.telephony.missing);
  }

  @Transactional()
  async release(id: number, actor: Actor): Promise<PurchasedPhoneNumberEntity> {
    if (this.telephony.missing.length > 0) throw new TelephonyNotConfiguredError(this.telephony.missing);
    const { number, previousStatus } = await this.numbers.release(id, (locked) => this.giveBack(locked));
    await this.audit.record(actor, {
      action: 'purchased_number.release',
      targetType: 'purchased_phone_number',
      targetId: id,
      details: { previous_status: previousStatus, phone_number: number.phoneNumber, sandbox: this.telephony.sandbox },
    });
    this.logger.log({ telephony: this.mode, number_id: id, msg: `released ${number.phoneNumber}` });
    return number;
  }

  private async giveBack(number: PurchasedPhoneNumberEntity): Promise<void> {
    try {
      // VAPI first, so calls stop reaching the assistant before the number goes.
      if (number.vapiPhoneNumberId) await this.voice.remove(number.vapiPhoneNumberId);
      // Numbers added by hand without a Twilio SID have nothing to give back there.
      if (number.twilioSid.startsWith('PN') || number.twilioSid.startsWith('SB')) await this.numberProvider.release(number.twilioSid);
    } catch (error) {
      if (!isProviderError(error)) throw error;
      this.logger.warn({ telephony: this.mode, number_id: number.id, msg: `release failed: ${error.describe()}` });
      const provider = error.provider === 'vapi' ? 'VAPI' : 'Twilio';
      throw error.isTimeout ? new ReleaseTimedOutError(number.phoneNumber, provider) : new ReleaseFailedError(number.phoneNumber, provider);
    }
  }

  private get mode(): string {
    return this.telephony.sandbox ? 'sandbox' : 'live';
  }
}
