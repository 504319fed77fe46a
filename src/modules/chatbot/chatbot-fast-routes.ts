import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod, RouteOptions } from 'fastify';
import { answerWithProblem } from '../../common/errors/problem-details.filter';
import { PROBLEM_OBSERVERS, ProblemObserver } from '../../common/errors/problem-observer';
import type { Principal } from '../../common/auth/principal';
import { AppConfig } from '../../config/app-config';
import { API_KEY_HEADER } from '../../common/auth/api-key-format';
import { ApiKeysService } from '../auth/api-keys.service';
import { AuthFailureLimiter } from '../security/auth-failure-limiter';
import { OwnerLookupService, ResolvedOwner } from './owner-lookup.service';
import { VAPI_SECRET_HEADER, VapiSecretGuard } from './vapi-secret.guard';
import { VapiWebhookService } from './vapi-webhook.service';

const JSON_TYPE = 'application/json; charset=utf-8';

type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * The chatbot's two hot routes, `GET /chatbot/lookup` and `POST /vapi/webhook`, answered without
 * Nest's per-request router/guard/interceptor pipeline, which cost them more than half of their
 * throughput. The routes stay Nest's (declared by `ChatbotController` / `VapiWebhookController`:
 * the same path templates, OpenAPI document, Fastify hooks and middleware, request ids and request
 * logs); only the Fastify handler Nest registers for them is wrapped, as the routes are added:
 *
 * - the same services from the app's container: `ApiKeysService.authenticate` (the verifier behind
 *   `@Authenticated`, so revocation is effective at once), `VapiSecretGuard.accepts`,
 *   `OwnerLookupService`, `VapiWebhookService`;
 * - anything that is not a plain, authenticated call with an `X-API-Key` (or the VAPI secret) —
 *   no key, a bearer token, a key that does not verify or lacks the chatbot scope, an address the
 *   auth-failure limiter is blocking — is handed to Nest's own handler, which answers it through
 *   the full pipeline (guards, the global exception filter) exactly as any other route;
 * - an error once authenticated (400 invalid number, 404 nobody owns it, a database failure) is
 *   answered by the exception filter's own function (`answerWithProblem`: same problem JSON,
 *   observers, 5xx log).
 *
 * Not installed when the chatbot rate limit (`RATE_LIMIT_CHATBOT`) is on: then every request goes
 * through Nest's throttler guard.
 */
export function serveChatbotRoutesFast(app: NestFastifyApplication, config: AppConfig): void {
  if (config.rateLimits.chatbot !== 0) return;
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const path = route.url.replace(/\/$/, '');
    if (route.method === 'GET' && path === '/chatbot/lookup') route.handler = lookupHandler(app, route.handler as Handler) as RouteHandlerMethod;
    if (route.method === 'POST' && path === '/vapi/webhook') route.handler = webhookHandler(app, route.handler as Handler) as RouteHandlerMethod;
  });
}

function services(app: NestFastifyApplication) {
  return {
    apiKeys: app.get(ApiKeysService),
    authFailures: app.get(AuthFailureLimiter),
    observers: app.get<ProblemObserver[]>(PROBLEM_OBSERVERS),
    logger: new Logger('Errors'),
  };
}

function lookupHandler(app: NestFastifyApplication, nest: Handler): Handler {
  const { apiKeys, authFailures, observers, logger } = services(app);
  const lookup = app.get(OwnerLookupService);
  const send = (reply: FastifyReply, owner: ResolvedOwner) => reply.header('content-type', JSON_TYPE).send(owner.json);
  const fail = (request: FastifyRequest, reply: FastifyReply, error: unknown) => answerWithProblem(request, reply, error, observers, logger);

  const answer = function (this: unknown, request: FastifyRequest, reply: FastifyReply, principal: Principal | undefined): unknown {
    if (!principal || !principal.roles.includes('chatbot')) return nest.call(this, request, reply);
    (request as FastifyRequest & { user?: Principal }).user = principal;
    try {
      const owner = lookup.byPhone((request.query as { phone_number?: unknown }).phone_number);
      if (owner instanceof ResolvedOwner) return send(reply, owner);
      return owner.then(
        (resolved) => send(reply, resolved),
        (error: unknown) => fail(request, reply, error),
      );
    } catch (error) {
      return fail(request, reply, error);
    }
  };

  return function (this: unknown, request, reply) {
    const key = request.headers[API_KEY_HEADER];
    if (typeof key !== 'string' || key.length === 0 || authFailures.retryAfter(request.ip) > 0) return nest.call(this, request, reply);
    const principal = apiKeys.authenticate(key);
    if (!(principal instanceof Promise)) return answer.call(this, request, reply, principal);
    return principal.then(
      (verified) => answer.call(this, request, reply, verified),
      // The key could not be checked (database down): Nest's pipeline answers, as for any route.
      () => nest.call(this, request, reply),
    );
  };
}

function webhookHandler(app: NestFastifyApplication, nest: Handler): Handler {
  const { authFailures, observers, logger } = services(app);
  const secret = app.get(VapiSecretGuard);
  const webhook = app.get(VapiWebhookService);
  const send = (reply: FastifyReply, json: string) => reply.header('content-type', JSON_TYPE).send(json);

  return function (this: unknown, request, reply) {
    if (!secret.accepts(request.headers[VAPI_SECRET_HEADER]) || authFailures.retryAfter(request.ip) > 0) return nest.call(this, request, reply);
    try {
      const json = webhook.handle(request.body);
      if (typeof json === 'string') return send(reply, json);
      return json.then(
        (answer) => send(reply, answer),
        (error: unknown) => answerWithProblem(request, reply, error, observers, logger),
      );
    } catch (error) {
      return answerWithProblem(request, reply, error, observers, logger);
    }
  };
}
