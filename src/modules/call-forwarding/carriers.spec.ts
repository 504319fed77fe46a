import { CARRIERS, forwardingCodes } from './carriers';

const N = '+14125551234';
const gsm = {
  forward_all: { activate: `**21*${N}#`, deactivate: '##21#', check: '*#21#' },
  no_answer: { activate: `**61*${N}**25#`, deactivate: '##61#', check: '*#61#' },
  custom_ring_time: true,
  ring_time_seconds: 25,
};
const nothing = { activate: null, deactivate: null, check: null };

describe('forwarding codes (ORIGIN.md table)', () => {
  it.each(['AT&T', 'T-Mobile', 'Mint', 'Metro', 'Consumer Cellular', 'Ultra Mobile'])('%s: GSM codes with the E.164 number', (carrier) => {
    expect(forwardingCodes(carrier, N)).toMatchObject({ carrier, carrier_type: 'gsm', ...gsm });
  });

  it('Verizon: *72 with digits, *73, no check, no no-answer, no ring time', () => {
    expect(forwardingCodes('Verizon', N)).toMatchObject({
      carrier_type: 'verizon',
      forward_all: { activate: '*72 14125551234', deactivate: '*73', check: null },
      no_answer: nothing,
      custom_ring_time: false,
      ring_time_seconds: null,
    });
  });

  it('Xfinity Mobile: *72 / *71 with digits, *73, no check', () => {
    expect(forwardingCodes('Xfinity Mobile', N)).toMatchObject({
      carrier_type: 'xfinity',
      forward_all: { activate: '*72 14125551234', deactivate: '*73', check: null },
      no_answer: { activate: '*71 14125551234', deactivate: '*73', check: null },
      custom_ring_time: false,
    });
  });

  it('Google Fi: no codes at all (its app or website only)', () => {
    expect(forwardingCodes('Google Fi', N)).toMatchObject({ carrier_type: 'google_fi', forward_all: nothing, no_answer: nothing, custom_ring_time: false });
  });

  it.each([null, undefined, '', 'Sprint'])('an unknown or missing carrier (%p) is AT&T', (carrier) => {
    expect(forwardingCodes(carrier, N)).toMatchObject({ carrier: 'AT&T', carrier_type: 'gsm', ...gsm });
  });

  it.each(CARRIERS.map((c) => c.name))('%s without an assigned number: every code is null', (carrier) => {
    const codes = forwardingCodes(carrier, null);
    expect(codes.forward_all).toEqual(nothing);
    expect(codes.no_answer).toEqual(nothing);
  });

  it('matches a carrier name in any case', () => {
    expect(forwardingCodes('verizon', N).carrier).toBe('Verizon');
  });
});
