import { ConflictError, NotFoundError, UpstreamFailedError, UpstreamTimeoutError } from '../../common/errors/domain-error';
import type { ProviderError } from '../providers/provider-error';

/** A provider failed while the inventory was read or repaired; nothing was reported or recorded. */
export function inventoryProviderError(error: ProviderError, doing: string): UpstreamFailedError | UpstreamTimeoutError {
  const who = error.provider === 'vapi' ? 'VAPI' : 'Twilio';
  const detail = error.isTimeout ? 'did not answer in time' : error.status ? `answered ${error.status}` : 'could not be reached';
  const message = `${doing}: ${who} ${detail}. Nothing was changed here; retry.`;
  return error.isTimeout
    ? new UpstreamTimeoutError('inventory_provider_timeout', message, { provider: error.provider })
    : new UpstreamFailedError('inventory_provider_failed', message, { provider: error.provider });
}

export class PurchaseInFlightError extends ConflictError {
  constructor(what: string) {
    super('purchase_in_progress', `${what} belongs to a purchase that is still being completed; the purchase flow finishes it.`);
  }
}

export class NotAtTwilioError extends NotFoundError {
  constructor(phoneNumber: string) {
    super('number_not_at_twilio', `Twilio does not hold ${phoneNumber} on this account; there is nothing to adopt.`);
  }
}

export class TrackedNumberError extends ConflictError {
  constructor(what: string, id: number, status: string) {
    super(
      'number_is_tracked',
      `${what} is our number ${id} (${status}); release it with POST /admin/purchased-numbers/${id}/release instead.`,
      { purchased_number_id: id },
    );
  }
}
