import { ProviderError } from './provider-error';

export interface OwnedNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string | null;
}

/** A number on the account as the listing shows it, with where it sends calls and texts. */
export interface ListedNumber extends OwnedNumber {
  voiceUrl: string | null;
  smsUrl: string | null;
  /** What the provider bills for it each month, when it says (Twilio's number listing does not). */
  monthlyPrice: number | null;
}

export interface NumberUrls {
  voiceUrl: string;
  smsUrl: string;
}

export interface BuyNumberInput {
  phoneNumber: string;
  voiceUrl: string;
  smsUrl: string;
  /** Carries the purchase operation id, so a number found later can be traced to its purchase. */
  friendlyName: string;
}

/**
 * The port to whoever sells us phone numbers (Twilio). Every method throws `ProviderError`
 * and nothing else.
 */
export abstract class NumberProvider {
  /** `sandbox` adapters buy nothing. */
  abstract readonly sandbox: boolean;
  /** Numbers for sale in the area code, best first; empty when none. */
  abstract searchAvailable(areaCode: string, limit: number): Promise<string[]>;
  /** Buys this specific number (never "any number in an area code": a retry would buy another). */
  abstract buy(input: BuyNumberInput): Promise<OwnedNumber>;
  /** The number on our account, or null. Resolves unknown outcomes of `buy`. */
  abstract findOwned(phoneNumber: string): Promise<OwnedNumber | null>;
  /** Gives the number back; an already released number counts as released. */
  abstract release(sid: string): Promise<void>;
  /** Every number on the account, all pages; throws rather than answer a partial list. */
  abstract listAll(): Promise<ListedNumber[]>;
  /** Points the number's voice and SMS webhooks at `urls`. */
  abstract updateUrls(sid: string, urls: NumberUrls): Promise<void>;
}

export const isProviderError = (error: unknown): error is ProviderError => error instanceof ProviderError;
