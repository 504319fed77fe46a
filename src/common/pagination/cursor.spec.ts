import { InvalidInputError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, toPage } from './cursor';

describe('cursors', () => {
  it('round-trips the last id', () => {
    expect(decodeCursor(encodeCursor(42))).toBe('42');
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each(['', 'abc', Buffer.from('{"after":"x"}').toString('base64url'), Buffer.from('{"after":-1}').toString('base64url'), Buffer.from('[]').toString('base64url')])(
    'refuses a cursor it did not make (%s)',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(InvalidInputError);
    },
  );

  it('cuts a page and points at the next one only when there is more', () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
    expect(toPage(rows, 2, (r) => r.id)).toEqual({ items: [{ id: 1 }, { id: 2 }], nextCursor: encodeCursor(2) });
    expect(toPage(rows, 3, (r) => r.id)).toEqual({ items: rows, nextCursor: null });
  });
});
