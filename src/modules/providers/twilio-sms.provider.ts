import { Logger } from '@nestjs/common';
import twilio from 'twilio';
import { callProvider, ProviderError } from './provider-error';
import { SmsProvider } from './sms-provider';
import { BaseUrlRequestClient, TwilioSettings } from './twilio-number.provider';

/** Text messages through Twilio's Messages API, with the official SDK. */
export class TwilioSmsProvider extends SmsProvider {
  readonly sandbox = false;
  private readonly client: twilio.Twilio;

  constructor(settings: TwilioSettings) {
    super();
    this.client = twilio(settings.accountSid, settings.authToken, {
      httpClient: new BaseUrlRequestClient(settings.baseUrl, settings.timeoutMs),
    });
  }

  async send(message: { to: string; from: string; body: string }): Promise<string> {
    const sent = await callProvider(
      () => this.client.messages.create({ to: message.to, from: message.from, body: message.body }),
      (error) => new ProviderError('twilio', 'unknown', 'client_error', error instanceof Error ? error.message : String(error)),
    );
    return sent.sid;
  }
}

/** Sandbox: sends nothing, logs what it would have sent. */
export class SandboxSmsProvider extends SmsProvider {
  readonly sandbox = true;
  private readonly logger = new Logger('SandboxSmsProvider');

  async send(message: { to: string; from: string; body: string }): Promise<string> {
    this.logger.log({ telephony: 'sandbox', msg: `SMS not sent (sandbox) to ${message.to}: ${message.body}` });
    return `SMsandbox${Date.now()}`;
  }
}
