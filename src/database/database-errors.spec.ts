import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, translateDatabaseError } from './database-errors';

const queryFailed = (driverError: Record<string, unknown>) =>
  new QueryFailedError('SELECT 1', [], Object.assign(new Error(String(driverError.message ?? 'failed')), driverError));

describe('database unavailability', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['an admin shutdown under a query', queryFailed({ code: '57P01', message: 'terminating connection due to administrator command' })],
    ['a server starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a connection ended under a query', queryFailed({ message: 'Connection terminated unexpectedly' })],
    ['every address refused', Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''), {})],
  ])('maps %s to 503 database_unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(translateDatabaseError(error)).toMatchObject({ kind: 'unavailable', code: 'database_unavailable' });
  });

  it.each([
    ['a unique violation', queryFailed({ code: '23505', constraint: 'uq_numbers_phone_number' }), 'phone_number_exists'],
    ['a syntax error', queryFailed({ code: '42601' }), undefined],
    ['a plain bug', new TypeError('x is undefined'), undefined],
  ])('leaves %s alone', (_name, error, code) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(translateDatabaseError(error)?.code).toBe(code);
  });
});
