import { Injectable } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import type { Actor } from '../../common/auth/principal';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { PurchasedPhoneNumberEntity } from '../numbers/entities/purchased-phone-number.entity';
import { NumbersService } from '../numbers/numbers.service';
import { isProviderError, ListedNumber, NumberProvider } from '../providers/number-provider';
import { TelephonySettings } from '../providers/telephony-settings';
import { ListedRegistration, VoiceAgentProvider } from '../providers/voice-agent-provider';
import { TelephonyNotConfiguredError } from '../purchases/purchases.errors';
import { PurchasesService } from '../purchases/purchases.service';
import { DRIFT_KINDS, DriftKind, ExpectedUrls, findDrift, Finding, untrackedMonthlyCost } from './drift';
import { inventoryProviderError, NotAtTwilioError, PurchaseInFlightError, TrackedNumberError } from './inventory.errors';

export interface DriftReport {
  checkedAt: Date;
  sandbox: boolean;
  counts: Record<DriftKind, number>;
  inventory: { ours: number; twilio: number; vapi: number };
  untrackedMonthlyCost: { amount: number | null; unpriced: number };
  findings: Finding[];
}

export interface RepairOutcome {
  number: PurchasedPhoneNumberEntity;
  /** What was done; empty when nothing needed doing. */
  actions: string[];
}

/**
 * The inventory truth: compares, live, every number Twilio holds and every VAPI registration with
 * our rows, and repairs what differs. Provider failures fail the whole call (no partial report, no
 * half repair recorded); every repair is audited, and repeating it finds nothing left to do.
 */
@Injectable()
export class InventoryService {
  constructor(
    private readonly config: AppConfig,
    private readonly telephony: TelephonySettings,
    private readonly numberProvider: NumberProvider,
    private readonly voice: VoiceAgentProvider,
    private readonly numbers: NumbersService,
    private readonly purchases: PurchasesService,
    private readonly audit: AuditService,
  ) {}

  get expected(): ExpectedUrls {
    return { voiceUrl: this.telephony.vapiInboundVoiceUrl, smsUrl: this.telephony.vapiInboundSmsUrl, serverUrl: this.telephony.webhookUrl };
  }

  async report(kind?: DriftKind): Promise<DriftReport> {
    this.requireTelephony();
    const checkedAt = new Date();
    // Providers first, then our rows and purchases in flight (or finished since the start): a
    // purchase completing during the check is left out rather than half seen.
    const [twilio, vapi] = await this.readProviders('Reading the inventory');
    const { ours, inFlight } = await this.readOurs(checkedAt);
    const all = findDrift({ ours, twilio, vapi, inFlight, expected: this.expected });
    const counts = Object.fromEntries(DRIFT_KINDS.map((k) => [k, all.filter((f) => f.kind === k).length])) as Record<DriftKind, number>;
    return {
      checkedAt,
      sandbox: this.telephony.sandbox,
      counts,
      inventory: { ours: ours.length, twilio: twilio.length, vapi: vapi.length },
      untrackedMonthlyCost: untrackedMonthlyCost(all, this.config.telephony.twilioNumberMonthlyPrice),
      findings: kind ? all.filter((f) => f.kind === kind) : all,
    };
  }

