import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../../common/auth/digest';
import { ServiceUnavailableError, UnauthenticatedError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';

export const VAPI_SECRET_HEADER = 'x-vapi-secret';

const digest = sha256;

/**
 * VAPI authenticates with the header we set on each number's `server` (`x-vapi-secret`). Compared
 * in constant time on SHA-256 digests, so neither content nor length leaks through timing.
 */
@Injectable()
export class VapiSecretGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(config: AppConfig) {
    const secret = config.telephony.vapiWebhookSecret;
    this.expected = secret ? digest(secret) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      throw new ServiceUnavailableError('vapi_webhook_not_configured', 'The VAPI webhook is not configured (VAPI_WEBHOOK_SECRET).');
    }
    if (!this.accepts(context.switchToHttp().getRequest<FastifyRequest>().headers[VAPI_SECRET_HEADER])) {
      throw new UnauthenticatedError('unauthenticated', 'A valid x-vapi-secret header is required.');
    }
    return true;
  }

  /** True when the webhook is configured and `header` is its secret. */
  accepts(header: unknown): boolean {
    return this.expected !== undefined && typeof header === 'string' && timingSafeEqual(digest(header), this.expected);
  }
}
