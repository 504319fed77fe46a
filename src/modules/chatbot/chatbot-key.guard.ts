import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-error';
import { API_KEY_HEADER } from '../auth/api-key.strategy';
import { ApiKeysService } from '../auth/api-keys.service';
import { CredentialGuard } from '../../common/auth/authenticated.decorator';
import type { Principal } from '../../common/auth/principal';

/**
 * `X-API-Key` with the `chatbot` scope, checked without passport: the lookup is the hottest route
 * and a key verified once is answered from memory (`ApiKeysService.verifyCached`, dropped at once
 * on revocation). Same verification as everywhere else otherwise.
 */
@Injectable()
export class ChatbotKeyGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly credentials: CredentialGuard,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const header = request.headers[API_KEY_HEADER];
    if (typeof header !== 'string' || header.length === 0) {
      // A bearer token is verified like anywhere else, so a valid one that is not a chatbot
      // credential is told 403 (not allowed), not 401 (not authenticated).
      if (request.headers.authorization) {
        return Promise.resolve(this.credentials.canActivate(context)).then(() => admit(request, request.user));
      }
      throw new UnauthenticatedError('unauthenticated', 'A chatbot API key is required: X-API-Key: <key>.');
    }
    const principal = this.apiKeys.verifyCached(header);
    if (principal) return admit(request, principal);
    return this.apiKeys.verify(header.trim()).then((verified) => admit(request, verified));
  }
}

function admit(request: { user?: Principal }, principal: Principal | undefined): true {
  if (!principal) throw new UnauthenticatedError('unauthenticated', 'The API key is not valid (unknown or revoked).');
  if (!principal.roles.includes('chatbot')) throw new ForbiddenError('forbidden', 'This needs an API key with the chatbot scope.');
  request.user = principal;
  return true;
}
