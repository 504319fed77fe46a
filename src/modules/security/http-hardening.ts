import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../../config/app-config';
import { isChatbotUrl } from '../../common/http/machine-routes';

/**
 * Security headers (helmet) on every response but the chatbot's, and CORS only for the
 * configured dashboard origins: with `CORS_ORIGINS` unset no browser origin may call the API.
 */
export async function applyHttpHardening(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  // Worked out once: with no per-request parts in the policy (no nonces), helmet sets the same
  // headers on every response, so they are captured at start and copied onto each reply (running
  // its middleware chain per request cost a fast route ~10% of its throughput).
  const secureHeaders = headersSetBy(helmet({
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
  }));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      // The bot and VAPI are no browsers: the headers would protect nothing there and cost every
      // lookup their bytes.
      if (!isChatbotUrl(request.url)) void reply.headers(secureHeaders);
      done();
    });
  // No origins configured: no CORS handling at all. A browser then finds no allow-origin header
  // and no preflight answer (OPTIONS is 404), which refuses every origin as `origin: false` did,
  // without a CORS hook on every request.
  if (config.corsOrigins.length === 0) return;
  app.enableCors({
    origin: config.corsOrigins,
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id', 'idempotency-key'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
}

/** The headers a header-only middleware (helmet) sets, by running it once against a recording response. */
function headersSetBy(middleware: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
  let finished = false;
  middleware({ headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error('the security headers middleware did not finish synchronously');
  return headers;
}
