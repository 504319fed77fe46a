import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toBe('./data');
    expect(config.database.embeddedPort).not.toBe(5432);
    expect(config.telephony.mode).toBe('sandbox');
  });

  it('accepts the guide\'s credential names', () => {
    const config = loadConfig({ TWILIO_ACCOUNT_SID2: 'AC0123456789abcdef0123456789abcdef', TWILIO_AUTH_TOKEN2: 't', VAPI_API_KEY2: 'k', VAPI_ASSISTANT_ID2: 'a' });
    expect(config.telephony).toMatchObject({ twilioAccountSid: 'AC0123456789abcdef0123456789abcdef', twilioAuthToken: 't', vapiApiKey: 'k', vapiAssistantId: 'a', mode: 'live' });
  });

  it("refuses a Twilio account SID that Twilio's contract does not allow", () => {
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: 'AC123' })).toThrow(/TWILIO_ACCOUNT_SID must be a Twilio account SID/);
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID2: 'ac0123456789abcdef0123456789abcdef' })).toThrow(/TWILIO_ACCOUNT_SID2/);
    expect(loadConfig({ TWILIO_ACCOUNT_SID: 'AC0123456789ABCDEF0123456789abcdef' }).telephony.twilioAccountSid).toBe('AC0123456789ABCDEF0123456789abcdef');
  });

  it('never falls back to sandbox in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).telephony.mode).toBe('live');
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', TELEPHONY_MODE: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty', TELEPHONY_MODE: 'maybe' })).toThrow(/PORT[\s\S]*TELEPHONY_MODE/);
  });

  it('splits the admin allowlist', () => {
    expect(loadConfig({ ADMIN_IP_ALLOWLIST: '10.0.0.0/8, ::1/128' }).adminIpAllowlist).toEqual(['10.0.0.0/8', '::1/128']);
  });

  it('refuses an allowlist entry that is not an IP or CIDR', () => {
    expect(() => loadConfig({ ADMIN_IP_ALLOWLIST: '10.0.0.0/8, office' })).toThrow(/ADMIN_IP_ALLOWLIST.*office/);
  });

  it('trusts no proxy by default, and never every proxy', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.internal' })).toThrow(/TRUST_PROXY.*proxy\.internal/);
  });

  it('splits CORS origins and reads rate limits', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example.com, https://b.example.com', RATE_LIMIT_READ: '7' });
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.rateLimits.read).toBe(7);
    expect(() => loadConfig({ RATE_LIMIT_READ: 'lots' })).toThrow(/RATE_LIMIT_READ/);
  });
});
