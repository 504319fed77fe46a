import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { requestIdFrom } from './common/logging/logging.options';
import { installRequestLogging } from './common/logging/request-logging';
import { createValidationPipe } from './common/validation/validation.pipe';
import { AppConfig } from './config/app-config';
import { MetricsService } from './modules/metrics/metrics.service';
import { answerCachedLookupsFirst, serveChatbotRoutesFast } from './modules/chatbot/chatbot-fast-routes';
import { serveNumberListFast } from './modules/purchased-numbers/number-list-fast-route';
import { applyHttpHardening } from './modules/security/http-hardening';
import { setupSwagger } from './swagger';

const BULK_ADD_ROUTE = '/admin/add-purchased-numbers';

/** Builds the application (not yet listening): the one assembly used by main.ts and the tests. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // Proxy headers are trusted only from the proxies TRUST_PROXY names (default: none), so by
    // default `request.ip` is the peer address and X-Forwarded-For is ignored.
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    genReqId: requestIdFrom,
    // No Nest middleware anywhere (request logs are a Fastify hook, `installRequestLogging`): without
    // @fastify/middie no middleware layer runs on every request. A module that adds middleware
    // would fail the start (`use` is missing), not be skipped silently.
    skipMiddie: true,
  });
  // Declared up front, so that setting it (the guards, the hot routes' fast path) does not change
  // the request object's shape on every request.
  adapter.getInstance().decorateRequest('user', undefined);
  // The bulk add takes up to 1,000 numbers: its body may be larger than the 64 KiB everything else gets.
  adapter.getInstance().addHook('onRoute', (route) => {
    if (route.url === BULK_ADD_ROUTE) route.bodyLimit = 512 * 1024;
  });
  // Accepted as before (Nest's parser took them): no route reads a form, each validates its body.
  adapter.getInstance().addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Every response names its request id, so a caller can quote it.
  // A callback hook, not an async one: it runs on every request and needs no promise.
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  installRequestLogging(adapter.getInstance(), config);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Fastify's own JSON parser, not Nest's wrapper around it (which reads every body as a Buffer
    // and builds the parser again per request); form bodies parsed as Nest would (below).
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  await applyHttpHardening(app, config);
  if (config.metricsEnabled) app.get(MetricsService).installHttpHook(adapter.getInstance());
  // Before init, which registers the routes: the hot routes skip Nest's per-request pipeline.
  serveChatbotRoutesFast(app, config);
  serveNumberListFast(app, config);

  setupSwagger(app, config.telephony.publicBaseUrl);
  await app.init();
  // After init: the cached lookups are answered before Fastify's router (it falls back to the route).
  answerCachedLookupsFirst(app, config);
  return app;
}
