import twilio from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient';
import { BuyNumberInput, ListedNumber, NumberProvider, NumberUrls, OwnedNumber } from './number-provider';
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

/** Twilio's contract declares every field of an incoming number nullable. */
interface TwilioIncomingNumber {
  sid: string | null;
  phoneNumber: string | null;
  friendlyName?: string | null;
}

/** The only SIDs Twilio's contract has for incoming numbers (`DeleteIncomingPhoneNumber`'s `Sid`). */
const INCOMING_NUMBER_SID = /^PN[0-9a-fA-F]{32}$/;
const TWILIO_MAX_PAGE_SIZE = 1000;

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
    // The contract lets an entry come without its number (`phone_number` nullable): such an entry cannot be bought.
    const usable = found.map((n) => n.phoneNumber as string | null).filter((n): n is string => Boolean(n));
    if (found.length > 0 && usable.length === 0) {
      // Twilio answered, but with nothing we can buy: its failure, not "none for sale" and never the caller's.
      throw new ProviderError('twilio', 'refused', 'server_error', `Twilio listed ${found.length} numbers in area code ${areaCode}, none with a phone number`, 200, 'no_usable_number');
    }
    return usable;
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
    // A 201 without a SID leaves us unable to manage the number: treat it as an unknown outcome, so
    // the purchase looks the number up instead of assuming either way.
    if (!bought.sid) throw new ProviderError('twilio', 'unknown', 'server_error', `Twilio answered the purchase of ${input.phoneNumber} without a SID`, 201);
    return toOwned({ ...bought, phoneNumber: bought.phoneNumber ?? input.phoneNumber });
  }

  async findOwned(phoneNumber: string): Promise<OwnedNumber | null> {
    const found = await this.call(() => this.client.incomingPhoneNumbers.list({ phoneNumber, limit: 20 }));
    const match = found.find((n) => n.phoneNumber === phoneNumber && n.sid);
    return match ? toOwned(match) : null;
  }

  async release(sid: string): Promise<void> {
    // A SID outside Twilio's contract (e.g. one typed in by hand) names nothing there: Twilio
    // would only refuse the request. Like a 404, that means there is nothing to give back.
    if (!INCOMING_NUMBER_SID.test(sid)) return;
    await deleteIgnoringGone(() => this.call(() => this.client.incomingPhoneNumbers(sid).remove()));
  }

  /**
   * Every incoming number: the SDK asks for pages of 1,000 (`PageSize`, Twilio's maximum) and
   * follows each page's `next_page_uri` until there is none; any failed page fails the whole list.
   */
  async listAll(): Promise<ListedNumber[]> {
    const all = await this.call(() => this.client.incomingPhoneNumbers.list({ pageSize: TWILIO_MAX_PAGE_SIZE }));
    // The IncomingPhoneNumber resource carries no price; the report falls back to the configured one.
    return all.map((n) => ({ ...toOwned(n), voiceUrl: n.voiceUrl || null, smsUrl: n.smsUrl || null, monthlyPrice: null }));
  }

  async updateUrls(sid: string, urls: NumberUrls): Promise<void> {
    await this.call(() => this.client.incomingPhoneNumbers(sid).update({ voiceUrl: urls.voiceUrl, smsUrl: urls.smsUrl }));
  }

  private call<T>(run: () => Promise<T>): Promise<T> {
    return callProvider(run, toProviderError);
  }
}

const toOwned = (n: TwilioIncomingNumber): OwnedNumber => ({ sid: n.sid!, phoneNumber: n.phoneNumber!, friendlyName: n.friendlyName ?? null });

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
