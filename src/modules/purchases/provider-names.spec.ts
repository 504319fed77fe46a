import { randomUUID } from 'node:crypto';
import { TWILIO_FRIENDLY_NAME_MAX, twilioFriendlyNameOf, VAPI_NAME_MAX, vapiNameOf } from './provider-names';

describe('provider names of a purchase', () => {
  const op = { id: '0f6e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', propertyManagerId: 12 };
  // The largest PM id the column holds (integer).
  const widest = { id: randomUUID(), propertyManagerId: 2_147_483_647 };

  it('names the Twilio number with the PM and the full operation id, within 64 characters', () => {
    expect(twilioFriendlyNameOf(op)).toBe('PM 12 purchase 0f6e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b');
    expect(twilioFriendlyNameOf(widest).length).toBeLessThanOrEqual(TWILIO_FRIENDLY_NAME_MAX);
  });

  it('names the VAPI number with the PM and the first 8 hex digits of the operation id, within 40 characters', () => {
    expect(vapiNameOf(op)).toBe('PM 12 op 0f6e1a2b');
    expect(vapiNameOf(widest).length).toBeLessThanOrEqual(VAPI_NAME_MAX);
    expect(op.id.startsWith(vapiNameOf(op).split(' op ')[1])).toBe(true);
  });

  it('keeps the full operation id only in the Twilio name, which is how a purchase recognises its number there', () => {
    expect(twilioFriendlyNameOf(op).includes(op.id)).toBe(true);
    expect(vapiNameOf(op).includes(op.id)).toBe(false);
  });
});
