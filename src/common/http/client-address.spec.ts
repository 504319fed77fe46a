import Fastify from 'fastify';
import { clientAddressOf } from './client-address';

describe('clientAddressOf', () => {
  // Every form TRUST_PROXY takes (see parseTrustProxy), and `true`, which Fastify also accepts.
  const settings: Array<boolean | number | string[]> = [false, true, 1, 2, ['127.0.0.1'], ['10.0.0.0/8', 'loopback'], ['uniquelocal', '2001:db8::/32']];
  const requests = [
    { remoteAddress: '127.0.0.1', headers: {} },
    { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } },
    { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.1, 10.1.2.3' } },
    { remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '203.0.113.9, 192.168.1.1, 10.0.0.7' } },
    { remoteAddress: '203.0.113.50', headers: { 'x-forwarded-for': '10.0.0.1' } },
    { remoteAddress: '::1', headers: { 'x-forwarded-for': '2001:db8::7, fd00::1' } },
    { remoteAddress: 'fd00::2', headers: { 'x-forwarded-for': 'not-an-address' } },
  ];

  it.each(settings.map((setting) => [JSON.stringify(setting), setting]))('finds the address Fastify finds with trustProxy %s', async (_name, setting) => {
    const app = Fastify({ trustProxy: setting });
    const ours = clientAddressOf(setting);
    app.get('/', (request, reply) => reply.send({ fastify: request.ip, ours: ours(request.raw) }));
    try {
      for (const { remoteAddress, headers } of requests) {
        const answer = (await app.inject({ url: '/', remoteAddress, headers })).json<{ fastify: string; ours: string }>();
        expect({ remoteAddress, headers, ours: answer.ours }).toEqual({ remoteAddress, headers, ours: answer.fastify });
      }
    } finally {
      await app.close();
    }
  });
});
