import { InvalidInputError, NotFoundError } from '../../common/errors/domain-error';

export class NoNumberOwnerError extends NotFoundError {
  constructor(phoneNumber: string) {
    super('number_owner_not_found', `Nobody owns ${phoneNumber} now: it is unknown, unassigned or inactive.`);
  }
}

export class InvalidLookupNumberError extends InvalidInputError {
  constructor() {
    super(
      'invalid_phone_number',
      'phone_number must be a valid phone number (e.g. +14125551234, whatsapp:+14125551234 or (412) 555-1234).',
      [{ field: 'phone_number', message: 'phone_number must be a valid phone number' }],
    );
  }
}
