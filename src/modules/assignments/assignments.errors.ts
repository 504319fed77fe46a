import { ForbiddenError } from '../../common/errors/domain-error';

export class NotYourAssigneeError extends ForbiddenError {
  constructor() {
    super('not_your_assignee', 'You can assign numbers only to yourself or one of your realtors.');
  }
}
