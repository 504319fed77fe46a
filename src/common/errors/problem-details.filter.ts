import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { translateDatabaseError } from '../../database/database-errors';
import { requestIdOf } from '../http/request-context';
import { DomainError, InvalidInputError, RateLimitedError, STATUS_BY_KIND } from './domain-error';
import { PROBLEM_CONTENT_TYPE, problem, ProblemDetails } from './problem-details';
import { PROBLEM_OBSERVERS, ProblemObserver } from './problem-observer';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

const DETAIL_BY_STATUS: Record<number, string> = {
  401: 'A valid credential is required: Authorization: Bearer <JWT> or X-API-Key: <key>.',
  403: 'Your credential does not allow this.',
  429: 'Too many requests; retry after the time in the Retry-After header.',
};

/**
 * Turns anything thrown while handling a request into RFC 9457 problem JSON. Domain errors keep
 * their message; framework and parser errors keep theirs when they are the caller's fault (4xx);
 * everything else becomes a plain 500 that names the request id and nothing of the internals.
 */
export function toProblem(error: unknown, instance: string, requestId: string): ProblemDetails {
  const domainError = error instanceof DomainError ? error : translateDatabaseError(error);
  if (domainError) {
    return problem({
      status: STATUS_BY_KIND[domainError.kind],
      code: domainError.code,
      detail: domainError.message,
      instance,
      requestId,
      errors: domainError instanceof InvalidInputError && domainError.errors.length ? domainError.errors : undefined,
      extra: domainError.extra,
    });
  }
  const status = statusOf(error);
  if (status >= 400 && status < 500) {
    return problem({
      status,
      code: CODE_BY_STATUS[status] ?? 'request_failed',
      detail: DETAIL_BY_STATUS[status] ?? clientMessageOf(error) ?? 'The request was not accepted.',
      instance,
      requestId,
    });
  }
  return problem({
    status: 500,
    code: 'internal_error',
    detail: `Something went wrong on our side. Quote request id ${requestId} when reporting it.`,
    instance,
    requestId,
  });
}

function statusOf(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function clientMessageOf(error: unknown): string | undefined {
  if (error instanceof HttpException) {
    const response = error.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error.message;
  }
  const message = (error as { message?: unknown })?.message;
  return typeof message === 'string' ? message.slice(0, 300) : undefined;
}

export function sendProblem(reply: FastifyReply, body: ProblemDetails): void {
  void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Optional() @Inject(PROBLEM_OBSERVERS) private readonly observers: ProblemObserver[] = []) {}

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    await answerWithProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), error, this.observers, this.logger);
  }
}

/**
 * What the filter does with an error, for routes served outside Nest's pipeline too (the
 * chatbot's fast routes): the problem body, the 5xx log line, `Retry-After`, the observers.
 */
export async function answerWithProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  observers: readonly ProblemObserver[],
  logger: Pick<Logger, 'error'>,
): Promise<void> {
  const body = toProblem(error, request.url.split('?')[0], requestIdOf(request));
  if (body.status >= 500) {
    logger.error({ err: error, request_id: body.request_id }, 'request failed');
  }
  if (error instanceof RateLimitedError) void reply.header('retry-after', String(error.retryAfterSeconds));
  // Awaited, so e.g. the audit record exists by the time the caller sees the answer.
  for (const observer of observers) {
    try {
      await observer.observe(request, body, error);
    } catch (observerError) {
      logger.error({ err: observerError, request_id: body.request_id }, 'a problem observer failed');
    }
  }
  sendProblem(reply, body);
}
