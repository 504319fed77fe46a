import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/app-config';
import { isChatbotUrl } from '../http/machine-routes';
import { pinoHttpOptions } from './logging.options';

/**
 * One log line per request (pino-http) and the request's logger in async context, where
 * nestjs-pino's `Logger` finds it, from a Fastify `onRequest` hook. nestjs-pino would mount the
 * same two functions as Nest middleware (`LoggerModule` is given no routes, see AppModule): Nest's
 * middleware layer (@fastify/middie) then runs on every request, the chatbot's too, although those
 * are not logged (LOG_CHATBOT_REQUESTS=true logs them).
 */
export function installRequestLogging(fastify: FastifyInstance, config: AppConfig): void {
  const options = pinoHttpOptions(config);
  // The root logger nestjs-pino builds from the same options (level, redaction, base fields) is
  // ready only once the app is initialised: taken at the first request.
  let logRequest: HttpLogger<IncomingMessage> | undefined;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!config.chatbot.logRequests && isChatbotUrl(request.url)) return done();
    logRequest ??= pinoHttp({ logger: PinoLogger.root, serializers: options.serializers });
    // The line carries Fastify's request id (pino-http keeps a `req.id` it finds), the one the
    // response names in x-request-id.
    (request.raw as IncomingMessage & { id?: string }).id = request.id;
    logRequest(request.raw, reply.raw);
    storage.run(new Store((request.raw as IncomingMessage & { log: Logger }).log), done);
  });
}
