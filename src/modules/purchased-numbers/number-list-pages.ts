import { Injectable, OnModuleInit } from '@nestjs/common';
import type { PageRequest } from '../../common/pagination/paginate';
import { AppConfig } from '../../config/app-config';
import { ChangeFeed } from '../../database/change-feed';
import { FeedGatedCache } from '../../database/feed-gated-cache';
import type { NumberFilter } from '../numbers/numbers.repository';
import type { PurchasedNumberListDto } from './dto/purchased-number.dto';
import { toPurchasedNumberDto } from './purchased-numbers.mapper';
import { PurchasedNumbersService } from './purchased-numbers.service';

/** One page of the admin number list, serialised once when it is read, not per request. */
export class NumberListPage {
  readonly json: string;

  constructor(readonly dto: PurchasedNumberListDto) {
    this.json = JSON.stringify(dto);
  }
}

/**
 * Pages of `GET /admin/all-purchased-numbers` (the tech team's and tools' most frequent read, over
 * up to millions of rows) kept in memory by query: filter, page size and cursor.
 *
 * Never stale, like the owner lookup (`FeedGatedCache`): every cached page is dropped on any
 * change of any number (this instance's own at commit, every other writer's through the change
 * feed, raw SQL included), nothing is served or kept while the feed is down, and a page read while
 * a change was announced is not kept. `ADMIN_LIST_CACHE_SIZE` pages (default 200; 0: off).
 */
@Injectable()
export class NumberListPages implements OnModuleInit {
  private readonly cache: FeedGatedCache<NumberListPage>;

  constructor(
    private readonly numbers: PurchasedNumbersService,
    private readonly changes: ChangeFeed,
    config: AppConfig,
  ) {
    this.cache = new FeedGatedCache<NumberListPage>(changes, config.adminListCacheSize);
  }

  onModuleInit(): void {
    // A page shows number rows only; a truncation of the numbers table is announced as 'directory'.
    this.changes.subscribe((event) => event.t !== 'api_key' && this.cache.clear());
  }

  page(filter: NumberFilter, request: PageRequest): NumberListPage | Promise<NumberListPage> {
    const key = `${filter.propertyManagerId ?? ''}|${filter.status ?? ''}|${request.limit}|${request.cursor ?? ''}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const token = this.cache.readToken();
    return this.numbers.list(filter, request).then((page) => {
      const listed = new NumberListPage({ purchased_numbers: page.items.map(toPurchasedNumberDto), next_cursor: page.nextCursor });
      this.cache.set(key, listed, token);
      return listed;
    });
  }
}
