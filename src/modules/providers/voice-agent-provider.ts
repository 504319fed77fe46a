export interface RegisterNumberInput {
  phoneNumber: string;
  /** Shown at VAPI; carries the purchase operation id. */
  name: string;
  /** Where VAPI sends server messages for this number, and the secret header it sends along. */
  serverUrl: string;
  serverSecret?: string;
}

export interface RegisteredNumber {
  id: string;
  phoneNumber: string;
}

/** A registration as the listing shows it. */
export interface ListedRegistration extends RegisteredNumber {
  /** Where VAPI sends server messages for it; null when none is set. */
  serverUrl: string | null;
}

export interface ServerSettings {
  serverUrl: string;
  serverSecret?: string;
}

/** The port to the voice agent platform (VAPI). Every method throws `ProviderError` and nothing else. */
export abstract class VoiceAgentProvider {
  abstract readonly sandbox: boolean;
  abstract register(input: RegisterNumberInput): Promise<RegisteredNumber>;
  /** The registration of this phone number, or null. Resolves unknown outcomes of `register`. */
  abstract findByNumber(phoneNumber: string): Promise<RegisteredNumber | null>;
  /** Removes the registration; an unknown id counts as removed. */
  abstract remove(id: string): Promise<void>;
  /** Every registration, all pages; throws rather than answer a partial list. */
  abstract listAll(): Promise<ListedRegistration[]>;
  /** Points the registration's server messages at `settings`. */
  abstract updateServer(id: string, settings: ServerSettings): Promise<void>;
}
