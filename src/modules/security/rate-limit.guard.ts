import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { RateLimitedError } from '../../common/errors/domain-error';
import { clientIpOf } from '../../common/http/request-context';
import { AppConfig } from '../../config/app-config';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { CHATBOT_RATE_LIMIT_KEY } from './rate-limit.decorator';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const isChatbotRoute = (context: ExecutionContext): boolean =>
  Reflect.getMetadata(CHATBOT_RATE_LIMIT_KEY, context.getHandler()) === true ||
  Reflect.getMetadata(CHATBOT_RATE_LIMIT_KEY, context.getClass()) === true;

const requestOf = (context: ExecutionContext) => context.switchToHttp().getRequest<FastifyRequest>();
const isRead = (context: ExecutionContext) => READ_METHODS.has(requestOf(context).method);
const isHealthCheck = (context: ExecutionContext) => {
  const route = requestOf(context).routeOptions?.url ?? '';
  return route === '/health' || route.startsWith('/health/');
};
const isAdmin = (context: ExecutionContext) => (requestOf(context).routeOptions?.url ?? '').startsWith('/admin');

/**
 * The named throttlers, per client IP and route. Reads and (dashboard) writes have tight limits;
 * admin writes have their own, generous one (bulk onboarding is real admin work, and an /admin
 * caller without an admin credential gets 401 and meets the tight auth-failure limit after
 * RATE_LIMIT_AUTH_FAILURES tries); chatbot routes only have their own (off by default). A limit of 0 is off.
 */
export function throttlers(config: AppConfig): ThrottlerOptions[] {
  const ttl = config.rateLimits.windowSeconds * 1000;
  const { read, write, adminWrite, chatbot } = config.rateLimits;
  return [
    { name: 'read', ttl, limit: read, skipIf: (c) => read === 0 || isChatbotRoute(c) || !isRead(c) },
    { name: 'write', ttl, limit: write, skipIf: (c) => write === 0 || isChatbotRoute(c) || isRead(c) || isAdmin(c) },
    { name: 'admin-write', ttl, limit: adminWrite, skipIf: (c) => adminWrite === 0 || isRead(c) || !isAdmin(c) },
    { name: 'chatbot', ttl, limit: chatbot, skipIf: (c) => chatbot === 0 || !isChatbotRoute(c) },
  ];
}

/**
 * Global guard, before authentication (the tracker is the library's: `request.ip`, IPv6
 * grouped by /64 so rotating addresses within one allocation does not escape the limit): an address that failed authentication too often is
 * refused first, then @nestjs/throttler's named limits apply. Every refusal is a 429 problem
 * with `Retry-After`.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  // Property injection: ThrottlerGuard's constructor belongs to the library.
  @Inject(AuthFailureLimiter) private readonly authFailures!: AuthFailureLimiter;
  @Inject(AppConfig) private readonly config!: AppConfig;

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Health checks come from probes and balancers, often sharing an address with other
    // traffic: they are never refused, so a blocked neighbour cannot take an instance out.
    if (isHealthCheck(context)) return true;
    const retryAfter = this.authFailures.retryAfter(clientIpOf(requestOf(context)));
    if (retryAfter > 0) throw new RateLimitedError(retryAfter);
    // The chatbot's routes have only their own limit; when it is off (the default) there is
    // nothing to count, and the lookup is the hottest route.
    if (this.config.rateLimits.chatbot === 0 && isChatbotRoute(context)) return true;
    return super.canActivate(context);
  }

  protected async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedError(Math.max(1, Math.ceil(detail.timeToBlockExpire)));
  }
}
