import { loadConfig } from '../../config/app-config';
import { outcomeOfStatus } from './provider-error';
import { TelephonySettings } from './telephony-settings';

describe('TelephonySettings', () => {
  it('lists every missing live setting, and none in sandbox', () => {
    expect(new TelephonySettings(loadConfig({ TELEPHONY_MODE: 'live' })).missing).toEqual([
      'TWILIO_ACCOUNT_SID',
      'TWILIO_AUTH_TOKEN',
      'VAPI_API_KEY',
      'PUBLIC_BASE_URL',
      'VAPI_WEBHOOK_SECRET',
    ]);
    expect(new TelephonySettings(loadConfig({ TELEPHONY_MODE: 'sandbox' })).missing).toEqual([]);
  });

  it("accepts the guide's …2 names and points Twilio's webhooks at VAPI", () => {
    const settings = new TelephonySettings(
      loadConfig({
        TWILIO_ACCOUNT_SID2: 'AC0123456789abcdef0123456789abcdef',
        TWILIO_AUTH_TOKEN2: 't',
        VAPI_API_KEY2: 'k',
        PUBLIC_BASE_URL: 'https://pn.example.com/',
        VAPI_WEBHOOK_SECRET: 's',
      }),
    );
    expect(settings.sandbox).toBe(false);
    expect(settings.missing).toEqual([]);
    expect(settings.vapiInboundVoiceUrl).toBe('https://api.vapi.ai/twilio/inbound_call');
    expect(settings.webhookUrl).toBe('https://pn.example.com/vapi/webhook');
  });

  it('defaults to sandbox in development without credentials, never in production', () => {
    expect(new TelephonySettings(loadConfig({})).sandbox).toBe(true);
    expect(new TelephonySettings(loadConfig({ NODE_ENV: 'production' })).sandbox).toBe(false);
  });
});

describe('outcomeOfStatus', () => {
  it.each([
    [400, 'refused'],
    [401, 'refused'],
    [404, 'refused'],
    [429, 'refused'],
    [408, 'unknown'],
    [500, 'unknown'],
    [503, 'unknown'],
  ])('%i is %s', (status, outcome) => {
    expect(outcomeOfStatus(status)).toBe(outcome);
  });
});
