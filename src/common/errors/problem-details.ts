import { FieldError } from './domain-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
  502: 'Provider failed',
  503: 'Service unavailable',
  504: 'Provider timed out',
};

/** RFC 9457 problem details, plus our stable `code`, the request id and field errors. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  request_id?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problem(init: {
  status: number;
  code: string;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  extra?: Record<string, unknown>;
}): ProblemDetails {
  return {
    type: `urn:problem-type:phone-numbers:${init.code}`,
    title: TITLES[init.status] ?? (init.status >= 500 ? 'Server error' : 'Request failed'),
    status: init.status,
    detail: init.detail,
    code: init.code,
    ...(init.instance ? { instance: init.instance } : {}),
    ...(init.requestId ? { request_id: init.requestId } : {}),
    ...(init.errors ? { errors: init.errors } : {}),
    ...(init.extra ?? {}),
  };
}
