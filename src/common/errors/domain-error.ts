/**
 * Errors our services throw. Each has a stable `code` (part of the problem `type`) and a kind
 * that one global filter maps to an HTTP status; services never speak HTTP.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'upstream_failed'
  | 'upstream_timeout'
  | 'unavailable';

export interface FieldError {
  /** For an item of a bulk body: its position (from 0). */
  index?: number;
  field: string;
  /** For an item of a bulk body: a stable code for what is wrong. */
  code?: string;
  message: string;
}

/** Every domain error is built the same way: `(code, message, …what that kind adds)`. */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly kind = 'invalid';
  constructor(code: string, message: string, readonly errors: FieldError[] = []) {
    super(code, message);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor(code = 'unauthenticated', message = 'A valid credential is required: Authorization: Bearer <JWT> or X-API-Key.') {
    super(code, message);
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', `Too many requests; retry after ${retryAfterSeconds} seconds.`);
  }
}

export class UpstreamFailedError extends DomainError {
  readonly kind = 'upstream_failed';
}

export class UpstreamTimeoutError extends DomainError {
  readonly kind = 'upstream_timeout';
}

export class ServiceUnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

export const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  upstream_failed: 502,
  upstream_timeout: 504,
  unavailable: 503,
};
