import { DriftInput, findDrift, OurNumber, untrackedMonthlyCost } from './drift';

const expected = { voiceUrl: 'https://vapi/in', smsUrl: 'https://vapi/sms', serverUrl: 'https://us/hook' };
const ours = (id: number, phone: string, patch: Partial<OurNumber> = {}): OurNumber => ({
  id,
  propertyManagerId: 1,
  phoneNumber: phone,
  twilioSid: `PN${id}`,
  vapiPhoneNumberId: `v${id}`,
  status: 'available',
  releasedAt: null,
  ...patch,
});
const atTwilio = (phone: string, sid: string, patch = {}) => ({ sid, phoneNumber: phone, friendlyName: null, voiceUrl: expected.voiceUrl, smsUrl: expected.smsUrl, monthlyPrice: null, ...patch });
const atVapi = (phone: string, id: string, serverUrl: string | null = expected.serverUrl) => ({ id, phoneNumber: phone, serverUrl });
const run = (input: Partial<DriftInput>) => findDrift({ ours: [], twilio: [], vapi: [], inFlight: [], expected, ...input }).map((f) => [f.kind, f.phoneNumber]);

describe('findDrift', () => {
  it('finds nothing when all three agree', () => {
    expect(run({ ours: [ours(1, '+1')], twilio: [atTwilio('+1', 'PN1')], vapi: [atVapi('+1', 'v1')] })).toEqual([]);
  });

  it('reports each drift once, of one kind', () => {
    const findings = run({
      ours: [
        ours(2, '+2'), // missing at Twilio (its registration is not also an orphan)
        ours(3, '+3'), // not registered at VAPI (not also a mismatch)
        ours(4, '+4', { vapiPhoneNumberId: null }), // mismatch (the registration is not also an orphan)
        ours(5, '+5'), // registered twice: one orphan
        ours(6, '+6'), // webhook
        ours(7, '+7', { status: 'inactive' }), // out of service: not checked
        ours(8, '+8', { twilioSid: 'local-abc' }), // bought elsewhere: not looked for at Twilio
      ],
      twilio: [atTwilio('+1', 'PN9'), atTwilio('+3', 'PN3'), atTwilio('+4', 'PN4'), atTwilio('+5', 'PN5'), atTwilio('+6', 'PN6', { smsUrl: null })],
      vapi: [atVapi('+1', 'x1'), atVapi('+2', 'v2'), atVapi('+4', 'x4'), atVapi('+5', 'v5'), atVapi('+5', 'x5'), atVapi('+6', 'v6', 'https://old')],
    });
    expect(findings).toEqual([
      ['untracked_at_twilio', '+1'],
      ['missing_at_twilio', '+2'],
      ['not_registered_at_vapi', '+3'],
      ['vapi_id_mismatch', '+4'],
      ['webhook_misconfigured', '+6'],
      ['orphan_at_vapi', '+5'],
    ]);
  });

  it('leaves the numbers of purchases in flight out entirely', () => {
    expect(
      run({
        twilio: [atTwilio('+1', 'PN1')],
        vapi: [atVapi('+1', 'v1'), atVapi('+9', 'v9')],
        inFlight: [{ phoneNumber: '+1', twilioSid: 'PN1', vapiPhoneNumberId: 'v1' }, { phoneNumber: null, twilioSid: null, vapiPhoneNumberId: 'v9' }],
      }),
    ).toEqual([]);
  });

  it('prices untracked numbers with Twilio’s price, else the configured one', () => {
    const findings = findDrift({ ours: [], twilio: [atTwilio('+1', 'PN1', { monthlyPrice: 2 }), atTwilio('+2', 'PN2')], vapi: [], inFlight: [], expected });
    expect(untrackedMonthlyCost(findings, 1.15)).toEqual({ amount: 3.15, unpriced: 0 });
    expect(untrackedMonthlyCost(findings, undefined)).toEqual({ amount: 2, unpriced: 1 });
    expect(untrackedMonthlyCost([], undefined)).toEqual({ amount: 0, unpriced: 0 });
  });
});
