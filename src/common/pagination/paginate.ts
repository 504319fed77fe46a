import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidInputError } from '../errors/domain-error';

/** What a caller asks for: a page size and, after the first page, the `next_cursor` it was given. */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** One column of the sort key: its SQL name, how a row's value is written into a cursor, what a valid value looks like. */
export interface SortKey<T> {
  column: string;
  valueOf: (row: T) => string;
  pattern: RegExp;
}

export interface PageOrder<T> {
  direction: 'ASC' | 'DESC';
  /** The sort key, unique as a whole (end with the id). Default: the alias's `id`, an integer. */
  keys?: SortKey<T>[];
}

const INTEGER_ID = /^\d{1,18}$/;

/**
 * The one way every list pages: keyset pagination (no OFFSET, so a deep page costs what the first
 * one does) in a fixed order. The opaque cursor carries the last row's key and the direction it was
 * made for; a cursor from another list or direction is refused with 400 `invalid_cursor`.
 */
export async function paginate<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  page: PageRequest,
  order: PageOrder<T> = { direction: 'ASC' },
): Promise<Page<T>> {
  const keys = order.keys ?? [{ column: `${query.alias}.id`, valueOf: (row: T) => String(row.id), pattern: INTEGER_ID }];
  const after = decodeCursor(page.cursor, order.direction, keys);
  if (after) {
    const columns = keys.map((k) => k.column).join(', ');
    const params = Object.fromEntries(after.map((value, i) => [`cursor_${i}`, value]));
    const placeholders = after.map((_, i) => `:cursor_${i}`).join(', ');
    query.andWhere(`(${columns}) ${order.direction === 'ASC' ? '>' : '<'} (${placeholders})`, params);
  }
  keys.forEach((key, i) => (i === 0 ? query.orderBy(key.column, order.direction) : query.addOrderBy(key.column, order.direction)));
  const rows = await query.limit(page.limit + 1).getMany();
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > page.limit ? encodeCursor(order.direction, keys.map((k) => k.valueOf(last))) : null;
  return { items, nextCursor };
}

/**
 * The same keyset pagination (same cursors, same order, same errors) for a hand-written statement,
 * where a list is hot enough that building the query and hydrating entities matter: `fetch` gets
 * the key after which to start (undefined: from the start) and how many rows to return, in
 * `order`.
 */
export async function paginateRows<T>(
  page: PageRequest,
  order: PageOrder<T> & { keys: SortKey<T>[] },
  fetch: (after: string[] | undefined, limit: number) => Promise<T[]>,
): Promise<Page<T>> {
  const after = decodeCursor(page.cursor, order.direction, order.keys);
  const rows = await fetch(after, page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > page.limit ? encodeCursor(order.direction, order.keys.map((k) => k.valueOf(last))) : null;
  return { items, nextCursor };
}

export function encodeCursor(direction: 'ASC' | 'DESC', values: string[]): string {
  const key = direction === 'ASC' ? 'after' : 'before';
  return Buffer.from(JSON.stringify({ [key]: values.length === 1 ? values[0] : values })).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, direction: 'ASC' | 'DESC', keys: SortKey<T>[]): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const raw = decoded[direction === 'ASC' ? 'after' : 'before'];
    const values = keys.length === 1 ? [raw] : raw;
    if (Array.isArray(values) && values.length === keys.length && values.every((v, i) => typeof v === 'string' && keys[i].pattern.test(v))) {
      return values as string[];
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidInputError('invalid_cursor', 'The cursor is not valid; pass the next_cursor of a previous page.', [
    { field: 'cursor', message: 'cursor must be a next_cursor returned by this endpoint' },
  ]);
}
