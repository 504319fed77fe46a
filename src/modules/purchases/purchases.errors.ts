import {
  ConflictError,
  DomainError,
  InvalidInputError,
  NotFoundError,
  ServiceUnavailableError,
  UpstreamFailedError,
  UpstreamTimeoutError,
} from '../../common/errors/domain-error';
import type { StoredError } from './entities/purchase-operation.entity';

export class TelephonyNotConfiguredError extends ServiceUnavailableError {
  constructor(missing: string[]) {
    super('telephony_not_configured', `Live purchases need telephony settings that are not configured: ${missing.join(', ')}.`);
  }
}

export class IdempotencyKeyReusedError extends ConflictError {
  constructor() {
    super('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body; use a new key.');
  }
}

export class PurchaseInProgressError extends ConflictError {
  constructor(operationId: string) {
    super(
      'purchase_in_progress',
      `The purchase with this Idempotency-Key (operation ${operationId}) is still being completed; ask again shortly or see GET /admin/purchase-operations/${operationId}.`,
      { operation_id: operationId },
    );
  }
}

export class PurchaseOperationNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('purchase_operation_not_found', `Purchase operation ${id} does not exist.`);
  }
}

/** Rebuilds the error a stored operation answered with, so a replay answers the same. */
export function toDomainError(stored: StoredError, operationId: string): DomainError {
  const extra = { operation_id: operationId };
  switch (stored.kind) {
    case 'upstream_timeout':
      return new UpstreamTimeoutError(stored.code, stored.message, extra);
    case 'unavailable':
      return new ServiceUnavailableError(stored.code, stored.message, extra);
    case 'conflict':
      return new ConflictError(stored.code, stored.message, extra);
    case 'not_found':
      return new NotFoundError(stored.code, stored.message, extra);
    case 'invalid':
      return new InvalidInputError(stored.code, stored.message);
    default:
      return new UpstreamFailedError(stored.code, stored.message, extra);
  }
}

/** A provider refused or failed to take a number back; nothing changed here. */
export class ReleaseFailedError extends UpstreamFailedError {
  constructor(phoneNumber: string, provider: string) {
    super('release_failed', `Releasing ${phoneNumber} at ${provider} failed; nothing changed here, retry.`);
  }
}

export class ReleaseTimedOutError extends UpstreamTimeoutError {
  constructor(phoneNumber: string, provider: string) {
    super('release_timed_out', `Releasing ${phoneNumber} at ${provider} failed; nothing changed here, retry.`);
  }
}
