import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import pinoHttp from 'pino-http';
import { loadConfig } from '../../config/app-config';
import { pinoHttpOptions, REDACTED_PATHS } from './logging.options';

/** Logs through pino with our redaction and returns what was written. */
function logged(write: (logger: pino.Logger) => void): string {
  let out = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  write(logger);
  return out;
}

describe('log redaction', () => {
  const secrets = {
    bearer: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl',
    apiKey: 'pnk_0123456789abcdef0123456789abcdef_SECRETSECRETSECRETSECRETSECRETSECRETSECRETS',
    vapi: 'vapi-webhook-secret-value',
    twilio: 'twilio-auth-token-value',
  };

  it('redacts credentials in request headers', () => {
    const out = logged((logger) =>
      logger.info({
        req: { method: 'GET', url: '/x', headers: { authorization: secrets.bearer, 'x-api-key': secrets.apiKey, 'x-vapi-secret': secrets.vapi, cookie: 'sid=1' } },
      }, 'request completed'),
    );
    for (const secret of [secrets.bearer, secrets.apiKey, secrets.vapi, 'sid=1']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(out).toContain('/x');
  });

  it('redacts credentials in logged objects and HTTP client errors', () => {
    const error = Object.assign(new Error('Request failed with status code 500'), {
      config: { auth: { username: 'AC0123456789abcdef0123456789abcdef', password: secrets.twilio }, headers: { Authorization: `Basic ${secrets.twilio}` } },
      request: { _header: `POST / HTTP/1.1\r\nAuthorization: Basic ${secrets.twilio}` },
    });
    const out = logged((logger) => {
      logger.error({ err: error }, 'provider failed');
      logger.info({ created: { api_key: secrets.apiKey, twilioAuthToken: secrets.twilio, secret: secrets.vapi } }, 'x');
      logger.info({ headers: { authorization: secrets.bearer, 'x-api-key': secrets.apiKey } }, 'y');
    });
    for (const secret of Object.values(secrets)) expect(out).not.toContain(secret);
    expect(out).toContain('Request failed with status code 500');
  });

  it('keeps credentials out of the request log the service writes', async () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = pinoHttp(pinoHttpOptions(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' })), sink);
    const server = createServer((req, res) => {
      logger(req, res);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await fetch(`http://127.0.0.1:${port}/admin/api-keys`, {
        headers: { authorization: secrets.bearer, 'x-api-key': secrets.apiKey, 'x-vapi-secret': secrets.vapi, cookie: 'sid=1' },
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(out).toContain('/admin/api-keys');
    for (const secret of [secrets.bearer, secrets.apiKey, secrets.vapi, 'sid=1']) expect(out).not.toContain(secret);
  });
});
