import { isProviderError } from '../providers/number-provider';

/** A failure as admins see it in `last_error` and the logs: provider, status and code; never a credential or a body. */
export function describeError(error: unknown): string {
  if (isProviderError(error)) return error.describe();
  const code = (error as { code?: string }).code;
  return `${error instanceof Error ? error.name : 'error'}${code ? ` ${code}` : ''}`.slice(0, 300);
}