  /**
   * Records an untracked Twilio number for a PM with its real SID, registered at VAPI (its
   * existing registration if it has one) and pointed where the purchase flow points numbers.
   * Again for the same number and PM: the recorded row, nothing called.
   */
  @Transactional()
  async adopt(input: { phoneNumber: string; propertyManagerId: number; notes?: string | null }, actor: Actor) {
    this.requireTelephony();
    await this.refuseInFlight((o) => o.phoneNumber === input.phoneNumber, input.phoneNumber);
    const existing = (await this.numbers.all()).find((n) => n.phoneNumber === input.phoneNumber);
    if (existing) return this.numbers.adopt({ ...input, twilioSid: existing.twilioSid, vapiPhoneNumberId: existing.vapiPhoneNumberId });
    const owned = await this.provider('Adopting a number', () => this.numberProvider.findOwned(input.phoneNumber));
    if (!owned) throw new NotAtTwilioError(input.phoneNumber);
    const registrations = await this.provider('Adopting a number', () => this.voice.listAll());
    const actions: string[] = [];
    let registration = registrations.find((r) => r.phoneNumber === input.phoneNumber);
    const known = new Set((await this.numbers.all()).map((n) => n.vapiPhoneNumberId));
    if (registration && known.has(registration.id)) registration = undefined;
    const vapiId = await this.provider('Adopting a number', async () => {
      await this.numberProvider.updateUrls(owned.sid, { voiceUrl: this.expected.voiceUrl, smsUrl: this.expected.smsUrl });
      actions.push('twilio_urls_set');
      if (registration) {
        if (registration.serverUrl !== this.expected.serverUrl) {
          await this.voice.updateServer(registration.id, { serverUrl: this.expected.serverUrl, serverSecret: this.telephony.webhookSecret });
          actions.push('vapi_server_url_reset');
        }
        return registration.id;
      }
      const created = await this.voice.register({
        phoneNumber: input.phoneNumber,
        name: `PM ${input.propertyManagerId} adopted`,
        serverUrl: this.expected.serverUrl,
        serverSecret: this.telephony.webhookSecret,
      });
      actions.push('vapi_registered');
      return created.id;
    });
    const added = await this.numbers.adopt({ ...input, twilioSid: owned.sid, vapiPhoneNumberId: vapiId });
    await this.audit.record(actor, {
      action: 'inventory.adopt',
      targetType: 'purchased_phone_number',
      targetId: added.number.id,
      details: { phone_number: input.phoneNumber, twilio_sid: owned.sid, vapi_phone_number_id: vapiId, actions, sandbox: this.telephony.sandbox },
    });
    return added;
  }

  /**
   * Brings one of our numbers in line with what the purchase flow sets: Twilio's voice and SMS
   * URLs, a VAPI registration our row names (an existing one for the number, else a new one) with
   * our webhook as its server URL. A number Twilio no longer holds becomes inactive with the reason.
   * Runs under the number's row lock; numbers of purchases in flight are left to the purchase flow.
   */
  @Transactional()
  async repair(id: number, actor: Actor): Promise<RepairOutcome> {
    this.requireTelephony();
    const actions: string[] = [];
    const { number, changed } = await this.numbers.repair(id, async (n) => {
      await this.refuseInFlight((o) => o.phoneNumber === n.phoneNumber, n.phoneNumber);
      const [twilio, vapi] = await this.readProviders('Repairing a number');
      return this.provider('Repairing a number', () => this.fix(n, twilio, vapi, actions));
    });
    await this.audit.record(actor, {
      action: 'inventory.repair',
      targetType: 'purchased_phone_number',
      targetId: id,
      details: { phone_number: number.phoneNumber, actions, row_changed: changed, status: number.status, sandbox: this.telephony.sandbox },
    });
    return { number, actions };
  }

  /** Releases a Twilio number or a VAPI registration that none of our numbers holds. */
  @Transactional()
  async release(target: { twilioSid?: string; vapiPhoneNumberId?: string }, actor: Actor): Promise<{ released: boolean }> {
    this.requireTelephony();
    const rows = await this.numbers.all();
    let released = false;
    if (target.twilioSid) {
      const row = rows.find((n) => n.twilioSid === target.twilioSid && !n.releasedAt);
      if (row) throw new TrackedNumberError(`Twilio number ${target.twilioSid}`, row.id, row.status);
      await this.refuseInFlight((o) => o.twilioSid === target.twilioSid, `Twilio number ${target.twilioSid}`);
      const held = (await this.provider('Releasing a number', () => this.numberProvider.listAll())).some((t) => t.sid === target.twilioSid);
      if (held) {
        await this.provider('Releasing a number', () => this.numberProvider.release(target.twilioSid!));
        released = true;
      }
    } else if (target.vapiPhoneNumberId) {
      const row = rows.find((n) => n.vapiPhoneNumberId === target.vapiPhoneNumberId);
      if (row) throw new TrackedNumberError(`VAPI registration ${target.vapiPhoneNumberId}`, row.id, row.status);
      await this.refuseInFlight((o) => o.vapiPhoneNumberId === target.vapiPhoneNumberId, `VAPI registration ${target.vapiPhoneNumberId}`);
      const held = (await this.provider('Releasing a registration', () => this.voice.listAll())).some((v) => v.id === target.vapiPhoneNumberId);
      if (held) {
        await this.provider('Releasing a registration', () => this.voice.remove(target.vapiPhoneNumberId!));
        released = true;
      }
    }
    await this.audit.record(actor, {
      action: 'inventory.release',
      targetType: target.twilioSid ? 'twilio_number' : 'vapi_phone_number',
      targetId: target.twilioSid ?? target.vapiPhoneNumberId,
      details: { released, sandbox: this.telephony.sandbox },
    });
    return { released };
  }

