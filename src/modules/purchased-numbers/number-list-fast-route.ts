import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../common/pagination/page-query.dto';
import type { PageRequest } from '../../common/pagination/paginate';
import { AppConfig } from '../../config/app-config';
import { apiKeyFastPath, jsonAnswer, wrapRouteHandler } from '../auth/api-key-fast-path';
import { NUMBER_STATUSES, NumberStatus } from '../numbers/entities/purchased-phone-number.entity';
import type { NumberFilter } from '../numbers/numbers.repository';
import { NumberListPage, NumberListPages } from './number-list-pages';

const STATUSES = new Set<string>(NUMBER_STATUSES);
const PAGE_SIZE = /^[1-9]\d{0,2}$/;
const ID = /^[1-9]\d{0,9}$/;
const MAX_ID = 2_147_483_647;

/**
 * `GET /admin/all-purchased-numbers` for an admin API key without Nest's per-request pipeline
 * (`apiKeyFastPath`: the same verifier, request ids, logs, metrics), answered from
 * `NumberListPages` like the controller. Only a plainly valid query is answered here (the known
 * parameters, each once, in their canonical form); anything else goes to Nest's handler, whose
 * validation explains what is wrong. Errors once authenticated (an invalid cursor, the database
 * away) are answered by the exception filter's own function.
 *
 * Not installed while the read rate limit is on (`RATE_LIMIT_READ`, default 300 per minute and
 * address): then Nest's throttler guard counts every request.
 */
export function serveNumberListFast(app: NestFastifyApplication, config: AppConfig): void {
  if (config.rateLimits.read !== 0) return;
  wrapRouteHandler(app, 'GET', '/admin/all-purchased-numbers', (nest) => {
    const pages = app.get(NumberListPages);
    const answer = jsonAnswer(app);

    return apiKeyFastPath(app, 'admin', nest, (request, reply, toNest) => {
      const query = plainListQuery(request.query as Record<string, unknown>);
      if (!query) return toNest();
      return answer(request, reply, () => {
        const page = pages.page(query.filter, query.page);
        return page instanceof NumberListPage ? page.json : page.then((listed) => listed.json);
      });
    });
  });
}

/** The filter and page of a query in canonical form, or undefined for anything Nest's validation should judge. */
export function plainListQuery(query: Record<string, unknown>): { filter: NumberFilter; page: PageRequest } | undefined {
  const filter: NumberFilter = {};
  const page: PageRequest = { limit: DEFAULT_PAGE_SIZE };
  for (const name of Object.keys(query)) {
    const value = query[name];
    if (typeof value !== 'string') return undefined;
    if (name === 'limit' && PAGE_SIZE.test(value) && Number(value) <= MAX_PAGE_SIZE) page.limit = Number(value);
    else if (name === 'cursor' && value.length > 0 && value.length <= 200) page.cursor = value;
    else if (name === 'property_manager_id' && ID.test(value) && Number(value) <= MAX_ID) filter.propertyManagerId = Number(value);
    else if (name === 'status' && STATUSES.has(value)) filter.status = value as NumberStatus;
    else return undefined;
  }
  return { filter, page };
}
