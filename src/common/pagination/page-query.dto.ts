import { Type } from 'class-transformer';
import type { PageRequest } from './paginate';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export class PageQueryDto implements PageRequest {
  /** Page size, 1 to 200. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  /** The `next_cursor` of the previous page. */
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;
}
