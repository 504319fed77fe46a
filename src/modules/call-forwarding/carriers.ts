/** Carriers' dial codes for forwarding a mobile line (ORIGIN.md's table, kept exactly). */
export type CarrierType = 'gsm' | 'verizon' | 'xfinity' | 'google_fi';

export interface Carrier {
  name: string;
  type: CarrierType;
  notes: string;
}

const GSM_NOTES = 'GSM codes. No-answer forwarding rings for 25 seconds before forwarding.';

export const CARRIERS: readonly Carrier[] = [
  { name: 'AT&T', type: 'gsm', notes: GSM_NOTES },
  { name: 'T-Mobile', type: 'gsm', notes: GSM_NOTES },
  { name: 'Mint', type: 'gsm', notes: GSM_NOTES },
  { name: 'Metro', type: 'gsm', notes: GSM_NOTES },
  { name: 'Consumer Cellular', type: 'gsm', notes: GSM_NOTES },
  { name: 'Ultra Mobile', type: 'gsm', notes: GSM_NOTES },
  { name: 'Verizon', type: 'verizon', notes: 'Forward all calls only; no-answer forwarding is not supported; no check code.' },
  { name: 'Xfinity Mobile', type: 'xfinity', notes: 'Forward all calls with *72, no-answer calls with *71; *73 turns either off; no check code.' },
  { name: 'Google Fi', type: 'google_fi', notes: 'Forwarding is set up only in the Google Fi app or website; no dial codes.' },
];

/** An unknown or missing carrier is treated as AT&T (ORIGIN.md). */
export const DEFAULT_CARRIER = CARRIERS[0];

export function findCarrier(name: string | null | undefined): Carrier | undefined {
  if (!name) return undefined;
  const wanted = name.trim().toLowerCase();
  return CARRIERS.find((c) => c.name.toLowerCase() === wanted);
}

export interface CodeSet {
  activate: string | null;
  deactivate: string | null;
  check: string | null;
}

export interface ForwardingCodes {
  carrier: string;
  carrier_type: CarrierType;
  /** Forward every call (business hours). */
  forward_all: CodeSet;
  /** Forward calls not answered (after hours); all null where the carrier has no such code. */
  no_answer: CodeSet;
  custom_ring_time: boolean;
  /** Seconds the phone rings before a no-answer forward; null without custom ring time. */
  ring_time_seconds: number | null;
  notes: string;
}

const none: CodeSet = { activate: null, deactivate: null, check: null };

/**
 * The dial codes to forward a line to `number` (the number assigned now, E.164) on `carrierName`.
 * Without a number every code is null: nothing stale can ever be shown.
 */
export function forwardingCodes(carrierName: string | null | undefined, number: string | null): ForwardingCodes {
  const carrier = findCarrier(carrierName) ?? DEFAULT_CARRIER;
  const base = { carrier: carrier.name, carrier_type: carrier.type, notes: carrier.notes };
  const gsm = carrier.type === 'gsm';
  const ring = { custom_ring_time: gsm, ring_time_seconds: gsm ? 25 : null };
  if (!number) return { ...base, forward_all: { ...none }, no_answer: { ...none }, ...ring };
  const digits = number.replace(/^\+/, '');
  switch (carrier.type) {
    case 'gsm':
      return {
        ...base,
        forward_all: { activate: `**21*${number}#`, deactivate: '##21#', check: '*#21#' },
        no_answer: { activate: `**61*${number}**25#`, deactivate: '##61#', check: '*#61#' },
        ...ring,
      };
    case 'verizon':
      return { ...base, forward_all: { activate: `*72 ${digits}`, deactivate: '*73', check: null }, no_answer: { ...none }, ...ring };
    case 'xfinity':
      return {
        ...base,
        forward_all: { activate: `*72 ${digits}`, deactivate: '*73', check: null },
        no_answer: { activate: `*71 ${digits}`, deactivate: '*73', check: null },
        ...ring,
      };
    case 'google_fi':
      return { ...base, forward_all: { ...none }, no_answer: { ...none }, ...ring };
  }
}
