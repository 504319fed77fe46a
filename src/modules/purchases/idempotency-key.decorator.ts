import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { InvalidInputError } from '../../common/errors/domain-error';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The `Idempotency-Key` header, if sent: 1 to 200 visible ASCII characters, else 400. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
    throw new InvalidInputError('invalid_input', 'Idempotency-Key must be 1 to 200 visible ASCII characters.', [
      { field: 'Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' },
    ]);
  }
  return value;
});
