import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-details';
import { ProblemDto } from './problem.dto';

export const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed input: a field error, an unknown field or filter, a bad cursor.',
  401: 'No credential, or an invalid, expired or revoked one.',
  403: 'Authenticated, but this credential may not do this.',
  404: 'It does not exist, or is not visible to the caller.',
  409: 'It already exists, or its state does not allow this.',
  413: 'The body is larger than 64 KiB.',
  415: 'The body is not JSON (Content-Type must be application/json).',
  429: 'Too many requests; see Retry-After.',
  500: 'An unexpected failure (e.g. the database is unreachable); quote request_id when reporting it.',
  502: 'A telephony provider failed.',
  503: 'Not available: the database is not reachable (`database_unavailable`), a dependency is down, or telephony credentials are not configured.',
  504: 'A telephony provider timed out.',
};

/** Documents the problem responses (RFC 9457) an operation can give. */
export function ApiProblemResponses(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
