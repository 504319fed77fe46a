import { ConflictError, NotFoundError } from '../../common/errors/domain-error';
import type { RequestStatus } from './entities/phone-number-request.entity';

export class PhoneRequestNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('request_not_found', `Phone number request ${id} does not exist or is not yours.`);
  }
}

export class RequestNotCancellableError extends ConflictError {
  constructor(id: number, status: RequestStatus) {
    super('request_not_pending', `Request ${id} is ${status}; only a pending request can be cancelled.`);
  }
}
