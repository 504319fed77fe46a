import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { translateDatabaseError } from '../../database/database-errors';
import { AuditService } from '../../modules/audit/audit.service';
import { apiKeyIdOf } from '../../modules/auth/api-keys.service';
import type { Principal } from '../../modules/auth/principal';
import { AuthFailureLimiter } from '../../modules/security/auth-failure-limiter';
import { RefusalAuditSampler } from '../../modules/security/refusal-audit-sampler';
import { clientIpOf, requestIdOf } from '../http/request-context';
import { DomainError, InvalidInputError, RateLimitedError, STATUS_BY_KIND } from './domain-error';
import { PROBLEM_CONTENT_TYPE, problem, ProblemDetails } from './problem-details';

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

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What was presented, for the audit record of a refused call (never the secret itself). */
function presentedCredential(request: FastifyRequest): string | null {
  const key = request.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0) {
    const id = apiKeyIdOf(key.trim());
    return id ? `api_key:${id}` : 'api_key:malformed';
  }
  return typeof request.headers.authorization === 'string' ? 'jwt' : null;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    @Optional() private readonly audit?: AuditService,
    @Optional() private readonly authFailures?: AuthFailureLimiter,
    @Optional() private readonly refusalSampler?: RefusalAuditSampler,
  ) {}

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = toProblem(error, request.url.split('?')[0], requestIdOf(request));
    if (body.status >= 500) {
      this.logger.error({ err: error, request_id: body.request_id }, 'request failed');
    }
    if (body.status === 401) this.authFailures?.recordFailure(clientIpOf(request));
    if (error instanceof RateLimitedError) void reply.header('retry-after', String(error.retryAfterSeconds));
    if (!(error instanceof DomainError && error.outcomeAudited)) await this.auditAdminAttempt(request, body);
    sendProblem(reply, body);
  }

  /**
   * Refused admin calls (401/403/429, reads too) and failed admin changes are audited here, after
   * the use case's transaction rolled back, so the record survives. Of a run of 429s only the
   * first per client and route in a window is recorded (see RefusalAuditSampler). Awaited, so
   * the record exists by the time the caller sees the answer.
   */
  private async auditAdminAttempt(request: FastifyRequest, body: ProblemDetails): Promise<void> {
    const route = request.routeOptions?.url;
    if (!this.audit || !route || !route.startsWith('/admin')) return;
    const denied = body.status === 401 || body.status === 403 || body.status === 429;
    if (!denied && READ_METHODS.has(request.method)) return;
    if (body.status === 429 && this.refusalSampler && !this.refusalSampler.shouldRecordRateLimited(clientIpOf(request), route)) return;
    const principal = (request as FastifyRequest & { user?: Principal }).user;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const targetId = typeof params.id === 'string' ? params.id.slice(0, 100) : undefined;
    try {
      await this.audit.recordAttempt({
        principal,
        presentedCredential: presentedCredential(request),
        requestId: requestIdOf(request),
        clientIp: clientIpOf(request),
        action: `${request.method} ${route}`,
        targetId,
        outcome: denied ? 'denied' : 'failure',
        // An unverified credential is only what the caller claimed to hold.
        details: { status: body.status, code: body.code, credential_verified: principal !== undefined },
      });
    } catch (auditError) {
      this.logger.error({ err: auditError, request_id: body.request_id }, 'could not audit a refused admin call');
    }
  }
}
