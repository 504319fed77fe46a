import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod, RouteOptions } from 'fastify';
import { API_KEY_HEADER } from '../../common/auth/api-key-format';
import type { Principal, Role } from '../../common/auth/principal';
import { RoleAdmission } from '../../common/auth/role-admission';
import { answerWithProblem } from '../../common/errors/problem-details.filter';
import { PROBLEM_OBSERVERS, ProblemObserver } from '../../common/errors/problem-observer';
import { clientIpOf } from '../../common/http/request-context';
import { AppConfig } from '../../config/app-config';
import { AuthFailureLimiter } from '../security/auth-failure-limiter';
import { ApiKeysService } from './api-keys.service';

export type RouteHandler = (this: unknown, request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * Replaces the Fastify handler Nest registers for `method path` (the route stays Nest's: the same
 * template, OpenAPI operation, hooks, request ids, logs and metrics) with `wrap(nestHandler)`. To
 * be called before `app.init()`, which adds the routes.
 */
export function wrapRouteHandler(app: NestFastifyApplication, method: string, path: string, wrap: (nest: RouteHandler) => RouteHandler): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route: RouteOptions) => {
      if (route.method === method && route.url.replace(/\/$/, '') === path) route.handler = wrap(route.handler as RouteHandler) as RouteHandlerMethod;
    });
}

/**
 * A handler for a hot route answered without Nest's per-request pipeline (router, guards,
 * interceptors), for the one case that dominates its traffic: a request with an `X-API-Key` that
 * has `role` (admitted as RolesGuard admits: `RoleAdmission`, the admin IP allowlist included),
 * from an address the auth-failure limiter lets through. It is verified by
 * `ApiKeysService.authenticate` (the verifier behind `@Authenticated`, so a revocation is effective
 * at once), set on `request.user` as the guards would, and answered by `serve` (which may still
 * hand an unusual request to Nest with `toNest()`).
 *
 * Everything else goes to Nest's own handler `nest` and through the full pipeline: no key, a
 * bearer token, a key that does not verify or lacks the role, a key that cannot be checked right
 * now (database down) — so refusals are answered, audited and counted exactly as on any route.
 */
export function apiKeyFastPath(
  app: NestFastifyApplication,
  role: Role,
  nest: RouteHandler,
  serve: (request: FastifyRequest, reply: FastifyReply, toNest: () => unknown) => unknown,
): RouteHandler {
  const keys = keyAdmission(app, role);

  const answer = function (this: unknown, request: FastifyRequest, reply: FastifyReply, principal: Principal | undefined): unknown {
    if (!keys.admitted(principal, clientIpOf(request))) return nest.call(this, request, reply);
    (request as FastifyRequest & { user?: Principal }).user = principal;
    return serve(request, reply, () => nest.call(this, request, reply));
  };

  return function (this: unknown, request, reply) {
    const key = request.headers[API_KEY_HEADER];
    if (!keys.presented(key, request.ip)) return nest.call(this, request, reply);
    const principal = keys.apiKeys.authenticate(key);
    if (!(principal instanceof Promise)) return answer.call(this, request, reply, principal);
    return principal.then(
      (verified) => answer.call(this, request, reply, verified),
      () => nest.call(this, request, reply),
    );
  };
}

/**
 * For code that answers before Fastify has made a request object: the principal an `X-API-Key`
 * proves from memory alone (`ApiKeysService.verifyCached`, which a revocation empties at once),
 * admitted to `role` as `apiKeyFastPath` admits it (the auth-failure limiter, `RoleAdmission`).
 * Undefined for anything else — no key, a key not in memory, a refusal — and the request then goes
 * the full way, which answers it.
 */
export function cachedKeyAdmission(app: NestFastifyApplication, role: Role): (key: unknown, clientIp: string) => Principal | undefined {
  const keys = keyAdmission(app, role);
  return (key, clientIp) => {
    if (!keys.presented(key, clientIp)) return undefined;
    const principal = keys.apiKeys.verifyCached(key.trim());
    return keys.admitted(principal, clientIp) ? principal : undefined;
  };
}

/** The two fast paths' one rule for an `X-API-Key` caller needing `role`: before verifying, and after. */
function keyAdmission(app: NestFastifyApplication, role: Role) {
  const authFailures = app.get(AuthFailureLimiter);
  const admission = new RoleAdmission(app.get(AppConfig).adminIpAllowlist);
  const required = [role];
  return {
    apiKeys: app.get(ApiKeysService),
    /** A key worth verifying: present, from an address the auth-failure limiter lets through. */
    presented: (key: unknown, clientIp: string): key is string => typeof key === 'string' && key.length > 0 && authFailures.retryAfter(clientIp) === 0,
    /** A verified principal holding `role` (admin only from ADMIN_IP_ALLOWLIST), as RolesGuard admits it. */
    admitted: (principal: Principal | undefined, clientIp: string): principal is Principal =>
      principal !== undefined && admission.refusal(principal, required, clientIp) === undefined,
  };
}

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * How a fast route answers once it has let a request in: the JSON string `produce` returns (at
 * once, or when its promise settles), or, for an error thrown or rejected, the problem JSON the
 * global exception filter would send (`answerWithProblem`: the same observers and 5xx log).
 */
export function jsonAnswer(app: NestFastifyApplication): (request: FastifyRequest, reply: FastifyReply, produce: () => string | Promise<string>) => unknown {
  const observers = app.get<ProblemObserver[]>(PROBLEM_OBSERVERS);
  const logger = new Logger('Errors');
  const send = (reply: FastifyReply, json: string) => reply.header('content-type', JSON_TYPE).send(json);
  const fail = (request: FastifyRequest, reply: FastifyReply, error: unknown) => answerWithProblem(request, reply, error, observers, logger);
  return (request, reply, produce) => {
    try {
      const json = produce();
      if (typeof json === 'string') return send(reply, json);
      return json.then(
        (answer) => send(reply, answer),
        (error: unknown) => fail(request, reply, error),
      );
    } catch (error) {
      return fail(request, reply, error);
    }
  };
}
