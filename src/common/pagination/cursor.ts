import { InvalidInputError } from '../errors/domain-error';

/**
 * Opaque keyset cursors: lists are ordered by id and a page continues after the last id
 * (no OFFSET, so a deep page costs what the first one does).
 */
export function encodeCursor(lastId: number | string): string {
  return Buffer.from(JSON.stringify({ after: String(lastId) })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof decoded.after === 'string' && /^\d{1,18}$/.test(decoded.after)) return decoded.after;
  } catch {
    // falls through to the error below
  }
  throw new InvalidInputError('The cursor is not valid; pass the next_cursor of a previous page.', [
    { field: 'cursor', message: 'cursor must be a next_cursor returned by this endpoint' },
  ], 'invalid_cursor');
}

/** Takes `limit + 1` rows, returns `limit` of them and the cursor to the next page, if any. */
export function toPage<T>(rows: T[], limit: number, idOf: (row: T) => number | string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(idOf(items[items.length - 1])) : null;
  return { items, nextCursor };
}
