import helmet from 'helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../../config/app-config';
import { isChatbotUrl } from '../../common/http/machine-routes';

/**
 * Security headers (helmet) on every response but the chatbot's, and CORS only for the
 * configured dashboard origins: with `CORS_ORIGINS` unset no browser origin may call the API.
 */
export async function applyHttpHardening(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  // Built once: @fastify/helmet builds the middleware again on every request, which costs the
  // chatbot's lookup a noticeable share of its throughput.
  const secureHeaders = helmet({
    // Swagger UI (/docs) loads its own script and styles from this origin; inline styles it sets.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
      },
    },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      // The bot and VAPI are no browsers: the headers would protect nothing there and cost every
      // lookup their bytes.
      if (isChatbotUrl(request.url)) return done();
      secureHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
    });
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id', 'idempotency-key'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
}
