import { Injectable } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { apiKeyIdOf } from '../../common/auth/api-key-format';
import type { ProblemDetails } from '../../common/errors/problem-details';
import type { ProblemObserver } from '../../common/errors/problem-observer';
import { clientIpOf, requestIdOf } from '../../common/http/request-context';
import type { Principal } from '../auth/principal';
import { RefusalAuditSampler } from '../security/refusal-audit-sampler';
import { AuditService } from './audit.service';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Names the audit action of a handler's failures (default: `<METHOD> <route>`), e.g. so a failed
 * release is recorded as `purchased_number.release`, like its success.
 */
export const AuditedAs = (action: string) => RouteConfig({ auditAction: action });

/**
 * The one way a failed or refused admin call is audited: refused ones (401/403/429, reads too)
 * and failed changes, each once, on its own connection after the use case's transaction rolled
 * back, so the record survives. Successes are recorded by the use case, in the change's
 * transaction. Of a run of 429s only the first per client and route in a window is recorded.
 */
@Injectable()
export class AdminAttemptAuditor implements ProblemObserver {
  constructor(
    private readonly audit: AuditService,
    private readonly refusalSampler: RefusalAuditSampler,
  ) {}

  async observe(request: FastifyRequest, body: ProblemDetails): Promise<void> {
    const route = request.routeOptions?.url;
    if (!route || !route.startsWith('/admin')) return;
    const denied = body.status === 401 || body.status === 403 || body.status === 429;
    if (!denied && READ_METHODS.has(request.method)) return;
    if (body.status === 429 && !this.refusalSampler.shouldRecordRateLimited(clientIpOf(request), route)) return;
    const principal = (request as FastifyRequest & { user?: Principal }).user;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const targetId = typeof params.id === 'string' ? params.id.slice(0, 100) : undefined;
    const configured = (request.routeOptions.config as { auditAction?: string } | undefined)?.auditAction;
    await this.audit.recordAttempt({
      principal,
      presentedCredential: presentedCredential(request),
      requestId: requestIdOf(request),
      clientIp: clientIpOf(request),
      action: (!denied && configured) || `${request.method} ${route}`,
      targetId,
      outcome: denied ? 'denied' : 'failure',
      // An unverified credential is only what the caller claimed to hold.
      details: { status: body.status, code: body.code, credential_verified: principal !== undefined },
    });
  }
}

/** What was presented, for the audit record of a refused call (never the secret itself). */
function presentedCredential(request: FastifyRequest): string | null {
  const key = request.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0) {
    const id = apiKeyIdOf(key.trim());
    return id ? `api_key:${id}` : 'api_key:malformed';
  }
  return typeof request.headers.authorization === 'string' ? 'jwt' : null;
}
