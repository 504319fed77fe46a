import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../errors/domain-error';
import { clientIpOf, requestIdOf } from '../http/request-context';
import { ApiProblemResponses } from '../errors/api-problem-responses.decorator';
import { RoleAdmission } from './role-admission';
import { AppConfig } from '../../config/app-config';
import { databaseUnavailable, isDatabaseUnavailable } from '../../database/database-errors';
import type { Actor, Principal, Role } from './principal';
import { API_KEY_HEADER, ApiKeyVerifier } from './api-key-format';

const ROLES_KEY = 'auth:roles';

/**
 * Verifies the credential: an API key first (when the header is present), else a bearer JWT.
 * A key is checked by the one `ApiKeyVerifier` directly (memory first; no passport round per
 * request); anything else — a bearer token, or a key that did not verify while a bearer token
 * is also present — goes through passport's strategies (`api-key`, then `jwt`).
 */
@Injectable()
export class CredentialGuard extends AuthGuard(['api-key', 'jwt']) {
  private verifier?: ApiKeyVerifier;

  constructor(private readonly moduleRef: ModuleRef) {
    super();
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const key = request.headers[API_KEY_HEADER];
    if (typeof key !== 'string' || key.length === 0) return super.canActivate(context) as Promise<boolean>;
    this.verifier ??= this.moduleRef.get(ApiKeyVerifier, { strict: false });
    const admit = (principal: Principal | undefined): boolean | Promise<boolean> => {
      if (principal) {
        request.user = principal;
        return true;
      }
      if (request.headers.authorization) return super.canActivate(context) as Promise<boolean>;
      throw new UnauthenticatedError();
    };
    const principal = this.verifier.authenticate(key);
    return principal instanceof Promise ? principal.then(admit) : admit(principal);
  }

  handleRequest<T>(error: unknown, principal: T): T {
    // A lookup that failed (the database is down) proves nothing about the credential: the caller
    // gets 503, not 401, and the auth-failure limiter, which counts 401s only, is not fed.
    if (error && isDatabaseUnavailable(error)) throw databaseUnavailable();
    if (error || !principal) throw new UnauthenticatedError();
    return principal;
  }
}

/**
 * Lets through principals holding one of the roles the handler or controller names. A caller
 * let in only by the admin role must also come from `ADMIN_IP_ALLOWLIST` (when set).
 */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly admission: RoleAdmission;

  constructor(
    private readonly reflector: Reflector,
    config: AppConfig,
  ) {
    this.admission = new RoleAdmission(config.adminIpAllowlist);
  }

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, [context.getHandler(), context.getClass()]) ?? [];
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const principal = request.user;
    if (!principal) throw new UnauthenticatedError();
    const refusal = this.admission.refusal(principal, required, clientIpOf(request));
    if (refusal === undefined) return true;
    if (refusal === 'admin_ip') throw new ForbiddenError('admin_ip_not_allowed', 'Admin calls are not accepted from this address.');
    throw new ForbiddenError(
      'forbidden',
      principal.roles.length === 0
        ? 'Your account is not linked to a property manager or realtor.'
        : `This needs one of these roles: ${required.join(', ')}.`,
    );
  }
}

/**
 * Requires a verified credential holding one of `roles`. Put it on a controller (once) or a
 * handler (which then overrides the controller's roles). Also documents both auth schemes.
 */
export function Authenticated(...roles: Role[]) {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(CredentialGuard, RolesGuard),
    ApiBearerAuth('bearer'),
    ApiSecurity('api-key'),
    ApiProblemResponses(401, 403),
  );
}

/** The verified caller and where the call came from. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
  return { principal: request.user, requestId: requestIdOf(request), clientIp: clientIpOf(request) };
});
