import { InvalidInputError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, SortKey } from './paginate';

const byId: SortKey<{ id: number }>[] = [{ column: 'x.id', valueOf: (r) => String(r.id), pattern: /^\d{1,18}$/ }];
const byTimeAndId: SortKey<{ at: string; id: string }>[] = [
  { column: 'x.at', valueOf: (r) => r.at, pattern: /^\d{4}-\d\d-\d\dT[\d:.]+Z$/ },
  { column: 'x.id', valueOf: (r) => r.id, pattern: /^[0-9a-f-]{36}$/ },
];

describe('cursors', () => {
  it('round-trips the last key, per direction', () => {
    expect(decodeCursor(encodeCursor('ASC', ['42']), 'ASC', byId)).toEqual(['42']);
    expect(decodeCursor(encodeCursor('DESC', ['42']), 'DESC', byId)).toEqual(['42']);
    const composite = ['2026-01-01T00:00:00.000Z', '0b5d4c4e-6a0e-4c35-9d5b-b6f0b6c1a001'];
    expect(decodeCursor(encodeCursor('DESC', composite), 'DESC', byTimeAndId)).toEqual(composite);
    expect(decodeCursor(undefined, 'ASC', byId)).toBeUndefined();
  });

  it.each([
    '',
    'abc',
    Buffer.from('{"after":"x"}').toString('base64url'),
    Buffer.from('{"after":-1}').toString('base64url'),
    Buffer.from('[]').toString('base64url'),
    encodeCursor('DESC', ['42']),
  ])('refuses a cursor it did not make for this list and direction (%s)', (cursor) => {
    expect(() => decodeCursor(cursor, 'ASC', byId)).toThrow(InvalidInputError);
  });

  it('refuses a composite cursor whose parts are malformed', () => {
    expect(() => decodeCursor(encodeCursor('DESC', ['yesterday', 'x']), 'DESC', byTimeAndId)).toThrow(InvalidInputError);
  });
});
