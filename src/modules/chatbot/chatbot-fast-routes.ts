import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import querystring from 'fast-querystring';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { API_KEY_HEADER } from '../../common/auth/api-key-format';
import { clientAddressOf } from '../../common/http/client-address';
import { requestIdFrom } from '../../common/logging/logging.options';
import { AppConfig } from '../../config/app-config';
import { apiKeyFastPath, cachedKeyAdmission, JSON_TYPE, jsonAnswer, RouteHandler, wrapRouteHandler } from '../auth/api-key-fast-path';
import { MetricsService } from '../metrics/metrics.service';
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

const LOOKUP_ROUTE = '/chatbot/lookup';
const LOOKUP_PREFIX = `${LOOKUP_ROUTE}?`;

/**
 * The lookup's answers from memory, before Fastify routes the request: a call to
 * `GET /chatbot/lookup?phone_number=…` whose `X-API-Key` and number are both in memory already
 * (`cachedKeyAdmission`, `OwnerLookupService.cachedOwner`) — nearly every call the bot makes — is
 * answered on the spot with the bytes, status and headers the route sends (`x-request-id`, JSON
 * content type and length), and counted in the same request metrics. Fastify's router, hook chain
 * and reply cost such a call more than the work itself did, and its tail latency with it.
 *
 * Every other request — another path or method, no key or one not verified yet, an address the
 * auth-failure limiter blocks, a number not cached (or invalid, or nobody's), a browser's (`Origin`),
 * one with a body — goes to Fastify exactly as before, and the route answers it (above). Off when
 * chatbot requests are logged or rate limited (those go through the hooks and guards that do it),
 * and from the moment the server starts closing (Fastify then answers 503).
 *
 * To be called once the app is initialised (Fastify's server and request handler exist).
 */
export function answerCachedLookupsFirst(app: NestFastifyApplication, config: AppConfig): void {
  if (config.rateLimits.chatbot !== 0 || config.chatbot.logRequests) return;
  const fastify = app.getHttpAdapter().getInstance();
  const server = fastify.server;
  const admit = cachedKeyAdmission(app, 'chatbot');
  const lookup = app.get(OwnerLookupService);
  const clientAddress = clientAddressOf(config.trustProxy);
  const metrics = config.metricsEnabled ? app.get(MetricsService) : undefined;
  let open = true;
  fastify.addHook('preClose', (done) => {
    open = false;
    done();
  });

  const answered = (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = request.url;
    if (!open || request.method !== 'GET' || url === undefined || !url.startsWith(LOOKUP_PREFIX)) return false;
    const headers = request.headers;
    if (headers.origin !== undefined || headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
    const startedAt = performance.now();
    const clientIp = clientAddress(request);
    if (clientIp === undefined || admit(headers[API_KEY_HEADER], clientIp) === undefined) return false;
    // Parsed as Fastify's router parses a query string (the same fast-querystring).
    const phone = querystring.parse(url.slice(LOOKUP_PREFIX.length)).phone_number;
    const owner = typeof phone === 'string' ? lookup.cachedOwner(phone) : undefined;
    if (owner === undefined) return false;
    response.writeHead(200, { 'x-request-id': requestIdFrom(request), 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(owner.json) });
    response.end(owner.json);
    metrics?.recordResponse('GET', LOOKUP_ROUTE, 200, (performance.now() - startedAt) / 1000);
    return true;
  };

  const fastifyHandlers = server.listeners('request') as RequestListener[];
  if (fastifyHandlers.length === 0) throw new Error('Fastify has no request handler on its server yet: install the lookup lane after app.init()');
  server.removeAllListeners('request');
  server.on('request', function (this: unknown, request: IncomingMessage, response: ServerResponse) {
    let handled: boolean;
    try {
      handled = answered(request, response);
    } catch {
      // Nothing sent yet: the route answers it, and maps (and logs) whatever fails there too.
      handled = response.headersSent;
    }
    if (!handled) for (const handler of fastifyHandlers) handler.call(this, request, response);
  });
}
