import type { FastifyRequest } from 'fastify';
import type { ProblemDetails } from './problem-details';

/**
 * Something that must happen when a request ends in a problem (audit a refused admin call, count
 * an auth failure). Features provide observers under `PROBLEM_OBSERVERS`; the exception filter only
 * calls them, so it knows nothing of the features.
 */
export interface ProblemObserver {
  observe(request: FastifyRequest, problem: ProblemDetails, error: unknown): void | Promise<void>;
}

export const PROBLEM_OBSERVERS = Symbol('PROBLEM_OBSERVERS');
