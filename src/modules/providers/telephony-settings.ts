import { AppConfig } from '../../config/app-config';

/**
 * What the purchase flow needs to know about telephony beyond the ports: which mode runs,
 * what is missing for a live purchase, and where VAPI and our webhook live.
 */
export class TelephonySettings {
  readonly sandbox: boolean;
  /** Variables a live purchase needs but are unset; non-empty means live purchases answer 503. */
  readonly missing: string[];
  readonly vapiInboundVoiceUrl: string;
  readonly vapiInboundSmsUrl: string;
  readonly webhookUrl: string;
  readonly webhookSecret?: string;

  constructor(config: AppConfig) {
    const t = config.telephony;
    this.sandbox = t.mode === 'sandbox';
    const required: Array<[string, unknown]> = [
      ['TWILIO_ACCOUNT_SID', t.twilioAccountSid],
      ['TWILIO_AUTH_TOKEN', t.twilioAuthToken],
      ['VAPI_API_KEY', t.vapiApiKey],
      ['PUBLIC_BASE_URL', t.publicBaseUrl],
      ['VAPI_WEBHOOK_SECRET', t.vapiWebhookSecret],
    ];
    this.missing = this.sandbox ? [] : required.filter(([, value]) => !value).map(([name]) => name);
    // Twilio hands calls and texts to VAPI; VAPI then calls our webhook for the assistant.
    const vapiBase = (t.vapiApiBaseUrl ?? 'https://api.vapi.ai').replace(/\/+$/, '');
    this.vapiInboundVoiceUrl = `${vapiBase}/twilio/inbound_call`;
    this.vapiInboundSmsUrl = `${vapiBase}/twilio/sms`;
    this.webhookUrl = `${(t.publicBaseUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '')}/vapi/webhook`;
    this.webhookSecret = t.vapiWebhookSecret;
  }
}
