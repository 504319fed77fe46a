import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerWithProblem } from '../../common/errors/problem-details.filter';
import { PROBLEM_OBSERVERS, ProblemObserver } from '../../common/errors/problem-observer';
import { AppConfig } from '../../config/app-config';
import { apiKeyFastPath, RouteHandler, wrapRouteHandler } from '../auth/api-key-fast-path';
import { AuthFailureLimiter } from '../security/auth-failure-limiter';
import { OwnerLookupService, ResolvedOwner } from './owner-lookup.service';
import { VAPI_SECRET_HEADER, VapiSecretGuard } from './vapi-secret.guard';
import { VapiWebhookService } from './vapi-webhook.service';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The chatbot's two hot routes, `GET /chatbot/lookup` and `POST /vapi/webhook`, answered without
 * Nest's per-request router/guard/interceptor pipeline, which cost them more than half of their
 * throughput. The routes stay Nest's (declared by `ChatbotController` / `VapiWebhookController`:
 * the same path templates, OpenAPI document, Fastify hooks and middleware, request ids and request
 * logs); only the Fastify handler Nest registers for them is wrapped, as the routes are added:
 *
 * - the same services from the app's container: `apiKeyFastPath` (ApiKeysService.authenticate,
 *   the verifier behind `@Authenticated`, so revocation is effective at once),
 *   `VapiSecretGuard.accepts`, `OwnerLookupService`, `VapiWebhookService`;
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
  wrapRouteHandler(app, 'GET', '/chatbot/lookup', (nest) => lookupHandler(app, nest));
  wrapRouteHandler(app, 'POST', '/vapi/webhook', (nest) => webhookHandler(app, nest));
}

function lookupHandler(app: NestFastifyApplication, nest: RouteHandler): RouteHandler {
  const observers = app.get<ProblemObserver[]>(PROBLEM_OBSERVERS);
  const logger = new Logger('Errors');
  const lookup = app.get(OwnerLookupService);
  const send = (reply: FastifyReply, owner: ResolvedOwner) => reply.header('content-type', JSON_TYPE).send(owner.json);
  const fail = (request: FastifyRequest, reply: FastifyReply, error: unknown) => answerWithProblem(request, reply, error, observers, logger);

  return apiKeyFastPath(app, 'chatbot', nest, (request, reply) => {
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
  });
}

function webhookHandler(app: NestFastifyApplication, nest: RouteHandler): RouteHandler {
  const authFailures = app.get(AuthFailureLimiter);
  const observers = app.get<ProblemObserver[]>(PROBLEM_OBSERVERS);
  const logger = new Logger('Errors');
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
