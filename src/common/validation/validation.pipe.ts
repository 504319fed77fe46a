import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, InvalidInputError } from '../errors/domain-error';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // class-validator's whitelist message says "property x should not exist"; name it as a field.
      message: message.replace(/^property (\S+) should not exist$/, '$1 is not a known field'),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
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
