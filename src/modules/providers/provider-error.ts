/**
 * What went wrong at a provider, reduced to what the purchase flow must decide on:
 * `refused` means the provider definitely did not do it (a 4xx answer); `unknown` means it may
 * or may not have happened (timeout, 5xx, network), so we look before acting again.
 */
export type ProviderOutcome = 'refused' | 'unknown';
export type ProviderFailureCause = 'client_error' | 'server_error' | 'timeout' | 'network';

export class ProviderError extends Error {
  constructor(
    readonly provider: 'twilio' | 'vapi' | 'sandbox',
    readonly outcome: ProviderOutcome,
    readonly cause_: ProviderFailureCause,
    message: string,
    readonly status?: number,
    readonly code?: number | string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  get isTimeout(): boolean {
    return this.cause_ === 'timeout';
  }

  /** For logs and the operation record; never a credential. */
  describe(): string {
    const parts: string[] = [this.provider, this.cause_];
    if (this.status !== undefined) parts.push(`HTTP ${this.status}`);
    if (this.code !== undefined) parts.push(`code ${this.code}`);
    return `${parts.join(' ')}: ${this.message}`.slice(0, 500);
  }
}

/** Twilio's 429 means "never processed": as definite as a refusal. */
export function outcomeOfStatus(status: number): ProviderOutcome {
  return status >= 500 || status === 408 ? 'unknown' : 'refused';
}

/** Runs a provider call, turning whatever its SDK throws into a ProviderError with `toError`. */
export async function callProvider<T>(run: () => Promise<T>, toError: (error: unknown) => ProviderError): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toError(error);
  }
}

/** Deletes at a provider; a 404 means it is already gone, which is what we wanted. */
export async function deleteIgnoringGone(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ProviderError && error.status === 404) return;
    throw error;
  }
}
