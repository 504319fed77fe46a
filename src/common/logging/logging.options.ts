import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import type { AppConfig } from '../../config/app-config';

// A caller-supplied request id is kept only if it is short and harmless.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

// New ids are UUID-shaped: a random prefix drawn once per process (80 bits: unique across the
// fleet's instances) and a 48-bit counter starting at a random value. Unique and as long as a
// UUID, for a fraction of a random UUID's cost on every request (the chatbot's lookup is the
// service's hottest path); an id names a request, it is no secret.
const ID_PREFIX = randomBytes(10).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})$/, '$1-$2-$3-$4-');
const ID_COUNTER_SPAN = 2 ** 48;
let idCounter = randomBytes(6).readUIntBE(0, 6);

/** The caller's `x-request-id` when it is safe to echo, else a new id (see `ID_PREFIX`). */
export function requestIdFrom(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : newRequestId();
}

function newRequestId(): string {
  idCounter = (idCounter + 1) % ID_COUNTER_SPAN;
  const counter = idCounter.toString(16);
  return `${ID_PREFIX}${'000000000000'.slice(counter.length)}${counter}`;
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
