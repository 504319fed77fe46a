import { Injectable, PipeTransform } from '@nestjs/common';
import { InvalidInputError } from '../errors/domain-error';

const MAX_ID = 2_147_483_647; // PostgreSQL integer

/** A positive integer id from the path; anything else is a 400, never a database error. */
@Injectable()
export class IdParamPipe implements PipeTransform<string, number> {
  constructor(private readonly field = 'id') {}

  transform(value: string): number {
    const id = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(id) || id < 1 || id > MAX_ID) {
      throw new InvalidInputError('invalid_input', `${this.field} must be a positive integer`, [
        { field: this.field, message: `${this.field} must be a positive integer` },
      ]);
    }
    return id;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  constructor(private readonly field = 'id') {}

  transform(value: string): string {
    if (!UUID.test(value)) {
      throw new InvalidInputError('invalid_input', `${this.field} must be a UUID`, [{ field: this.field, message: `${this.field} must be a UUID` }]);
    }
    return value.toLowerCase();
  }
}
