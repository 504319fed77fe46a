import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-details';
import { ProblemDto } from './problem.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed input: a field error, an unknown field or filter, a bad cursor.',
  401: 'No credential, or an invalid, expired or revoked one.',
  403: 'Authenticated, but this credential may not do this.',
  404: 'It does not exist, or is not visible to the caller.',
  409: 'It already exists, or its state does not allow this.',
  429: 'Too many requests; see Retry-After.',
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
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
