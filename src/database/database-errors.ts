import { QueryFailedError } from 'typeorm';
import { ConflictError, DomainError, InvalidInputError, ServiceUnavailableError } from '../common/errors/domain-error';

/** What each named constraint means to a caller, when a write trips it. */
const CONSTRAINT_CONFLICTS: Record<string, { code: string; message: string }> = {
  uq_numbers_phone_number: { code: 'phone_number_exists', message: 'This phone number already exists.' },
  uq_numbers_twilio_sid: { code: 'twilio_sid_exists', message: 'A number with this Twilio SID already exists.' },
  uq_numbers_vapi_phone_number_id: {
    code: 'vapi_phone_number_id_exists',
    message: 'A number with this VAPI phone number id already exists.',
  },
  uq_property_managers_email: { code: 'email_exists', message: 'A property manager with this email already exists.' },
  uq_property_managers_auth_user_id: {
    code: 'auth_user_id_exists',
    message: 'A property manager with this auth_user_id already exists.',
  },
  uq_realtors_auth_user_id: { code: 'auth_user_id_exists', message: 'A realtor with this auth_user_id already exists.' },
  uq_realtors_email_per_pm: { code: 'email_exists', message: 'You already have a realtor with this email.' },
  uq_numbers_one_per_property_manager: {
    code: 'assignee_changed_concurrently',
    message: 'The assignee was given another number at the same moment; retry.',
  },
  uq_numbers_one_per_realtor: {
    code: 'assignee_changed_concurrently',
    message: 'The assignee was given another number at the same moment; retry.',
  },
};

/** Rules our triggers enforce (raised as check violations naming the rule): a state conflict, not bad input. */
const RULE_CONFLICTS: Record<string, { code: string; message: string }> = {
  ck_numbers_holder_not_removed: { code: 'realtor_removed', message: 'This realtor was removed and cannot hold a number.' },
  ck_numbers_owner_not_offboarded: { code: 'property_manager_offboarded', message: 'This property manager was offboarded; their numbers stay inactive.' },
  ck_realtors_removed_hold_nothing: { code: 'realtor_holds_number', message: 'This realtor still holds a number.' },
  ck_property_managers_offboarded_hold_nothing: { code: 'numbers_in_service', message: 'This property manager still has numbers in service.' },
};

/**
 * Turns a PostgreSQL error into the domain error a caller should see, or undefined when it is
 * a fault of ours (then the caller gets a plain 500, never the SQL). The one place that knows
 * constraint names.
 */
export function translateDatabaseError(error: unknown): DomainError | undefined {
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as { code?: string; constraint?: string };
  switch (driverError.code) {
    case '23505': {
      const known = driverError.constraint ? CONSTRAINT_CONFLICTS[driverError.constraint] : undefined;
      return new ConflictError(known?.code ?? 'already_exists', known?.message ?? 'This already exists.');
    }
    case '23503':
      return new ConflictError('reference_changed', 'Something this change refers to no longer exists or does not match.');
    case '23514': {
      const rule = driverError.constraint ? RULE_CONFLICTS[driverError.constraint] : undefined;
      if (rule) return new ConflictError(rule.code, rule.message);
      return new InvalidInputError('data_rule_violated', 'The change breaks a data rule.');
    }
    case '40001':
    case '40P01':
    case '55P03':
      return new ConflictError('concurrent_update', 'Another change to the same data happened at the same moment; retry.');
    case '22P02':
    case '22003':
    case '22001':
      return new InvalidInputError('invalid_input', 'A value is out of range or malformed.');
    default:
      return undefined;
  }
}

// Socket-level failures reaching the server, and the server refusing or ending connections
// (57P01 admin shutdown, 57P02 crash shutdown, 57P03 starting up / shutting down, 53300 too many
// connections, class 08 connection exceptions).
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// What `pg` and its pool say when a connection could not be had or died under a query.
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Connection is closed',
  'the database system is starting up',
  'the database system is shutting down',
];

/**
 * True when the error says the database could not be reached (down, restarting, refusing
 * connections, or the pool could not get a connection in time) rather than that a statement was
 * wrong. Looks at the error and, for TypeORM's wrapper, at the driver error inside it.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const candidate of [error, (error as { driverError?: unknown } | undefined)?.driverError]) {
    if (!candidate || typeof candidate !== 'object') continue;
    const { code, message } = candidate as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((known) => message.includes(known))) return true;
    // An AggregateError (a host resolving to several addresses, all refused) carries the causes.
    const nested = (candidate as { errors?: unknown }).errors;
    if (Array.isArray(nested) && nested.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}

/** 503 `database_unavailable`: the caller did nothing wrong and may retry shortly. */
export function databaseUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError('database_unavailable', 'The database is not reachable right now; retry in a few seconds.');
}
