import twilio from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient';
import { BuyNumberInput, NumberProvider, OwnedNumber } from './number-provider';
import { callProvider, deleteIgnoringGone, outcomeOfStatus, ProviderError } from './provider-error';

/**
 * Sends every Twilio request to `baseUrl` instead of api.twilio.com (a stand-in server, a proxy).
 * It rewrites after the SDK's own region/edge handling, so it holds whatever the SDK does.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string | undefined,
    timeoutMs: number,
  ) {
    // autoRetry off: a retried purchase is our decision, made after looking the number up.
    super({ timeout: timeoutMs, autoRetry: false, keepAlive: false });
  }

  override request<TData>(opts: TwilioRequestClient.RequestOptions<TData>) {
    if (this.baseUrl) {
      const target = new URL(this.baseUrl);
      const uri = new URL(opts.uri);
      uri.protocol = target.protocol;
      uri.host = target.host;
      opts = { ...opts, uri: uri.toString() };
    }
    return super.request(opts);
  }
}

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  baseUrl?: string;
  timeoutMs: number;
}

interface TwilioIncomingNumber {
  sid: string;
  phoneNumber: string;
  friendlyName?: string | null;
}

/** Our Twilio account, through the official SDK. */
export class TwilioNumberProvider extends NumberProvider {
  readonly sandbox = false;
  private readonly client: twilio.Twilio;

  constructor(settings: TwilioSettings) {
    super();
    this.client = twilio(settings.accountSid, settings.authToken, {
      httpClient: new BaseUrlRequestClient(settings.baseUrl, settings.timeoutMs),
    });
  }

  async searchAvailable(areaCode: string, limit: number): Promise<string[]> {
    const found = await this.call(() => this.client.availablePhoneNumbers('US').local.list({ areaCode: Number(areaCode), limit }));
    return found.map((n) => n.phoneNumber);
  }

  async buy(input: BuyNumberInput): Promise<OwnedNumber> {
    const bought = await this.call(() =>
      this.client.incomingPhoneNumbers.create({
        phoneNumber: input.phoneNumber,
        voiceUrl: input.voiceUrl,
        smsUrl: input.smsUrl,
        friendlyName: input.friendlyName,
      }),
    );
    return toOwned(bought);
  }

  async findOwned(phoneNumber: string): Promise<OwnedNumber | null> {
    const found = await this.call(() => this.client.incomingPhoneNumbers.list({ phoneNumber, limit: 20 }));
    const match = found.find((n) => n.phoneNumber === phoneNumber);
    return match ? toOwned(match) : null;
  }

  async release(sid: string): Promise<void> {
    await deleteIgnoringGone(() => this.call(() => this.client.incomingPhoneNumbers(sid).remove()));
  }

  private call<T>(run: () => Promise<T>): Promise<T> {
    return callProvider(run, toProviderError);
  }
}

const toOwned = (n: TwilioIncomingNumber): OwnedNumber => ({ sid: n.sid, phoneNumber: n.phoneNumber, friendlyName: n.friendlyName ?? null });

function toProviderError(error: unknown): ProviderError {
  if (error instanceof twilio.RestException) {
    const cause = error.status >= 500 ? 'server_error' : 'client_error';
    return new ProviderError('twilio', outcomeOfStatus(error.status), cause, error.message, error.status, error.code);
  }
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    return new ProviderError('twilio', 'unknown', 'timeout', 'Twilio did not answer in time');
  }
  return new ProviderError('twilio', 'unknown', 'network', `Twilio connection failed${code ? ` (${code})` : ''}`);
}
