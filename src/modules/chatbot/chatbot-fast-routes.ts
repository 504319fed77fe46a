import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../../config/app-config';
import { apiKeyFastPath, jsonAnswer, RouteHandler, wrapRouteHandler } from '../auth/api-key-fast-path';
import { AuthFailureLimiter } from '../security/auth-failure-limiter';
import { OwnerLookupService, ResolvedOwner } from './owner-lookup.service';
import { VAPI_SECRET_HEADER, VapiSecretGuard } from './vapi-secret.guard';
import { VapiWebhookService } from './vapi-webhook.service';

/**
 * The chatbot's two hot routes, `GET /chatbot/lookup` and `POST /vapi/webhook`, answered without
 * Nest's per-request router/guard/interceptor pipeline, which cost them more than half of their
 * throughput. The routes stay Nest's (declared by `ChatbotController` / `VapiWebhookController`:
 * the same path templates, OpenAPI document, Fastify hooks, request ids and request
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
  const answer = jsonAnswer(app);
  const lookup = app.get(OwnerLookupService);

  return apiKeyFastPath(app, 'chatbot', nest, (request, reply) =>
    answer(request, reply, () => {
      const owner = lookup.byPhone((request.query as { phone_number?: unknown }).phone_number);
      return owner instanceof ResolvedOwner ? owner.json : owner.then((resolved) => resolved.json);
    }),
  );
}

function webhookHandler(app: NestFastifyApplication, nest: RouteHandler): RouteHandler {
  const authFailures = app.get(AuthFailureLimiter);
  const answer = jsonAnswer(app);
  const secret = app.get(VapiSecretGuard);
  const webhook = app.get(VapiWebhookService);

  return function (this: unknown, request, reply) {
    if (!secret.accepts(request.headers[VAPI_SECRET_HEADER]) || authFailures.retryAfter(request.ip) > 0) return nest.call(this, request, reply);
    return answer(request, reply, () => webhook.handle(request.body));
  };
}
