import { ConflictError, NotFoundError } from '../../common/errors/domain-error';

export class PropertyManagerNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('property_manager_not_found', `Property manager ${id} does not exist.`);
  }
}

export class RealtorNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('realtor_not_found', `Realtor ${id} does not exist or is not one of yours.`);
  }
}

export class PropertyManagerOffboardedError extends ConflictError {
  constructor(id: number) {
    super('property_manager_offboarded', `Property manager ${id} was offboarded; nothing new can be given to them.`);
  }
}
