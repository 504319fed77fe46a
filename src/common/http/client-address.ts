import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';

/**
 * The caller's address of a raw request, worked out as Fastify works out `request.ip` for the same
 * `trustProxy` setting (the peer's address; with proxies trusted, the last untrusted hop of
 * X-Forwarded-For, by the same `@fastify/proxy-addr`). For code that answers before Fastify has
 * made a request object (the chatbot's cached lookups); a test holds it to Fastify's own answer.
 */
export function clientAddressOf(trustProxy: boolean | number | string[]): (raw: IncomingMessage) => string | undefined {
  if (!trustProxy) return (raw) => raw.socket?.remoteAddress;
  const trusted =
    trustProxy === true ? () => true : typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : proxyAddr.compile(trustProxy);
  return (raw) => {
    const addresses = proxyAddr.all(raw, trusted);
    return addresses[addresses.length - 1];
  };
}
