import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, toPage } from './cursor';
import { PageQueryDto } from './page-query.dto';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** One page of `query` in id order, continuing after the cursor (keyset pagination). */
export async function findPage<T extends ObjectLiteral & { id: number | string }>(
  query: SelectQueryBuilder<T>,
  page: PageQueryDto,
): Promise<Page<T>> {
  const alias = query.alias;
  const after = decodeCursor(page.cursor);
  if (after !== undefined) query.andWhere(`${alias}.id > :after`, { after });
  const rows = await query.orderBy(`${alias}.id`, 'ASC').limit(page.limit + 1).getMany();
  return toPage(rows, page.limit, (row) => row.id);
}
