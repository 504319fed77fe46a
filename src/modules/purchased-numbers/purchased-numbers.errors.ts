import { ConflictError, FieldError } from '../../common/errors/domain-error';

/** A bulk add refused as a whole: `errors` names every refused item (`index`, `field`, `code`). */
export class NumbersRejectedError extends ConflictError {
  constructor(refused: number, total: number, errors: FieldError[]) {
    super('numbers_rejected', `${refused} of ${total} numbers cannot be added; none was added.`, { errors });
  }
}
