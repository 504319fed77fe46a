import { ConflictError } from '../../common/errors/domain-error';

export class PurchaseInProgressForPropertyManagerError extends ConflictError {
  constructor(propertyManagerId: number) {
    super(
      'purchase_in_progress',
      `Property manager ${propertyManagerId} has a purchase in progress; offboard them once it has ended (see GET /admin/purchase-operations).`,
    );
  }
}
