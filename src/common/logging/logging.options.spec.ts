import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig } from '../../config/app-config';
import { pinoHttpOptions } from './logging.options';

describe('log redaction', () => {
  it('never writes credentials', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const options = pinoHttpOptions(loadConfig({ LOG_LEVEL: 'info' }));
    const logger = pino({ level: 'info', base: options.base, redact: options.redact as pino.LoggerOptions['redact'] }, sink);
    logger.info({
      req: { headers: { authorization: 'Bearer eyJsecret', 'x-api-key': 'pnk_secret', 'x-vapi-secret': 'whsec-value', cookie: 'sid=secret' } },
      config: { twilioAuthToken: 'twilio-secret', api_key: 'pnk_other' },
    }, 'request');
    const output = lines.join('');
    expect(output).toContain('[redacted]');
    expect(output).toContain('"telephony_mode":"sandbox"');
    for (const secret of ['eyJsecret', 'pnk_secret', 'whsec-value', 'sid=secret', 'twilio-secret', 'pnk_other']) {
      expect(output).not.toContain(secret);
    }
  });
});
