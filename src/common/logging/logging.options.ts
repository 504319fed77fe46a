import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import type { AppConfig } from '../../config/app-config';

// A caller-supplied request id is kept only if it is short and harmless.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The caller's `x-request-id` when it is safe to echo, else a new UUID. */
export function requestIdFrom(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** Paths redacted from every log line: credentials must never reach the logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-vapi-secret"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.api_key',
  '*.apiKey',
  '*.password',
  '*.token',
  '*.secret',
  '*.authToken',
  '*.twilioAuthToken',
  '*.twilio_auth_token',
  '*.keyHash',
  '*.key_hash',
  '*.authorization',
  '*.Authorization',
  '*["x-api-key"]',
  '*["x-vapi-secret"]',
  // HTTP client errors (axios, under the Twilio SDK) carry the request with its Basic credentials.
  'err.config.auth',
  'err.config.headers',
  'err.request',
  'err.response.request',
  'err.response.config',
];

/**
 * Structured JSON logs, one line per request with its id (from `x-request-id` when it is safe,
 * otherwise a new UUID, echoed back in the response). Sandbox mode is named on every line.
 */
export function pinoHttpOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    base: { service: 'phone-number-service', telephony_mode: config.telephony.mode },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Fastify has already given the request its id (see `requestIdFrom`); this is a fallback.
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdFrom(req);
      res.setHeader('x-request-id', id);
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        headers: req.headers,
        remoteAddress: req.remoteAddress,
      }),
    },
  };
}
