import type { AddedNumber } from '../numbers/numbers.service';
import { toAddedPurchasedNumberDto, toPurchasedNumberDto } from '../purchased-numbers/purchased-numbers.mapper';
import type { Finding } from './drift';
import { AdoptedNumberDto, DriftFindingDto, DriftReportDto, RepairedNumberDto } from './dto/inventory.dto';
import type { DriftReport, RepairOutcome } from './inventory.service';

export const toDriftFindingDto = (f: Finding): DriftFindingDto => ({
  kind: f.kind,
  phone_number: f.phoneNumber,
  problem: f.problem,
  ours: f.ours
    ? {
        purchased_phone_number_id: f.ours.id,
        property_manager_id: f.ours.propertyManagerId,
        status: f.ours.status,
        twilio_sid: f.ours.twilioSid,
        vapi_phone_number_id: f.ours.vapiPhoneNumberId,
      }
    : null,
  twilio: f.twilio ? { sid: f.twilio.sid, voice_url: f.twilio.voiceUrl, sms_url: f.twilio.smsUrl, monthly_price: f.twilio.monthlyPrice } : null,
  vapi: f.vapi.map((v) => ({ id: v.id, server_url: v.serverUrl })),
  fix: f.fix,
});

export const toDriftReportDto = (r: DriftReport): DriftReportDto => ({
  checked_at: r.checkedAt,
  sandbox: r.sandbox,
  summary: {
    counts: r.counts,
    total: Object.values(r.counts).reduce((a, b) => a + b, 0),
    untracked_cost: { monthly_amount: r.untrackedMonthlyCost.amount, currency: 'USD', unpriced: r.untrackedMonthlyCost.unpriced },
    inventory: r.inventory,
  },
  findings: r.findings.map(toDriftFindingDto),
});

export const toAdoptedNumberDto = (added: AddedNumber & { adopted: boolean }): AdoptedNumberDto => ({
  ...toAddedPurchasedNumberDto(added),
  adopted: added.adopted,
});

export const toRepairedNumberDto = (r: RepairOutcome): RepairedNumberDto => ({ number: toPurchasedNumberDto(r.number), actions: r.actions });
