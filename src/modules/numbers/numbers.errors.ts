import { ConflictError, NotFoundError } from '../../common/errors/domain-error';
import type { NumberStatus } from './entities/purchased-phone-number.entity';

export class NumberNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('number_not_found', `Purchased phone number ${id} does not exist or is not yours.`);
  }
}

export class NumberStateConflictError extends ConflictError {
  constructor(id: number, status: NumberStatus, wanted: string) {
    super('number_state_conflict', `Number ${id} is ${status}; ${wanted}.`, { current_status: status });
  }
}

export class NumberReleasedError extends ConflictError {
  constructor(id: number) {
    super('number_released', `Number ${id} was released to its provider and cannot be used again.`);
  }
}

export class NoNumberAssignedError extends NotFoundError {
  constructor() {
    super('no_number_assigned', 'No phone number is assigned to you.');
  }
}

export class NumberAlreadyRecordedError extends ConflictError {
  constructor(phoneNumber: string, id: number) {
    super('number_already_recorded', `${phoneNumber} is already recorded as number ${id} (another SID or PM, or released); it cannot be adopted.`, { purchased_number_id: id });
  }
}