  private async fix(n: PurchasedPhoneNumberEntity, twilio: ListedNumber[], vapi: ListedRegistration[], actions: string[]) {
    const held = twilio.find((t) => t.phoneNumber === n.phoneNumber);
    if (!held) {
      // Its registrations serve nothing any more: calls to a number nobody holds never come.
      for (const v of vapi.filter((r) => r.phoneNumber === n.phoneNumber || r.id === n.vapiPhoneNumberId)) {
        await this.voice.remove(v.id);
        actions.push('vapi_registration_removed');
      }
      actions.push('marked_released');
      return { goneReason: `Twilio no longer holds this number (found ${new Date().toISOString()})` };
    }
    if (held.voiceUrl !== this.expected.voiceUrl || held.smsUrl !== this.expected.smsUrl) {
      await this.numberProvider.updateUrls(held.sid, { voiceUrl: this.expected.voiceUrl, smsUrl: this.expected.smsUrl });
      actions.push('twilio_urls_reset');
    }
    const registrations = vapi.filter((v) => v.phoneNumber === n.phoneNumber);
    let registration = registrations.find((v) => v.id === n.vapiPhoneNumberId) ?? registrations[0];
    if (!registration) {
      const created = await this.voice.register({
        phoneNumber: n.phoneNumber,
        name: `PM ${n.propertyManagerId} number ${n.id}`,
        serverUrl: this.expected.serverUrl,
        serverSecret: this.telephony.webhookSecret,
      });
      actions.push('vapi_registered');
      registration = { ...created, serverUrl: this.expected.serverUrl };
    } else if (registration.id !== n.vapiPhoneNumberId) {
      actions.push('vapi_id_recorded');
    }
    if (registration.serverUrl !== this.expected.serverUrl) {
      await this.voice.updateServer(registration.id, { serverUrl: this.expected.serverUrl, serverSecret: this.telephony.webhookSecret });
      actions.push('vapi_server_url_reset');
    }
    return { vapiPhoneNumberId: registration.id };
  }

  private async readProviders(doing: string): Promise<[ListedNumber[], ListedRegistration[]]> {
    return this.provider(doing, () => Promise.all([this.numberProvider.listAll(), this.voice.listAll()]));
  }

  @Transactional()
  private async readOurs(since: Date) {
    const ours = await this.numbers.all();
    const inFlight = await this.purchases.numbersInFlight(since);
    return { ours, inFlight };
  }

  private async refuseInFlight(match: (o: { phoneNumber: string | null; twilioSid: string | null; vapiPhoneNumberId: string | null }) => boolean, what: string) {
    const inFlight = await this.purchases.numbersInFlight(new Date());
    if (inFlight.some(match)) throw new PurchaseInFlightError(what);
  }

  private async provider<T>(doing: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isProviderError(error)) throw inventoryProviderError(error, doing);
      throw error;
    }
  }

  private requireTelephony(): void {
    if (this.telephony.missing.length > 0) throw new TelephonyNotConfiguredError(this.telephony.missing);
  }
}
