import { registerDecorator, ValidationOptions } from 'class-validator';
import { isValidE164 } from './phone-number';

/** A real phone number written in E.164, as the guide requires (`+14125551234`). */
export function IsE164PhoneNumber(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isE164PhoneNumber',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be a valid phone number in E.164 format, e.g. +14125551234',
        ...options,
      },
      validator: { validate: (value: unknown) => isValidE164(value) },
    });
}
