import type { FastifyRequest } from 'fastify';

/** The request's id (from `requestIdFrom`; logged on every line and sent back as `x-request-id`). */
export function requestIdOf(request: FastifyRequest): string {
  return request.id;
}

/** The caller's address as Fastify resolved it (proxy headers only when `TRUST_PROXY` allows). */
export function clientIpOf(request: FastifyRequest): string {
  return request.ip;
}
