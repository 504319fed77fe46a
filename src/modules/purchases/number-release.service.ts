import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UpstreamFailedError, UpstreamTimeoutError, withOutcomeAudited } from '../../common/errors/domain-error';
import { AssignmentsService } from '../assignments/assignments.service';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/principal';
import { isProviderError, NumberProvider } from '../providers/number-provider';
import { TelephonySettings } from '../providers/telephony-settings';
import { VoiceAgentProvider } from '../providers/voice-agent-provider';
import { PurchasedPhoneNumberEntity } from '../purchased-numbers/entities/purchased-phone-number.entity';
import { NumberNotFoundError, NumberReleasedError } from '../purchased-numbers/purchased-numbers.errors';
import { TelephonyNotConfiguredError } from './purchases.errors';

/**
 * Gives a number back at VAPI and Twilio, then ends its assignment and keeps the row as
 * `inactive` (with `released_at`) for history. Providers first: if they fail, nothing in our
 * database changes and the admin can simply retry (both calls treat "already gone" as done).
 */
@Injectable()
export class NumberReleaseService {
  private readonly logger = new Logger(NumberReleaseService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly telephony: TelephonySettings,
    private readonly numbers: NumberProvider,
    private readonly voice: VoiceAgentProvider,
    private readonly assignments: AssignmentsService,
    private readonly audit: AuditService,
  ) {}

  async release(id: number, actor: Actor): Promise<PurchasedPhoneNumberEntity> {
    const number = await this.dataSource.getRepository(PurchasedPhoneNumberEntity).findOne({ where: { id } });
    if (!number) throw new NumberNotFoundError(id);
    if (number.releasedAt) throw new NumberReleasedError(id);
    if (this.telephony.missing.length > 0) throw new TelephonyNotConfiguredError(this.telephony.missing);

    try {
      // VAPI first, so calls stop reaching the assistant before the number goes.
      if (number.vapiPhoneNumberId) await this.voice.remove(number.vapiPhoneNumberId);
      // Numbers added by hand without a Twilio SID have nothing to give back there.
      if (number.twilioSid.startsWith('PN') || number.twilioSid.startsWith('SB')) await this.numbers.release(number.twilioSid);
    } catch (error) {
      if (!isProviderError(error)) throw error;
      this.logger.warn({ telephony: this.telephony.sandbox ? 'sandbox' : 'live', number_id: id, msg: `release failed: ${error.describe()}` });
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, actor, {
          action: 'purchased_number.release',
          targetType: 'purchased_phone_number',
          targetId: id,
          outcome: 'failure',
          details: { provider_error: error.describe() },
        }),
      );
      const message = `Releasing ${number.phoneNumber} at ${error.provider === 'vapi' ? 'VAPI' : 'Twilio'} failed; nothing changed here, retry.`;
      throw withOutcomeAudited(
        error.isTimeout ? new UpstreamTimeoutError('release_timed_out', message) : new UpstreamFailedError('release_failed', message),
      );
    }

    return this.dataSource.transaction(async (manager) => {
      const locked = await manager.findOne(PurchasedPhoneNumberEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!locked) throw new NumberNotFoundError(id);
      if (locked.releasedAt) throw new NumberReleasedError(id);
      const previousStatus = locked.status;
      await this.assignments.endCurrentAssignment(manager, locked, 'released');
      locked.status = 'inactive';
      locked.releasedAt = new Date();
      await manager.save(locked);
      await this.audit.record(manager, actor, {
        action: 'purchased_number.release',
        targetType: 'purchased_phone_number',
        targetId: id,
        details: { previous_status: previousStatus, phone_number: locked.phoneNumber, sandbox: this.telephony.sandbox },
      });
      this.logger.log({ telephony: this.telephony.sandbox ? 'sandbox' : 'live', number_id: id, msg: `released ${locked.phoneNumber}` });
      return locked;
    });
  }
}
