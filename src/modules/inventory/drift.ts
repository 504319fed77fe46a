import type { ListedNumber } from '../providers/number-provider';
import type { ListedRegistration } from '../providers/voice-agent-provider';

export const DRIFT_KINDS = [
  'untracked_at_twilio',
  'missing_at_twilio',
  'not_registered_at_vapi',
  'vapi_id_mismatch',
  'orphan_at_vapi',
  'webhook_misconfigured',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** The part of our row the comparison needs. */
export interface OurNumber {
  id: number;
  propertyManagerId: number;
  phoneNumber: string;
  twilioSid: string;
  vapiPhoneNumberId: string | null;
  status: string;
  releasedAt: Date | null;
}

/** What the purchase flow sets: Twilio hands calls and texts to VAPI, VAPI calls our webhook. */
export interface ExpectedUrls {
  voiceUrl: string;
  smsUrl: string;
  serverUrl: string;
}

export interface InFlight {
  phoneNumber: string | null;
  twilioSid: string | null;
  vapiPhoneNumberId: string | null;
}

export interface Finding {
  kind: DriftKind;
  phoneNumber: string;
  ours: OurNumber | null;
  twilio: ListedNumber | null;
  vapi: ListedRegistration[];
  /** What is wrong, in a sentence. */
  problem: string;
  /** The call that fixes it. */
  fix: { method: 'POST'; path: string; body?: Record<string, unknown> };
}

export interface DriftInput {
  ours: OurNumber[];
  twilio: ListedNumber[];
  vapi: ListedRegistration[];
  inFlight: InFlight[];
  expected: ExpectedUrls;
}

/** SIDs this service makes up for numbers bought outside Twilio: never looked for there. */
const isMadeUpSid = (sid: string) => sid.startsWith('local-');

/**
 * Compares our rows with the providers' inventories. Each drift is one finding of one kind:
 * a phone number with no VAPI registration at all is `not_registered_at_vapi` (not also a
 * mismatch), the registrations of a number whose row has the wrong id belong to that
 * `vapi_id_mismatch` (not also orphans), a number Twilio does not hold is only `missing_at_twilio`.
 * Numbers of purchases in flight are left out entirely. Pure: no I/O.
 */
export function findDrift(input: DriftInput): Finding[] {
  const skipPhones = new Set(input.inFlight.map((o) => o.phoneNumber).filter(Boolean));
  const skipSids = new Set(input.inFlight.map((o) => o.twilioSid).filter(Boolean));
  const skipVapi = new Set(input.inFlight.map((o) => o.vapiPhoneNumberId).filter(Boolean));
  const twilio = input.twilio.filter((t) => !skipPhones.has(t.phoneNumber) && !skipSids.has(t.sid));
  const vapi = input.vapi.filter((v) => !skipPhones.has(v.phoneNumber) && !skipVapi.has(v.id));
  const ours = input.ours.filter((n) => !skipPhones.has(n.phoneNumber));

  const twilioByPhone = new Map(twilio.map((t) => [t.phoneNumber, t]));
  const vapiByPhone = new Map<string, ListedRegistration[]>();
  for (const v of vapi) vapiByPhone.set(v.phoneNumber, [...(vapiByPhone.get(v.phoneNumber) ?? []), v]);
  const unreleasedByPhone = new Map(ours.filter((n) => !n.releasedAt).map((n) => [n.phoneNumber, n]));
  const knownVapiIds = new Set(ours.map((n) => n.vapiPhoneNumberId).filter(Boolean));
  const claimedPhones = new Set<string>();
  const findings: Finding[] = [];
  const repair = (n: OurNumber) => ({ method: 'POST' as const, path: `/admin/purchased-numbers/${n.id}/repair` });

  for (const t of twilio) {
    if (unreleasedByPhone.has(t.phoneNumber)) continue;
    findings.push({
      kind: 'untracked_at_twilio',
      phoneNumber: t.phoneNumber,
      ours: null,
      twilio: t,
      vapi: vapiByPhone.get(t.phoneNumber) ?? [],
      problem: 'Twilio holds (and bills) this number; we have no row for it.',
      fix: { method: 'POST', path: '/admin/inventory/adopt', body: { phone_number: t.phoneNumber, property_manager_id: '<PM id>' } },
    });
    // Its registrations come with it when it is adopted (or go when it is released).
    claimedPhones.add(t.phoneNumber);
  }

  for (const n of ours) {
    if (n.status === 'inactive' || n.releasedAt) continue;
    const t = twilioByPhone.get(n.phoneNumber);
    const registrations = vapiByPhone.get(n.phoneNumber) ?? [];
    const base = { phoneNumber: n.phoneNumber, ours: n, twilio: t ?? null, vapi: registrations, fix: repair(n) };
    if (!t) {
      if (isMadeUpSid(n.twilioSid)) continue;
      findings.push({ ...base, kind: 'missing_at_twilio', problem: `Our row is ${n.status}, but Twilio does not hold the number; repair records it released (inactive).` });
      claimedPhones.add(n.phoneNumber);
      continue;
    }
    const registered = registrations.find((v) => v.id === n.vapiPhoneNumberId);
    if (registrations.length === 0) {
      findings.push({ ...base, kind: 'not_registered_at_vapi', problem: 'Ours and at Twilio, but not registered at VAPI: calls will not reach the assistant.' });
    } else if (!registered) {
      const why = n.vapiPhoneNumberId ? `our VAPI id ${n.vapiPhoneNumberId} is unknown to VAPI or names another number` : 'our row has no VAPI id';
      findings.push({ ...base, kind: 'vapi_id_mismatch', problem: `Registered at VAPI, but ${why}.` });
      claimedPhones.add(n.phoneNumber);
    }
    const wrong: string[] = [];
    if (t.voiceUrl !== input.expected.voiceUrl) wrong.push(`Twilio voice URL is ${t.voiceUrl ?? 'unset'}`);
    if (t.smsUrl !== input.expected.smsUrl) wrong.push(`Twilio SMS URL is ${t.smsUrl ?? 'unset'}`);
    if (registered && registered.serverUrl !== input.expected.serverUrl) wrong.push(`VAPI server URL is ${registered.serverUrl ?? 'unset'}`);
    if (wrong.length > 0) findings.push({ ...base, kind: 'webhook_misconfigured', problem: `${wrong.join('; ')}; the purchase flow sets other URLs.` });
  }

  for (const v of vapi) {
    if (knownVapiIds.has(v.id) || claimedPhones.has(v.phoneNumber)) continue;
    findings.push({
      kind: 'orphan_at_vapi',
      phoneNumber: v.phoneNumber,
      ours: unreleasedByPhone.get(v.phoneNumber) ?? null,
      twilio: twilioByPhone.get(v.phoneNumber) ?? null,
      vapi: [v],
      problem: 'Registered at VAPI, but none of our numbers knows this registration.',
      fix: { method: 'POST', path: '/admin/inventory/release', body: { vapi_phone_number_id: v.id } },
    });
  }
  return findings;
}

/** The monthly cost of untracked numbers: Twilio's price where it gives one, else the configured one. */
export function untrackedMonthlyCost(findings: Finding[], configuredPrice: number | undefined): { amount: number | null; unpriced: number } {
  let amount = 0;
  let unpriced = 0;
  for (const f of findings) {
    if (f.kind !== 'untracked_at_twilio') continue;
    const price = f.twilio?.monthlyPrice ?? configuredPrice;
    if (price === undefined || price === null) unpriced += 1;
    else amount += price;
  }
  const count = findings.filter((f) => f.kind === 'untracked_at_twilio').length;
  return { amount: unpriced === count && count > 0 ? null : Math.round(amount * 100) / 100, unpriced };
}
