import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, InvalidInputError } from '../errors/domain-error';

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/**
 * Field errors, `{ field, message }`; inside an array of objects (a bulk body) each also names
 * the item: `{ index, field, code, message }` with `field` relative to the item.
 */
function flatten(errors: ValidationError[], parent = '', item?: { index: number; prefix: string }): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const index = item === undefined && parent !== '' && /^\d+$/.test(error.property) ? Number(error.property) : undefined;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      ...(item ? { index: item.index } : {}),
      field: item ? field.slice(item.prefix.length) : field,
      ...(item ? { code: constraint === 'whitelistValidation' ? 'unknown_field' : snake(constraint) } : {}),
      // class-validator's whitelist message says "property x should not exist"; name it as a field.
      message: message.replace(/^property (\S+) should not exist$/, '$1 is not a known field'),
    }));
    const nextItem = item ?? (index !== undefined ? { index, prefix: `${field}.` } : undefined);
    return [...own, ...flatten(error.children ?? [], field, nextItem)];
  });
}

/**
 * Validates every body and query against its DTO: unknown fields are refused (a typo should not
 * pass silently), and errors come back as `errors: [{ field, message }]`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return new InvalidInputError(
        'invalid_input',
        fieldErrors.map((e) => e.message).join('; ') || 'The request is not valid.',
        fieldErrors,
      );
    },
  });
}
