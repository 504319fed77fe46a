/** The port to whoever sends our text messages (Twilio's Messages API). Throws `ProviderError`. */
export abstract class SmsProvider {
  abstract readonly sandbox: boolean;
  /** Sends `body` from `from` (one of our numbers) to `to`; resolves with the provider's message id. */
  abstract send(message: { to: string; from: string; body: string }): Promise<string>;
}
